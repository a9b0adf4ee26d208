using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Jobs;
using Quartz;

namespace IdentityRef.Server.Jobs;

/// <summary>Quartz job for <see cref="InsReverifier"/>.</summary>
[DisallowConcurrentExecution]
public sealed class InsReverificationJob(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<InsReverificationJob> logger)
    : RecordedJob(scopes, lifetime, clock, logger), IScheduledJob
{
    public static JobKey Key { get; } = new(InsReverifier.JobName, JobCatalog.Group);

    protected override Task RunAsync(IServiceProvider services, JobCounters counters, CancellationToken cancellationToken) =>
        services.GetRequiredService<InsReverifier>().RunAsync(counters, cancellationToken);
}

/// <summary>Quartz job for <see cref="InsiRetrier"/>.</summary>
[DisallowConcurrentExecution]
public sealed class InsiRetryJob(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<InsiRetryJob> logger)
    : RecordedJob(scopes, lifetime, clock, logger), IScheduledJob
{
    public static JobKey Key { get; } = new(InsiRetrier.JobName, JobCatalog.Group);

    protected override Task RunAsync(IServiceProvider services, JobCounters counters, CancellationToken cancellationToken) =>
        services.GetRequiredService<InsiRetrier>().RunAsync(counters, cancellationToken);
}

/// <summary>Purges acknowledged messages after the retention; raises alerts for parked messages and lagging systems.</summary>
[DisallowConcurrentExecution]
public sealed class OutboxHousekeepingJob(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<OutboxHousekeepingJob> logger)
    : RecordedJob(scopes, lifetime, clock, logger), IScheduledJob
{
    public static JobKey Key { get; } = new("outbox-housekeeping", JobCatalog.Group);

    protected override Task RunAsync(IServiceProvider services, JobCounters counters, CancellationToken cancellationToken) =>
        services.GetRequiredService<OutboxWatch>().RunAsync(counters, cancellationToken);
}

/// <summary>Duplicate detection for the identities changed since the last run, against the whole base.</summary>
[DisallowConcurrentExecution]
public sealed class IncrementalDuplicateDetectionJob(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<IncrementalDuplicateDetectionJob> logger)
    : RecordedJob(scopes, lifetime, clock, logger), IScheduledJob
{
    public static JobKey Key { get; } = new("duplicates-incremental", JobCatalog.Group);

    protected override async Task RunAsync(IServiceProvider services, JobCounters counters, CancellationToken cancellationToken) =>
        Count(counters, await services.GetRequiredService<DuplicateDetection>().RunIncrementalAsync(cancellationToken));

    internal static void Count(JobCounters counters, DetectionSummary summary)
    {
        counters.Add("identities", summary.Identities);
        counters.Add("candidatePairs", (int)Math.Min(int.MaxValue, summary.CandidatePairs));
        counters.Add("probable", summary.Probable);
        counters.Add("possible", summary.Possible);
        counters.Add("collisions", summary.Collisions);
        counters.Add("created", summary.Created);
        counters.Add("reopened", summary.Reopened);
        counters.Add("oversizedBlocks", summary.OversizedBlocks);
    }
}

/// <summary>Duplicate detection over the whole base (at night: it reads every identity).</summary>
[DisallowConcurrentExecution]
public sealed class FullDuplicateDetectionJob(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<FullDuplicateDetectionJob> logger)
    : RecordedJob(scopes, lifetime, clock, logger), IScheduledJob
{
    public static JobKey Key { get; } = new("duplicates-full", JobCatalog.Group);

    protected override async Task RunAsync(IServiceProvider services, JobCounters counters, CancellationToken cancellationToken) =>
        IncrementalDuplicateDetectionJob.Count(counters, await services.GetRequiredService<DuplicateDetection>().RunFullAsync(cancellationToken));
}
