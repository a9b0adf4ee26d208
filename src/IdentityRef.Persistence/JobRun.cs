namespace IdentityRef.Persistence;

/// <summary>One run of a scheduled job, as the operations API shows it.</summary>
public sealed class JobRun
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public long Id { get; init; }

    /// <summary>The job's name in the catalog, e.g. <c>ins-reverification</c>.</summary>
    public required string Job { get; init; }

    /// <summary>The scheduler instance that ran it (several in a cluster).</summary>
    public required string Instance { get; init; }

    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary><see cref="Running"/>, <see cref="Succeeded"/>, <see cref="Failed"/> or <see cref="Cancelled"/>.</summary>
    public required string Outcome { get; set; }

    /// <summary>JSON object of counters (e.g. <c>{"confirmed": 12, "replaced": 1}</c>).</summary>
    public string? Counts { get; set; }

    /// <summary>For a failure: the exception type and message, no patient data.</summary>
    public string? Error { get; set; }
}
