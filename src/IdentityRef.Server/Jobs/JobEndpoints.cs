using IdentityRef.Application.Security;
using IdentityRef.Application.Jobs;
using System.Text.Json;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace IdentityRef.Server.Jobs;

/// <summary>A job as the operations API shows it.</summary>
public sealed record JobSummary(
    string Name, string Description, string? Schedule, DateTimeOffset? NextRun, bool Paused, bool SchedulerEnabled, JobRunDto? LastRun);

/// <summary>One run of a job.</summary>
public sealed record JobRunDto(long Id, string Instance, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Outcome,
    IReadOnlyDictionary<string, int> Counts, string? Error)
{
    public static JobRunDto Of(JobRun run) => new(run.Id, run.Instance, run.StartedAt, run.FinishedAt, run.Outcome,
        run.Counts is null ? new Dictionary<string, int>() : JsonSerializer.Deserialize<Dictionary<string, int>>(run.Counts)!, run.Error);
}

/// <summary>
/// Operations on the scheduled jobs: list, run now, pause, resume, run history. Authentication is added with
/// the rest of the API's security. With the scheduler disabled on this instance, the list still answers and the
/// actions are 503.
/// </summary>
public static class JobEndpoints
{
    public static void MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/jobs").WithTags("Operations").RequireAuthorization(Policies.Jobs);

        group.MapGet("", async (IServiceProvider services, IdentityRefDbContext db, CancellationToken cancellationToken) =>
        {
            return Results.Ok(await SummariesAsync(services, db, cancellationToken));
        }).WithSummary("The scheduled jobs: schedule, next and last run, outcome and counts, paused or not.");

        group.MapGet("/{name}", async (string name, IServiceProvider services, IdentityRefDbContext db, CancellationToken cancellationToken) =>
            JobCatalog.Find(name) is { } job
                ? Results.Ok(await SummaryAsync(job, await SchedulerAsync(services, cancellationToken), db, cancellationToken))
                : Problems.NotFound("Job")).WithSummary("One scheduled job.");

        group.MapGet("/{name}/runs", async (string name, int? limit, IdentityRefDbContext db, CancellationToken cancellationToken) =>
        {
            if (JobCatalog.Find(name) is not { } job)
            {
                return Problems.NotFound("Job");
            }
            if (limit is < 1 or > 500)
            {
                return Problems.Validation("limit", "range", "limit must be between 1 and 500.");
            }
            return Results.Ok(await RunsAsync(db, job, limit ?? 50, cancellationToken));
        }).WithSummary("The job's latest runs, newest first.");

        group.MapPost("/{name}/run", (string name, IServiceProvider services, CancellationToken cancellationToken) =>
            ActAsync(name, services, (scheduler, job) => Actions[JobAction.Run](scheduler, job, cancellationToken), cancellationToken,
                StatusCodes.Status202Accepted))
            .WithSummary("Runs the job now (once, on one instance of a cluster); see its runs for the outcome.");

        group.MapPost("/{name}/pause", (string name, IServiceProvider services, IdentityRefDbContext db, CancellationToken cancellationToken) =>
            ActAsync(name, services, (scheduler, job) => Actions[JobAction.Pause](scheduler, job, cancellationToken), cancellationToken, db: db))
            .WithSummary("Pauses the job's schedule; a running run finishes.");

        group.MapPost("/{name}/resume", (string name, IServiceProvider services, IdentityRefDbContext db, CancellationToken cancellationToken) =>
            ActAsync(name, services, (scheduler, job) => Actions[JobAction.Resume](scheduler, job, cancellationToken), cancellationToken, db: db))
            .WithSummary("Resumes the job's schedule (a firing missed while paused runs once).");
    }

    /// <summary>What an operator may ask of a job (the API and the web screen share these).</summary>
    public enum JobAction
    {
        Run,
        Pause,
        Resume,
    }

    private static readonly IReadOnlyDictionary<JobAction, Func<IScheduler, JobDefinition, CancellationToken, Task>> Actions =
        new Dictionary<JobAction, Func<IScheduler, JobDefinition, CancellationToken, Task>>
        {
            [JobAction.Run] = async (scheduler, job, ct) => await scheduler.TriggerJob(job.Key, new JobDataMap(), ct),
            [JobAction.Pause] = async (scheduler, job, ct) => await scheduler.PauseJob(job.Key, ct),
            [JobAction.Resume] = async (scheduler, job, ct) => await scheduler.ResumeJob(job.Key, ct),
        };

    /// <summary>Applies <paramref name="action"/> to the job; false when the scheduler is disabled on this instance.</summary>
    public static async Task<bool> ActAsync(JobDefinition job, JobAction action, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (await SchedulerAsync(services, cancellationToken) is not { } scheduler)
        {
            return false;
        }
        await Actions[action](scheduler, job, cancellationToken);
        return true;
    }

    /// <summary>Every job of the catalogue as an operator sees it.</summary>
    public static async Task<IReadOnlyList<JobSummary>> SummariesAsync(IServiceProvider services, IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        var scheduler = await SchedulerAsync(services, cancellationToken);
        var summaries = new List<JobSummary>();
        foreach (var job in JobCatalog.All)
        {
            summaries.Add(await SummaryAsync(job, scheduler, db, cancellationToken));
        }
        return summaries;
    }

    /// <summary>The job's latest runs, newest first.</summary>
    public static async Task<IReadOnlyList<JobRunDto>> RunsAsync(IdentityRefDbContext db, JobDefinition job, int limit, CancellationToken cancellationToken) =>
        (await db.JobRuns.Where(r => r.Job == job.Name).OrderByDescending(r => r.Id).Take(limit).ToListAsync(cancellationToken)).Select(JobRunDto.Of).ToList();

    private static async Task<IResult> ActAsync(string name, IServiceProvider services, Func<IScheduler, JobDefinition, Task> act, CancellationToken cancellationToken,
        int status = StatusCodes.Status200OK, IdentityRefDbContext? db = null)
    {
        if (JobCatalog.Find(name) is not { } job)
        {
            return Problems.NotFound("Job");
        }
        if (await SchedulerAsync(services, cancellationToken) is not { } scheduler)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The scheduler is disabled on this instance (Scheduler:Enabled).",
                type: "https://identityref.local/problems/scheduler-disabled");
        }
        await act(scheduler, job);
        if (db is null)
        {
            return Results.Json(new { name = job.Name, requested = true }, statusCode: status);
        }
        return Results.Ok(await SummaryAsync(job, scheduler, db, cancellationToken));
    }

    private static async Task<IScheduler?> SchedulerAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetService<ISchedulerFactory>() is { } factory ? await factory.GetScheduler(cancellationToken) : null;

    private static async Task<JobSummary> SummaryAsync(JobDefinition job, IScheduler? scheduler, IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        var last = await db.JobRuns.Where(r => r.Job == job.Name).OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        string? schedule = null;
        DateTimeOffset? next = null;
        var paused = false;
        if (scheduler is not null && await scheduler.GetTrigger(job.TriggerKey, cancellationToken) is { } trigger)
        {
            schedule = (trigger as ICronTrigger)?.CronExpressionString;
            paused = await scheduler.GetTriggerState(job.TriggerKey, cancellationToken) == TriggerState.Paused;
            next = paused ? null : trigger.NextFireTimeUtc;
        }
        return new JobSummary(job.Name, job.Description, schedule, next, paused, scheduler is not null, last is null ? null : JobRunDto.Of(last));
    }
}
