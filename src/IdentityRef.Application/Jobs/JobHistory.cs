using System.Text.Json;
using IdentityRef.Application.Broadcast;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Jobs;

/// <summary>One run of a job.</summary>
public sealed record JobRunDto(long Id, string Instance, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Outcome,
    IReadOnlyDictionary<string, int> Counts, string? Error)
{
    public static JobRunDto Of(JobRun run) => new(run.Id, run.Instance, run.StartedAt, run.FinishedAt, run.Outcome,
        run.Counts is null ? new Dictionary<string, int>() : JsonSerializer.Deserialize<Dictionary<string, int>>(run.Counts)!, run.Error);
}

/// <summary>
/// The runs of the scheduled jobs (<c>job_runs</c>): each run recorded when it starts and when it ends, read back for the
/// operator. Start and finish take no cancellation: a run stopped by shutdown is still recorded.
/// </summary>
public sealed class JobHistory(IdentityRefDbContext db, TimeProvider clock)
{
    public async Task<long> StartAsync(string job, string instance)
    {
        var run = new JobRun { Job = job, Instance = Truncate(instance, 200), StartedAt = clock.GetUtcNow(), Outcome = JobRun.Running };
        db.JobRuns.Add(run);
        await db.SaveChangesAsync(CancellationToken.None);
        return run.Id;
    }

    public async Task FinishAsync(long runId, string outcome, JobCounters counters, string? error)
    {
        var run = await db.JobRuns.FindAsync([runId], CancellationToken.None) ?? throw new InvalidOperationException("The job run row disappeared.");
        run.FinishedAt = clock.GetUtcNow();
        run.Outcome = outcome;
        run.Counts = counters.ToJson();
        run.Error = error is null ? null : Truncate(error, 1000);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>The job's latest run, or null before its first.</summary>
    public async Task<JobRunDto?> LastAsync(string job, CancellationToken cancellationToken) =>
        await db.JobRuns.AsNoTracking().Where(r => r.Job == job).OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken) is { } run
            ? JobRunDto.Of(run) : null;

    /// <summary>The job's latest runs, newest first.</summary>
    public async Task<IReadOnlyList<JobRunDto>> RunsAsync(string job, int limit, CancellationToken cancellationToken) =>
        (await db.JobRuns.AsNoTracking().Where(r => r.Job == job).OrderByDescending(r => r.Id).Take(limit).ToListAsync(cancellationToken))
            .Select(JobRunDto.Of).ToList();

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}

/// <summary>
/// The outbox's housekeeping as a job: purge what the retention allows, then raise a work item for parked messages and
/// for lagging systems (one open per kind: raised again, it is not duplicated).
/// </summary>
public sealed class OutboxWatch(OutboxHousekeeping housekeeping, IdentityRefDbContext db, TimeProvider clock)
{
    public async Task RunAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        var health = await housekeeping.RunAsync(cancellationToken);
        counters.Add("purged", health.Purged);
        counters.Add("parked", health.Parked);
        counters.Add("lagging", health.Lagging.Count);
        var now = clock.GetUtcNow();
        if (health.Parked > 0 && await WorkItemRaiser.RaiseAsync(db, WorkItemKinds.OutboxParked, null, new { parked = health.Parked }, now, cancellationToken))
        {
            counters.Add("alerts");
        }
        if (health.Lagging.Count > 0 && await WorkItemRaiser.RaiseAsync(db, WorkItemKinds.SubscriptionLagging, null,
                new { subscriptions = health.Lagging.Select(l => new { l.SubscriptionId, l.Name, l.Undelivered, l.OldestUndelivered }) }, now, cancellationToken))
        {
            counters.Add("alerts");
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
