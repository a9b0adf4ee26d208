using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Server.Tests.Persistence;

/// <summary>M0008 rebuilds <c>duplicate_items</c> on SQLite (no ALTER COLUMN there): the queue a site already has must survive it.</summary>
public sealed class InsiContradictionsMigrationTests
{
    [Fact]
    public async Task SqliteM0008_KeepsTheQueuedPairs_AndNewItemsGetLargerIds()
    {
        var file = Path.Combine(Path.GetTempPath(), $"m0008-{Guid.NewGuid():N}.db");
        try
        {
            var now = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
            var a = Person("100000001", "ALPHA", now);
            var b = Person("100000002", "BETA", now);
            await using (var before = Context(file))
            {
                await before.GetService<IMigrator>().MigrateAsync("20261122000007_Merges");
                before.Identities.AddRange(a, b);
                await before.SaveChangesAsync();
                var (first, second) = string.CompareOrdinal(a.Id.ToString(), b.Id.ToString()) < 0 ? (a.Id, b.Id) : (b.Id, a.Id);
                // The row as the version-7 schema holds it (no InsiCallId yet): raw SQL, since the model has moved on.
                const string explanation = "{}";
                await before.Database.ExecuteSqlAsync($"""
                    INSERT INTO duplicate_items ("Id", "IdentityA", "IdentityB", "Kind", "Class", "Score", "Explanation", "State", "CreatedAt", "UpdatedAt", "Decisions")
                    VALUES (41, {first}, {second}, 'duplicate', 'probable', 17.5, {explanation}, 'open', {now.UtcTicks}, {now.UtcTicks}, '[]')
                    """);
            }

            await using var after = Context(file);
            await after.Database.MigrateAsync();

            var kept = await after.DuplicateItems.AsNoTracking().SingleAsync();
            Assert.Equal((41L, "probable", 17.5, (long?)null), (kept.Id, kept.Class, kept.Score, kept.InsiCallId));
            Assert.NotNull(kept.IdentityB);
            after.DuplicateItems.Add(new DuplicateItem
            {
                IdentityA = a.Id, IdentityB = null, Kind = DuplicateKinds.Collision, Class = DuplicateClasses.InsiContradiction, Explanation = "{}",
                State = DuplicateStates.Open, CreatedAt = now, UpdatedAt = now, Decisions = "[]",
            });
            await after.SaveChangesAsync();
            Assert.Equal(42L, await after.DuplicateItems.MaxAsync(d => d.Id));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private static SqliteIdentityRefDbContext Context(string file) =>
        new(new DbContextOptionsBuilder<SqliteIdentityRefDbContext>().UseSqlite($"Data Source={file};Pooling=false")
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)).Options);

    private static Identity Person(string ipp, string birthName, DateTimeOffset now) => Identity.Create(Guid.NewGuid(), ipp,
        new StrictTraits(birthName, "JEAN", "JEAN", new BirthDate(new DateOnly(1980, 1, 2), false), Sex.Male, null), ComplementaryTraits.None, null, now);
}
