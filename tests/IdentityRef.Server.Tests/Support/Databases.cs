using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// One server per database provider, shared by the tests of a class. PostgreSQL rows are present where PostgreSQL
/// runs (always on CI); elsewhere <see cref="PostgresAvailabilityTests"/> shows the skip and its reason.
/// </summary>
public sealed class Databases : IDisposable
{
    private readonly Dictionary<DatabaseProvider, Lazy<IdentityRefFactory>> _factories = new()
    {
        [DatabaseProvider.Sqlite] = new(() => new IdentityRefFactory(DatabaseProvider.Sqlite)),
        [DatabaseProvider.PostgreSql] = new(() => new IdentityRefFactory(DatabaseProvider.PostgreSql)),
    };

    public static TheoryData<DatabaseProvider> Providers
    {
        get
        {
            var data = new TheoryData<DatabaseProvider> { DatabaseProvider.Sqlite };
            if (PostgresServer.RunningOnCi || PostgresServer.UnavailableReason is null)
            {
                data.Add(DatabaseProvider.PostgreSql);
            }
            return data;
        }
    }

    public IdentityRefFactory this[DatabaseProvider provider] => _factories[provider].Value;

    /// <summary>
    /// A context on a base of the test's own (a migration test's, a child process's import) with the server's options: no
    /// warning ignored, so EF would refuse a model with changes no migration holds.
    /// </summary>
    public static IdentityRefDbContext Context(DatabaseProvider provider, string connectionString) => provider == DatabaseProvider.Sqlite
        ? new SqliteIdentityRefDbContext(new DbContextOptionsBuilder<SqliteIdentityRefDbContext>().UseSqlite(connectionString).Options)
        : new PostgresIdentityRefDbContext(new DbContextOptionsBuilder<PostgresIdentityRefDbContext>().UseNpgsql(connectionString).Options);

    public void Dispose()
    {
        foreach (var factory in _factories.Values.Where(f => f.IsValueCreated))
        {
            factory.Value.Dispose();
        }
    }
}

public sealed class PostgresAvailabilityTests
{
    [PostgresFact]
    public void PostgreSql_IsAvailableForTheIntegrationTests() => Assert.Null(PostgresServer.UnavailableReason);
}
