using IdentityRef.Application.Jobs;
using IdentityRef.Persistence;
using Quartz;

namespace IdentityRef.Server.Jobs;

/// <summary>
/// The frame of every job: one DI scope per run, the run recorded in <c>job_runs</c> (start, end, outcome,
/// counts, error), and a cancellation that fires on Quartz's interruption and on the host's shutdown, so that a
/// run stops between two items rather than being killed in the middle of one.
/// </summary>
public abstract class RecordedJob(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var name = context.JobDetail.Key.Name;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.CancellationToken, lifetime.ApplicationStopping);
        var startedAt = clock.GetUtcNow();
        var run = await StartAsync(name, context.Scheduler.SchedulerInstanceId);
        var counters = new JobCounters();
        string outcome;
        string? error = null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await RunAsync(scope.ServiceProvider, counters, stop.Token);
            outcome = JobRun.Succeeded;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            outcome = JobRun.Cancelled;
        }
#pragma warning disable CA1031 // a failed run is recorded and the next firing tries again; Quartz would only log it
        catch (Exception e)
#pragma warning restore CA1031
        {
            outcome = JobRun.Failed;
            error = $"{e.GetType().Name}: {e.Message}";
            JobsLog.RunFailed(logger, name, e.GetType().Name);
        }
        await FinishAsync(run, outcome, counters, error);
        Application.Telemetry.IdentityRefTelemetry.JobRan(name, outcome, clock.GetUtcNow() - startedAt);
        JobsLog.RunFinished(logger, name, outcome, counters.ToJson());
    }

    /// <summary>The job's work; counts what it did in <paramref name="counters"/>; stops when <paramref name="cancellationToken"/> fires.</summary>
    protected abstract Task RunAsync(IServiceProvider services, JobCounters counters, CancellationToken cancellationToken);

    // The history is written with its own context and no cancellation: a run stopped by shutdown is still recorded.
    private async Task<long> StartAsync(string name, string instance)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobHistory>().StartAsync(name, instance);
    }

    private async Task FinishAsync(long runId, string outcome, JobCounters counters, string? error)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<JobHistory>().FinishAsync(runId, outcome, counters, error);
    }
}
