namespace IdentityRef.Insi;

/// <summary>CodeCR of a RESULTAT.</summary>
public enum InsiResultCode
{
    /// <summary>00: exactly one identity.</summary>
    Found,

    /// <summary>01: no identity.</summary>
    NotFound,

    /// <summary>02: several identities.</summary>
    Several,
}

public static class InsiResultCodeExtensions
{
    public static string ToWire(this InsiResultCode code) => code switch
    {
        InsiResultCode.Found => InsiContract.CodeFound,
        InsiResultCode.NotFound => InsiContract.CodeNotFound,
        InsiResultCode.Several => InsiContract.CodeSeveral,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };

    public static InsiResultCode? FromWire(string? code) => code switch
    {
        InsiContract.CodeFound => InsiResultCode.Found,
        InsiContract.CodeNotFound => InsiResultCode.NotFound,
        InsiContract.CodeSeveral => InsiResultCode.Several,
        _ => null,
    };
}

/// <summary>
/// One INS as received (INSACTIF or INSHISTO): 13-character matricule, key, OID of the assigning authority.
/// The key may be absent from a former matricule (optional in the XSD); validity dates only on INSHISTO.
/// </summary>
public sealed record InsIdentifier(
    string Matricule13,
    string? Key,
    string Oid,
    string? MatriculeType = null,
    DateOnly? ValidFrom = null,
    DateOnly? ValidTo = null)
{
    /// <summary>NIR or NIA is told by the OID, never by the digits.</summary>
    public bool IsNia => Oid == InsiContract.OidNia;

    /// <summary>Matricule with its key (15 characters) when the key is known.</summary>
    public string? WithKey => Key is null ? null : Matricule13 + Key;
}

/// <summary>
/// The INS traits (TIQ) as received. <see cref="FirstName"/> is TIQ/Prenom when sent, else the first element
/// of <see cref="FirstNamesList"/> (the real service sometimes omits Prenom, e.g. ECETINSI).
/// </summary>
public sealed record InsTraits(
    string BirthName,
    string FirstName,
    string FirstNamesList,
    char Sex,
    string BirthDate,
    string? BirthPlaceCode)
{
    public IReadOnlyList<string> FirstNames => FirstNamesList.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>INDIVIDU of a 00 answer.</summary>
public sealed record InsiIndividual(InsIdentifier ActiveIns, IReadOnlyList<InsIdentifier> History, InsTraits Traits);

/// <summary>One RESULTAT: code, label and, for 00, the individual.</summary>
public sealed record InsiAnswer(InsiResultCode Code, string Label, InsiIndividual? Individual);

/// <summary>
/// Final answer of a search. <see cref="Calls"/> counts teleservice requests (one per first-name attempt,
/// retries of the same request not included); <see cref="FirstNamesSent"/> and <see cref="BirthPlaceSent"/>
/// describe the call that produced this answer.
/// </summary>
public sealed record InsiSearchOutcome(
    InsiResultCode Code,
    string Label,
    int Calls,
    InsiIndividual? Individual,
    string? FirstNamesSent,
    bool BirthPlaceSent)
{
    public string CodeText => Code.ToWire();
}

/// <summary>
/// Either a value or a typed error, never both. <see cref="Calls"/> counts teleservice requests made,
/// <see cref="HttpAttempts"/> the HTTP exchanges including retries.
/// </summary>
public sealed record InsiResult<T>
    where T : class
{
    private InsiResult(T? value, InsiError? error, int calls, int httpAttempts)
    {
        Value = value;
        Error = error;
        Calls = calls;
        HttpAttempts = httpAttempts;
    }

    public T? Value { get; }

    public InsiError? Error { get; }

    public int Calls { get; }

    public int HttpAttempts { get; }

    public bool IsSuccess => Error is null;

    public static InsiResult<T> Success(T value, int calls, int httpAttempts) =>
        new(value ?? throw new ArgumentNullException(nameof(value)), null, calls, httpAttempts);

    public static InsiResult<T> Failure(InsiError error, int calls, int httpAttempts) =>
        new(null, error ?? throw new ArgumentNullException(nameof(error)), calls, httpAttempts);
}
