using IdentityRef.Matching;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.TraitMatching;

/// <summary>
/// Stored blocking keys are only as good as the blocking that wrote them: after an upgrade that changed the matcher's
/// keys (<see cref="Blocking.Version"/>), check-before-create would silently miss candidates. At start, after the
/// migrations, the version the keys were written with (counter <see cref="Counter"/>) is compared with the matcher's;
/// on a difference — or keys written before versions were recorded — every identity's keys are computed again
/// (≈ 6 min at a million identities), then the version is recorded. A base without keys just records it.
/// </summary>
public static partial class MatchKeyVersion
{
    public const string Counter = "match-keys-version";

    /// <summary>Returns whether the keys were rebuilt.</summary>
    public static async Task<bool> EnsureCurrentAsync(IdentityRefDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        var stored = await db.Counters.AsNoTracking().Where(c => c.Name == Counter).Select(c => (long?)c.Next).FirstOrDefaultAsync(cancellationToken);
        if (stored == Blocking.Version)
        {
            return false;
        }
        if (!await db.MatchKeys.AnyAsync(cancellationToken))
        {
            await RecordAsync(db, cancellationToken);
            return false;
        }
        logger.RebuildingKeys(stored, Blocking.Version);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (identities, _) = await RebuildAsync(db, cancellationToken);
        logger.KeysRebuilt(identities, watch.ElapsedMilliseconds);
        return true;
    }

    /// <summary>Every identity's keys computed again by the current blocking, which is then recorded as theirs.</summary>
    public static async Task<(int Identities, long Keys)> RebuildAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        await db.MatchKeys.ExecuteDeleteAsync(cancellationToken);
        await db.IdentityKeys.ExecuteDeleteAsync(cancellationToken);
        var built = await MatchKeyBuild.BuildMissingAsync(db, cancellationToken);
        await RecordAsync(db, cancellationToken);
        return built;
    }

    private static Task RecordAsync(IdentityRefDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO counters ("Name", "Next") VALUES ({Counter}, {(long)Blocking.Version}) ON CONFLICT ("Name") DO UPDATE SET "Next" = {(long)Blocking.Version}""",
            cancellationToken);

    [LoggerMessage(LogEvents.BlockingKeysOutdated, LogLevel.Warning, "Blocking keys were written by blocking version {Stored} and the matcher is at version {Current}: every identity's keys are computed again")]
    private static partial void RebuildingKeys(this ILogger logger, long? stored, int current);

    [LoggerMessage(LogEvents.BlockingKeysRebuilt, LogLevel.Information, "Blocking keys rebuilt for {Identities} identities in {ElapsedMs} ms")]
    private static partial void KeysRebuilt(this ILogger logger, int identities, long elapsedMs);
}
