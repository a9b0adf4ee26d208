using IdentityRef.Application.Security;
using IdentityRef.Application.Jobs;
using IdentityRef.Server.Hosting;
using Quartz;

namespace IdentityRef.Server.Jobs;

/// <summary>A job as the operations API shows it.</summary>
public sealed record JobSummary(
    string Name, string Description, string? Schedule, DateTimeOffset? NextRun, bool Paused, bool SchedulerEnabled, JobRunDto? LastRun);

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

        group.MapGet("", async (IServiceProvider services, JobHistory history, CancellationToken cancellationToken) =>
        {
            return Results.Ok(await JobOperations.SummariesAsync(services, history, cancellationToken));
        }).WithSummary("The scheduled jobs: schedule, next and last run, outcome and counts, paused or not.");

        group.MapGet("/{name}", async (string name, IServiceProvider services, JobHistory history, CancellationToken cancellationToken) =>
            JobCatalog.Find(name) is { } job
                ? Results.Ok(await JobOperations.SummaryAsync(job, await JobOperations.SchedulerAsync(services, cancellationToken), history, cancellationToken))
                : Problems.NotFound("Job")).WithSummary("One scheduled job.");

        group.MapGet("/{name}/runs", async (string name, int? limit, JobHistory history, CancellationToken cancellationToken) =>
        {
            if (JobCatalog.Find(name) is not { } job)
            {
                return Problems.NotFound("Job");
            }
            if (limit is < 1 or > 500)
            {
                return Problems.Validation("limit", "range", "limit must be between 1 and 500.");
            }
            return Results.Ok(await history.RunsAsync(job.Name, limit ?? 50, cancellationToken));
        }).WithSummary("The job's latest runs, newest first.");

        group.MapPost("/{name}/run", (string name, IServiceProvider services, CancellationToken cancellationToken) =>
            ActAsync(name, services, (scheduler, job) => JobOperations.Actions[JobOperations.JobAction.Run](scheduler, job, cancellationToken), cancellationToken,
                StatusCodes.Status202Accepted))
            .WithSummary("Runs the job now (once, on one instance of a cluster); see its runs for the outcome.");

        group.MapPost("/{name}/pause", (string name, IServiceProvider services, JobHistory history, CancellationToken cancellationToken) =>
            ActAsync(name, services, (scheduler, job) => JobOperations.Actions[JobOperations.JobAction.Pause](scheduler, job, cancellationToken), cancellationToken, history: history))
            .WithSummary("Pauses the job's schedule; a running run finishes.");

        group.MapPost("/{name}/resume", (string name, IServiceProvider services, JobHistory history, CancellationToken cancellationToken) =>
            ActAsync(name, services, (scheduler, job) => JobOperations.Actions[JobOperations.JobAction.Resume](scheduler, job, cancellationToken), cancellationToken, history: history))
            .WithSummary("Resumes the job's schedule (a firing missed while paused runs once).");
    }

    private static async Task<IResult> ActAsync(string name, IServiceProvider services, Func<IScheduler, JobDefinition, Task> act, CancellationToken cancellationToken,
        int status = StatusCodes.Status200OK, JobHistory? history = null)
    {
        if (JobCatalog.Find(name) is not { } job)
        {
            return Problems.NotFound("Job");
        }
        if (await JobOperations.SchedulerAsync(services, cancellationToken) is not { } scheduler)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The scheduler is disabled on this instance (Scheduler:Enabled).",
                type: "https://identityref.local/problems/scheduler-disabled");
        }
        await act(scheduler, job);
        if (history is null)
        {
            return Results.Json(new { name = job.Name, requested = true }, statusCode: status);
        }
        return Results.Ok(await JobOperations.SummaryAsync(job, scheduler, history, cancellationToken));
    }
}
