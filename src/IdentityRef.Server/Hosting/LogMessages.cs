using IdentityRef.Application;

namespace IdentityRef.Server.Hosting;

/// <summary>
/// Every log message of the server, declared once with a stable event id. None takes a patient trait: the
/// parameters are identifiers (IPP), counts, durations, technical states. The audit trail, not the log,
/// records what changed.
/// </summary>
public static partial class LogMessages
{
    [LoggerMessage(LogEvents.ServerStarted, LogLevel.Information, "IdentityRef listening; database {Provider}, {Places} birth places loaded")]
    public static partial void ServerStarted(this ILogger logger, string provider, int places);

    [LoggerMessage(LogEvents.DatabaseMigrated, LogLevel.Information, "Database migrated ({Provider})")]
    public static partial void DatabaseMigrated(this ILogger logger, string provider);

    /// <summary>A setting that does not validate: the server or the command stops (exit code 78). The text names settings, never a value.</summary>
    [LoggerMessage(LogEvents.ConfigurationInvalid, LogLevel.Critical, "Invalid configuration: {Problem}")]
    public static partial void ConfigurationInvalid(this ILogger logger, string problem);

    [LoggerMessage(LogEvents.IdentityChanged, LogLevel.Information, "Identity {Ipp}: {Action}")]
    public static partial void IdentityChanged(this ILogger logger, string ipp, string action);

    [LoggerMessage(LogEvents.ImportFinished, LogLevel.Information, "Import: {Imported} identities imported, {Rejected} rows rejected in {ElapsedMs} ms")]
    public static partial void ImportFinished(this ILogger logger, int imported, int rejected, long elapsedMs);

    [LoggerMessage(LogEvents.SeedFinished, LogLevel.Information, "Seed: {Count} identities created in {ElapsedMs} ms")]
    public static partial void SeedFinished(this ILogger logger, int count, long elapsedMs);
}
