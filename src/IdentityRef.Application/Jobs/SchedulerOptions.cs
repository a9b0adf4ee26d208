using System.ComponentModel.DataAnnotations;

namespace IdentityRef.Application.Jobs;

/// <summary>The <c>Scheduler</c> section: Quartz in the host, and each job's schedule.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Scheduler";

    /// <summary><c>Scheduler__Enabled=false</c> runs no job on this instance (the operations API then answers 503).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Several instances sharing one PostgreSQL database: each firing runs on one instance only, and a dead
    /// instance's work is recovered by another. Meaningless for the embedded SQLite file.
    /// </summary>
    public bool Clustered { get; set; }

    /// <summary>This instance's id in the cluster; <c>AUTO</c> generates a unique one.</summary>
    [Required]
    public string InstanceId { get; set; } = "AUTO";

    /// <summary>A firing later than this is a misfire; the jobs' cron triggers then fire once and go on (FireAndProceed).</summary>
    [Range(1, 86_400)]
    public int MisfireThresholdSeconds { get; set; } = 60;

    /// <summary>How often an idle scheduler looks at the store for triggers fired by other instances.</summary>
    [Range(1, 600)]
    public int IdleWaitSeconds { get; set; } = 30;

    [Range(1, 600)]
    public int ClusterCheckinSeconds { get; set; } = 15;

    /// <summary>Per job name: its cron expression (Quartz syntax, with seconds), or empty to leave it unscheduled.</summary>
    public Dictionary<string, string> Schedules { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public InsReverificationOptions InsReverification { get; set; } = new();

    public InsiRetryOptions InsiRetry { get; set; } = new();
}

/// <summary>How the re-verification picks its identities and calls the teleservice. None of this is set nationally: hospital policy.</summary>
public sealed class InsReverificationOptions
{
    /// <summary>An INS last confirmed by INSi longer ago than this is re-checked.</summary>
    [Range(1, 36_500)]
    public int MaxAgeDays { get; set; } = 365;

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>Teleservice requests per second at most (the first-name iteration of a search counts each request).</summary>
    [Range(0.01, 100)]
    public double CallsPerSecond { get; set; } = 1;

    /// <summary>Teleservice requests per UTC day at most, for this job.</summary>
    [Range(1, 1_000_000)]
    public int DailyCap { get; set; } = 2000;

    /// <summary>Consecutive technical failures after which a run stops (the teleservice is down: retry at the next run).</summary>
    [Range(1, 1000)]
    public int StopAfterConsecutiveErrors { get; set; } = 5;

    /// <summary>
    /// Which operation re-checks an INS. <see cref="ReverificationMode.Verify"/> uses the INS verification operation,
    /// whose contract is UNCONFIRMED (see InsiVerificationContract): the safe default is the search by traits.
    /// </summary>
    public ReverificationMode Mode { get; set; } = ReverificationMode.SearchByTraits;

    /// <summary>
    /// What a failed re-verification (another INS, traits that changed, not found) does to a qualified identity. Not set
    /// nationally; the safe default is <see cref="MismatchPolicy.Downgrade"/>: QUAL → RECUP, the INS withdrawn from the
    /// receivers (A47 "qualified → recovered") and kept locally, plus an item for the identity vigilance cell — an INS that
    /// INSi no longer confirms must not go on travelling. <see cref="MismatchPolicy.KeepAndReport"/> (keep sharing, report
    /// only) must be chosen explicitly. The INS is never deleted by a job.
    /// </summary>
    public MismatchPolicy OnMismatch { get; set; } = MismatchPolicy.Downgrade;
}

public enum ReverificationMode
{
    SearchByTraits,
    Verify,
}

public enum MismatchPolicy
{
    KeepAndReport,
    Downgrade,
}

/// <summary>Retries of INSi calls that failed for a technical reason (transport, timeout).</summary>
public sealed class InsiRetryOptions
{
    /// <summary>Retries per identity after the failed call; then a <c>technical-failure</c> work item.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>A failure younger than this waits for a later run.</summary>
    [Range(0, 100_000)]
    public int MinDelayMinutes { get; set; } = 10;

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;
}
