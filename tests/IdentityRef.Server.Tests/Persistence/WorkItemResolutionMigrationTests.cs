using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IdentityRef.Server.Tests.Persistence;

/// <summary>M0010 adds the resolution columns to <c>work_items</c>: the items a site already has keep their state and get UpdatedAt = CreatedAt.</summary>
public sealed class WorkItemResolutionMigrationTests
{
    private const string Before = "20261122000008_InsiContradictions";

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task M0010_KeepsTheItems_AndDatesTheirLastChangeAtTheirCreation(DatabaseProvider provider)
    {
        var file = Path.Combine(Path.GetTempPath(), $"m0010-{Guid.NewGuid():N}.db");
        var connectionString = provider == DatabaseProvider.Sqlite ? $"Data Source={file};Pooling=false" : PostgresServer.Instance.CreateDatabase();
        var created = new DateTimeOffset(2026, 10, 1, 7, 30, 0, TimeSpan.Zero);
        try
        {
            await using (var before = Context(provider, connectionString))
            {
                await before.GetService<IMigrator>().MigrateAsync(Before);
                // The row as the older schema holds it: raw SQL, since the model has moved on.
                object createdAt = provider == DatabaseProvider.Sqlite ? new DateTimeOffsetToBinaryConverter().ConvertToProvider(created)! : created;
                await before.Database.ExecuteSqlRawAsync(
                    "INSERT INTO work_items (\"Kind\", \"IdentityId\", \"State\", \"CreatedAt\", \"Details\") VALUES ('outbox-parked', NULL, 'in-review', {0}, '{{\"parked\":2}}')",
                    createdAt);
            }

            await using var after = Context(provider, connectionString);
            await after.Database.MigrateAsync();
            var item = await after.WorkItems.AsNoTracking().SingleAsync();
            Assert.Equal((WorkItem.InReview, created, created), (item.State, item.CreatedAt, item.UpdatedAt));
            Assert.Equal(((string?)null, (DateTimeOffset?)null, (string?)null), (item.ReviewedBy, item.ResolvedAt, item.Resolution));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    private static IdentityRefDbContext Context(DatabaseProvider provider, string connectionString) => provider == DatabaseProvider.Sqlite
        ? new SqliteIdentityRefDbContext(new DbContextOptionsBuilder<SqliteIdentityRefDbContext>().UseSqlite(connectionString)
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)).Options)
        : new PostgresIdentityRefDbContext(new DbContextOptionsBuilder<PostgresIdentityRefDbContext>().UseNpgsql(connectionString)
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)).Options);
}
