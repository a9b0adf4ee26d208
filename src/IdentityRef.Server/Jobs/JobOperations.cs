using IdentityRef.Application.Jobs;
using Quartz;

namespace IdentityRef.Server.Jobs;

/// <summary>
/// The operations on the scheduled jobs shared by <c>/api/jobs</c> and the "Tâches planifiées" screen: the list, a job's runs,
/// run now, pause, resume. It lives in the host because the scheduler (Quartz) is the host's; the screen uses the instance
/// methods (<see cref="SummariesAsync(CancellationToken)"/>…), holding no database context of its own.
/// </summary>
public sealed class JobOperations(IServiceProvider services, JobHistory history)
{
    /// <summary>Every job of the catalogue as an operator sees it.</summary>
    public Task<IReadOnlyList<JobSummary>> SummariesAsync(CancellationToken cancellationToken) => SummariesAsync(services, history, cancellationToken);

    /// <summary>The job's latest runs, newest first.</summary>
    public Task<IReadOnlyList<JobRunDto>> RunsAsync(JobDefinition job, int limit, CancellationToken cancellationToken) => history.RunsAsync(job.Name, limit, cancellationToken);

    /// <summary>Applies <paramref name="action"/> to the job; false when the scheduler is disabled on this instance.</summary>
    public Task<bool> ActAsync(JobDefinition job, JobAction action, CancellationToken cancellationToken) => ActAsync(job, action, services, cancellationToken);

    /// <summary>What an operator may ask of a job (the API and the web screen share these).</summary>
    public enum JobAction
    {
        Run,
        Pause,
        Resume,
    }

    internal static readonly IReadOnlyDictionary<JobAction, Func<IScheduler, JobDefinition, CancellationToken, Task>> Actions =
        new Dictionary<JobAction, Func<IScheduler, JobDefinition, CancellationToken, Task>>
        {
            [JobAction.Run] = async (scheduler, job, ct) => await scheduler.TriggerJob(job.Key, new JobDataMap(), ct),
            [JobAction.Pause] = async (scheduler, job, ct) => await scheduler.PauseJob(job.Key, ct),
            [JobAction.Resume] = async (scheduler, job, ct) => await scheduler.ResumeJob(job.Key, ct),
        };

    internal static async Task<bool> ActAsync(JobDefinition job, JobAction action, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (await SchedulerAsync(services, cancellationToken) is not { } scheduler)
        {
            return false;
        }
        await Actions[action](scheduler, job, cancellationToken);
        return true;
    }

    internal static async Task<IReadOnlyList<JobSummary>> SummariesAsync(IServiceProvider services, JobHistory history, CancellationToken cancellationToken)
    {
        var scheduler = await SchedulerAsync(services, cancellationToken);
        var summaries = new List<JobSummary>();
        foreach (var job in JobCatalog.All)
        {
            summaries.Add(await SummaryAsync(job, scheduler, history, cancellationToken));
        }
        return summaries;
    }

    internal static async Task<IScheduler?> SchedulerAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetService<ISchedulerFactory>() is { } factory ? await factory.GetScheduler(cancellationToken) : null;

    internal static async Task<JobSummary> SummaryAsync(JobDefinition job, IScheduler? scheduler, JobHistory history, CancellationToken cancellationToken)
    {
        var last = await history.LastAsync(job.Name, cancellationToken);
        string? schedule = null;
        DateTimeOffset? next = null;
        var paused = false;
        if (scheduler is not null && await scheduler.GetTrigger(job.TriggerKey, cancellationToken) is { } trigger)
        {
            schedule = (trigger as ICronTrigger)?.CronExpressionString;
            paused = await scheduler.GetTriggerState(job.TriggerKey, cancellationToken) == TriggerState.Paused;
            next = paused ? null : trigger.NextFireTimeUtc;
        }
        return new JobSummary(job.Name, job.Description, schedule, next, paused, scheduler is not null, last);
    }
}
