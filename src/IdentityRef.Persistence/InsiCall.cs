namespace IdentityRef.Persistence;

/// <summary>
/// One use of the INSi teleservice for an identity (a search with its first-name iterations, a verification),
/// kept until staff accept or reject its answer; also the record of technical failures to retry.
/// </summary>
public sealed class InsiCall
{
    public long Id { get; init; }
    public required Guid IdentityId { get; init; }
    public required DateTimeOffset CalledAt { get; init; }
    public required string Actor { get; init; }

    /// <summary><c>search</c>, <c>vitale</c> or <c>verify</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>Teleservice requests made (the first-name iteration makes several).</summary>
    public int Calls { get; init; }

    /// <summary><c>00</c>, <c>01</c>, <c>02</c>; <c>down</c> when the service was unavailable (retried later), <c>error</c> for another failure.</summary>
    public required string Outcome { get; init; }

    /// <summary>For an error: its kind and a description that holds no patient data.</summary>
    public string? Error { get; init; }

    public string? InsValue { get; init; }
    public string? InsOid { get; init; }

    /// <summary>JSON: the former matricules (INSHISTO).</summary>
    public string? InsHistory { get; init; }

    /// <summary>JSON: the INS traits returned (TIQ).</summary>
    public string? Traits { get; init; }

    /// <summary><c>accepted</c>, <c>rejected</c>, or null while undecided; <c>dropped</c> for a failure the retry job will not retry.</summary>
    public string? Decision { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecidedBy { get; set; }
}
