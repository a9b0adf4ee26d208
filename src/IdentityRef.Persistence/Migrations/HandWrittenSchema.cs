using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations;

/// <summary>
/// Until December 2026 the migrations were hand-written (ADR 0002, superseded by ADR 0005). Their last version is the
/// schema of the generated <c>Baseline</c> migration, so a database they built is recorded as having the baseline
/// instead of being migrated again; a database left part-way through them is refused with the way out.
/// </summary>
public static class HandWrittenSchema
{
    public const string BaselineId = "20261206000000_Baseline";

    /// <summary>The hand-written migrations, in order (there was no number 9).</summary>
    public static IReadOnlyList<string> MigrationIds { get; } =
    [
        "20261122000001_Initial",
        "20261122000002_InsiCalls",
        "20261122000003_Duplicates",
        "20261122000004_Broadcast",
        "20261122000005_Jobs",
        "20261122000006_Accounts",
        "20261122000007_Merges",
        "20261122000008_InsiContradictions",
        "20261122000010_WorkItemResolution",
    ];

    /// <summary>
    /// Records the baseline as applied when the last hand-written migration is; throws when only some of them are.
    /// Safe when several servers start at once (the insert ignores a row another one wrote first).
    /// </summary>
    public static async Task AdoptAsync(IdentityRefDbContext db, CancellationToken cancellationToken = default)
    {
        var history = db.GetService<IHistoryRepository>();
        if (!await history.ExistsAsync(cancellationToken))
        {
            return;
        }
        var applied = (await history.GetAppliedMigrationsAsync(cancellationToken)).Select(r => r.MigrationId).ToHashSet(StringComparer.Ordinal);
        var handWritten = MigrationIds.Where(applied.Contains).ToList();
        if (handWritten.Count == 0 || applied.Contains(BaselineId))
        {
            return;
        }
        if (handWritten[^1] != MigrationIds[^1])
        {
            throw new InvalidOperationException(
                $"The database is at the hand-written schema version {handWritten[^1]}; this version of IdentityRef upgrades only from " +
                $"{MigrationIds[^1]}. Start a version of IdentityRef from before the generated migrations (git tag or commit 7bfa704) " +
                "once against this database to finish the hand-written migrations, then start this version.");
        }
        var insert = db.Provider == DatabaseProvider.Sqlite
            ? """INSERT OR IGNORE INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ({0}, {1})"""
            : """INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ({0}, {1}) ON CONFLICT DO NOTHING""";
        await db.Database.ExecuteSqlRawAsync(insert, [BaselineId, ProductInfo.GetVersion()], cancellationToken);
    }
}
