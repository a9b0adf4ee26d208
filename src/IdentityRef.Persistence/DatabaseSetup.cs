using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Persistence;

/// <summary>Registers the database for the configured provider.</summary>
public static class DatabaseSetup
{
    public static IServiceCollection AddIdentityRefDatabase(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        // Pooled contexts: EF builds a context's internal services (its scope, the options' service-provider look-up,
        // OnConfiguring) once per pooled instance instead of once per request; a context returned to the pool is reset
        // (tracked entities, connection, transaction, settings). That was about 5 % of an admission check's CPU.
        // The options are built once (singleton), as pooling requires. Contexts are still handed out per scope.
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddDbContextPool<SqliteIdentityRefDbContext>(o => SqliteIdentityRefDbContext.WithKeyTables(o.UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance)));
                services.AddScoped<IdentityRefDbContext>(sp => sp.GetRequiredService<SqliteIdentityRefDbContext>());
                break;
            case DatabaseProvider.PostgreSql:
                services.AddDbContextPool<PostgresIdentityRefDbContext>(o => o.UseNpgsql(connectionString));
                services.AddScoped<IdentityRefDbContext>(sp => sp.GetRequiredService<PostgresIdentityRefDbContext>());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
        return services;
    }

    /// <summary>
    /// Applies the pending migrations (generated ones, ADR 0005); a database built by the hand-written migrations
    /// first gets the baseline recorded as applied. SQLite additionally gets WAL mode for concurrent readers.
    /// EF refuses to migrate when the model has changes that no migration holds (PendingModelChangesWarning).
    /// </summary>
    public static async Task MigrateAsync(IdentityRefDbContext db, CancellationToken cancellationToken = default)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                await Migrations.HandWrittenSchema.AdoptAsync(db, cancellationToken);
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
        await Migrations.HandWrittenSchema.AdoptAsync(db, cancellationToken);
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
    }
}

/// <summary>
/// Settings of every SQLite connection: a 64 MiB page cache (the default 2 MiB makes index inserts of a large
/// import read the disk for every key), temporary structures in memory, and <c>synchronous = FULL</c> stated explicitly:
/// in WAL mode every commit waits for the disk (the durable default; the inbound feed's opt-in relaxed mode lowers it on
/// its own connection for one unit of work, and a connection taken from the pool is set back to FULL here).
/// </summary>
internal sealed class SqlitePragmas : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static SqlitePragmas Instance { get; } = new();

    private const string Pragmas = "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA synchronous = FULL;";

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
