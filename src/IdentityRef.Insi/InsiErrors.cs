namespace IdentityRef.Insi;

/// <summary>Why an INSi exchange gave no RESULTAT. Every failure of the teleservice ends as one of these.</summary>
public abstract record InsiError
{
    /// <summary>A short description with no patient data (safe to log).</summary>
    public abstract string Describe();

    /// <summary>
    /// The service was unavailable (network, time-out, a fault that says "try later"): asking again later may succeed, so
    /// the retry job picks the identity up. Anything else (a refusal, a malformed answer, an invalid query) will fail the
    /// same way again and goes to people.
    /// </summary>
    public abstract bool IsTransient { get; }
}

/// <summary>
/// A SOAP 1.2 fault. <see cref="Code"/> is the siram:Erreur code (e.g. desir_550, DESIR_560, insi_24),
/// <see cref="Label"/> its text, <see cref="Reason"/> the soap:Reason text.
/// </summary>
public sealed record InsiFaultError(
    string SoapCode,
    string? SoapSubcode,
    string? Code,
    string? Severity,
    string? Label,
    string? Reason,
    int HttpStatus) : InsiError
{
    public override string Describe() => $"SOAP fault {SoapCode}/{SoapSubcode ?? "-"} code {Code ?? "-"} (HTTP {HttpStatus})";

    /// <summary>Set by the client from <see cref="InsiOptions.TransientFaultCodes"/> (e.g. <c>insi_102</c>, <c>siram_40</c>: service temporarily unavailable).</summary>
    public bool Transient { get; init; }

    public override bool IsTransient => Transient;
}

/// <summary>The teleservice could not be reached, or answered an HTTP error with no SOAP fault.</summary>
public sealed record InsiTransportError(int? HttpStatus, string Reason) : InsiError
{
    public override string Describe() => HttpStatus is null ? $"transport failure: {Reason}" : $"HTTP {HttpStatus}: {Reason}";

    public override bool IsTransient => true;
}

/// <summary>No answer within the configured time (after the retries).</summary>
public sealed record InsiTimeoutError(TimeSpan TimeoutPerAttempt) : InsiError
{
    public override string Describe() => $"no answer within {TimeoutPerAttempt.TotalSeconds:0.###} s";

    public override bool IsTransient => true;
}

/// <summary>An answer that is not a contract-conforming SOAP 1.2 RESULTAT or fault.</summary>
public sealed record InsiMalformedAnswerError(int HttpStatus, string Reason) : InsiError
{
    public override string Describe() => $"malformed answer (HTTP {HttpStatus}): {Reason}";

    public override bool IsTransient => false;
}

/// <summary>The query was refused before any call (missing or badly formatted value).</summary>
public sealed record InsiInvalidQueryError(string Reason) : InsiError
{
    public override string Describe() => $"invalid query: {Reason}";

    public override bool IsTransient => false;
}
