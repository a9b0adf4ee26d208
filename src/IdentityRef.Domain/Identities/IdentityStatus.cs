namespace IdentityRef.Domain.Identities;

/// <summary>
/// The four confidence statuses of RNIV EXI SI 07, on two axes: retrieved through INSi (I) and checked
/// against a high-trust identity document (C).
/// </summary>
public enum IdentityStatus
{
    /// <summary>Identité provisoire: neither I nor C.</summary>
    Prov,

    /// <summary>Identité récupérée: I, not C.</summary>
    Recup,

    /// <summary>Identité validée: C, not I.</summary>
    Vali,

    /// <summary>Identité qualifiée: I and C. Only this status may hand the INS on (EXI SI 08).</summary>
    Qual,
}

/// <summary>Identity attributes of the RNIV. Douteuse and fictive force PROV and forbid INSi calls (EXI SI 09).</summary>
[Flags]
public enum IdentityAttributes
{
    None = 0,
    Douteuse = 1,
    Fictive = 2,
    Homonyme = 4,
}

public static class IdentityStatusCodes
{
    public static string Code(this IdentityStatus status) => status switch
    {
        IdentityStatus.Prov => "PROV",
        IdentityStatus.Recup => "RECUP",
        IdentityStatus.Vali => "VALI",
        IdentityStatus.Qual => "QUAL",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>The national label, for screens.</summary>
    public static string Label(this IdentityStatus status) => status switch
    {
        IdentityStatus.Prov => "Identité provisoire",
        IdentityStatus.Recup => "Identité récupérée",
        IdentityStatus.Vali => "Identité validée",
        IdentityStatus.Qual => "Identité qualifiée",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static IdentityStatus? Parse(string? code) => code?.Trim().ToUpperInvariant() switch
    {
        "PROV" => IdentityStatus.Prov,
        "RECUP" => IdentityStatus.Recup,
        "VALI" => IdentityStatus.Vali,
        "QUAL" => IdentityStatus.Qual,
        _ => null,
    };

    /// <summary>The RNIV status that follows from the two axes and the attributes.</summary>
    public static IdentityStatus Derive(bool insRetrieved, bool documentChecked, IdentityAttributes attributes, bool birthDateCorrected)
    {
        if ((attributes & (IdentityAttributes.Douteuse | IdentityAttributes.Fictive)) != 0)
        {
            return IdentityStatus.Prov; // EXI SI 09
        }
        var retrieved = insRetrieved && !birthDateCorrected; // a corrected birth date forbids RECUP and QUAL
        return (retrieved, documentChecked) switch
        {
            (false, false) => IdentityStatus.Prov,
            (true, false) => IdentityStatus.Recup,
            (false, true) => IdentityStatus.Vali,
            (true, true) => IdentityStatus.Qual,
        };
    }
}

public static class IdentityAttributeCodes
{
    public static readonly IReadOnlyList<(IdentityAttributes Flag, string Code)> All =
    [
        (IdentityAttributes.Douteuse, "douteuse"),
        (IdentityAttributes.Fictive, "fictive"),
        (IdentityAttributes.Homonyme, "homonyme"),
    ];

    public static IReadOnlyList<string> Codes(this IdentityAttributes attributes) =>
        All.Where(a => attributes.HasFlag(a.Flag)).Select(a => a.Code).ToList();
}
