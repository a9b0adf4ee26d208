using IdentityRef.Application.Jobs;
using Quartz;

namespace IdentityRef.Server.Jobs;

/// <summary>A job of the catalog: a Quartz job class with its static key.</summary>
public interface IScheduledJob : IJob
{
    /// <summary>The job's key; its name is the one of the API and of the <c>Scheduler:Schedules</c> settings.</summary>
    static abstract JobKey Key { get; }
}

/// <summary>One job the scheduler knows: key, what it does, and the schedule used when the configuration gives none.</summary>
public sealed record JobDefinition(JobKey Key, Type JobType, string Description, string DefaultCron)
{
    public string Name => Key.Name;

    public TriggerKey TriggerKey => new(Key.Name, Key.Group);

    public static JobDefinition Of<TJob>(string description, string defaultCron)
        where TJob : IScheduledJob => new(TJob.Key, typeof(TJob), description, defaultCron);

    /// <summary><c>Scheduler:Schedules:{name}</c> when set (empty: not scheduled), else the default.</summary>
    public string? CronFrom(SchedulerOptions options) =>
        options.Schedules.TryGetValue(Name, out var configured) ? (string.IsNullOrWhiteSpace(configured) ? null : configured.Trim()) : DefaultCron;
}

/// <summary>
/// Every scheduled job of the server. Adding one is a line here (and the job class, deriving from
/// <see cref="RecordedJob"/>): it is then registered, scheduled, listed, run and paused through the API.
/// </summary>
public static class JobCatalog
{
    public const string Group = "identityref";

    public static IReadOnlyList<JobDefinition> All { get; } =
    [
        JobDefinition.Of<InsReverificationJob>(
            "Re-checks with INSi the INS of recovered and qualified identities last confirmed too long ago.", "0 30 2 * * ?"),
        JobDefinition.Of<InsiRetryJob>(
            "Calls INSi again for identities whose last call failed for a technical reason (transport, timeout).", "0 0/15 * * * ?"),
        JobDefinition.Of<OutboxHousekeepingJob>(
            "Purges acknowledged messages after the retention; raises alerts for parked messages and lagging systems.", "0 15 * * * ?"),
        JobDefinition.Of<IncrementalDuplicateDetectionJob>(
            "Looks for duplicates and collisions of the identities changed since the last run, against the whole base.", "0 0/5 * * * ?"),
        JobDefinition.Of<FullDuplicateDetectionJob>(
            "Looks for duplicates and collisions across the whole base.", "0 0 3 * * ?"),
    ];

    public static JobDefinition? Find(string name) =>
        All.FirstOrDefault(j => string.Equals(j.Name, name, StringComparison.OrdinalIgnoreCase));
}
