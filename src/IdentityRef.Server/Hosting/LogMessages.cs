namespace IdentityRef.Server.Hosting;

/// <summary>
/// Every log message of the server, declared once with a stable event id. None takes a patient trait: the
/// parameters are identifiers (IPP), counts, durations, technical states. The audit trail, not the log,
/// records what changed.
/// </summary>
public static partial class LogMessages
{
    [LoggerMessage(1000, LogLevel.Information, "IdentityRef listening; database {Provider}, {Places} birth places loaded")]
    public static partial void ServerStarted(this ILogger logger, string provider, int places);

    [LoggerMessage(1001, LogLevel.Information, "Database migrated ({Provider})")]
    public static partial void DatabaseMigrated(this ILogger logger, string provider);

    [LoggerMessage(1010, LogLevel.Information, "HTTP {Method} {Route} answered {Status} in {ElapsedMs} ms")]
    public static partial void RequestHandled(this ILogger logger, string method, string route, int status, long elapsedMs);

    [LoggerMessage(1011, LogLevel.Error, "HTTP {Method} {Route} failed with {ExceptionType}")]
    public static partial void RequestFailed(this ILogger logger, string method, string route, string exceptionType, Exception exception);

    [LoggerMessage(1100, LogLevel.Information, "Identity {Ipp}: {Action}")]
    public static partial void IdentityChanged(this ILogger logger, string ipp, string action);

    [LoggerMessage(1200, LogLevel.Information, "Import: {Imported} identities imported, {Rejected} rows rejected in {ElapsedMs} ms")]
    public static partial void ImportFinished(this ILogger logger, int imported, int rejected, long elapsedMs);

    [LoggerMessage(1201, LogLevel.Information, "Seed: {Count} identities created in {ElapsedMs} ms")]
    public static partial void SeedFinished(this ILogger logger, int count, long elapsedMs);
}
