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
