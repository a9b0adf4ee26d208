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
                services.AddDbContext<SqliteIdentityRefDbContext>(o => Configure(o.UseSqlite(connectionString)));
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
                await db.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
            return;
        }
        await db.Database.MigrateAsync(cancellationToken);
    }
}
