using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Persistence;

/// <summary>Registers the database for the configured provider.</summary>
public static class DatabaseSetup
{
    public static IServiceCollection AddIdentityRefDatabase(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddDbContext<SqliteIdentityRefDbContext>(o => Configure(o.UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance)));
                services.AddScoped<IdentityRefDbContext>(sp => sp.GetRequiredService<SqliteIdentityRefDbContext>());
                break;
            case DatabaseProvider.PostgreSql:
                services.AddDbContext<PostgresIdentityRefDbContext>(o => Configure(o.UseNpgsql(connectionString)));
                services.AddScoped<IdentityRefDbContext>(sp => sp.GetRequiredService<PostgresIdentityRefDbContext>());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
        return services;
    }

    // The migrations are hand-written (no EF design-time tooling here), so there is no model snapshot to
    // compare with; the schema is checked against the model by the persistence tests instead.
    private static void Configure(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    /// <summary>Applies the pending migrations; SQLite additionally gets WAL mode for concurrent readers.</summary>
    public static async Task MigrateAsync(IdentityRefDbContext db, CancellationToken cancellationToken = default)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                // Nothing to apply: no write at all (Migrate takes a lock row), so a server can start on a read-only file and serve reads.
                if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
                {
                    await db.Database.MigrateAsync(cancellationToken);
                }
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
            return;
        }
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
    }
}

/// <summary>
/// Settings of every SQLite connection: a 64 MiB page cache (the default 2 MiB makes index inserts of a large
/// import read the disk for every key) and temporary structures in memory. Durability is unchanged.
/// </summary>
internal sealed class SqlitePragmas : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static SqlitePragmas Instance { get; } = new();

    private const string Pragmas = "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;";

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
