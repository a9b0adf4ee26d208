namespace IdentityRef.Persistence;

/// <summary>
/// Another identifier of an identity: an import domain's external id, a merged IPP, another system's id
/// received over HL7. Unique per (system, value).
/// </summary>
public sealed class IdentityIdentifier
{
    public long Id { get; init; }

    /// <summary>The identity it designates; re-pointed by a merge and back by its undo.</summary>
    public required Guid IdentityId { get; set; }

    /// <summary>The identifier domain, e.g. <c>import:febrl</c>, <c>merged-ipp</c>, <c>hl7:URGENCES</c>.</summary>
    public required string System { get; init; }

    public required string Value { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

public static class IdentifierSystems
{
    public const string MergedIpp = "merged-ipp";

    public static string Import(string domain) => "import:" + domain;
}

/// <summary>A named counter for identifiers that are never reused (the IPP).</summary>
public sealed class Counter
{
    public required string Name { get; init; }
    public long Next { get; set; }
}
