namespace IdentityRef.Application.Jobs;

/// <summary>The jobs' log lines: job names, outcomes and counts only — never an identity, a trait or an INS.</summary>
internal static partial class JobsLog
{
    [LoggerMessage(LogEvents.JobFinished, LogLevel.Information, "Job {Job} finished: {Outcome} {Counts}")]
    public static partial void RunFinished(ILogger logger, string job, string outcome, string counts);

    [LoggerMessage(LogEvents.JobFailed, LogLevel.Error, "Job {Job} failed with {ErrorType}")]
    public static partial void RunFailed(ILogger logger, string job, string errorType);

    [LoggerMessage(LogEvents.InsReverificationStopped, LogLevel.Warning, "INS re-verification stopped after {Errors} consecutive teleservice failures")]
    public static partial void ReverificationStopped(ILogger logger, int errors);

    [LoggerMessage(LogEvents.InsReverificationDailyCapReached, LogLevel.Information, "INS re-verification deferred {Count} identities: daily cap of {Cap} teleservice requests reached")]
    public static partial void DailyCapReached(ILogger logger, int count, int cap);

    [LoggerMessage(LogEvents.JobScheduled, LogLevel.Information, "Scheduled {Job} with {Cron}")]
    public static partial void Scheduled(ILogger logger, string job, string cron);

    [LoggerMessage(LogEvents.JobConcurrentChange, LogLevel.Warning, "Identity changed concurrently during job {Job}: skipped, retried at the next run")]
    public static partial void ConcurrentChange(ILogger logger, string job);
}
