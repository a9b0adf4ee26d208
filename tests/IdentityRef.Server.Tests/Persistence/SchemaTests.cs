using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace IdentityRef.Server.Tests.Persistence;

/// <summary>
/// The migrations build exactly the schema the EF model expects (besides the snapshot check of
/// <see cref="MigrationTests"/>), and the audit trail is append-only in the database itself.
/// </summary>
public sealed class SchemaTests
{
    [Fact]
    public async Task SqliteMigrations_BuildTheModelSchema()
    {
        var migrated = await SqliteColumnsAsync(db => DatabaseSetup.MigrateAsync(db));
        var created = await SqliteColumnsAsync(async db => await db.Database.EnsureCreatedAsync());
        Assert.Equal(created, migrated.Where(c => !c.StartsWith("__EF", StringComparison.Ordinal) && !IsQuartzTable(c)));
    }

    [PostgresFact]
    public async Task PostgresMigrations_BuildTheModelSchema()
    {
        var migrated = await PostgresColumnsAsync(db => DatabaseSetup.MigrateAsync(db));
        var created = await PostgresColumnsAsync(async db => await db.Database.EnsureCreatedAsync());
        Assert.Equal(created, migrated.Where(c => !c.StartsWith("__EF", StringComparison.Ordinal) && !IsQuartzTable(c)));
    }

    [Fact]
    public async Task SqliteAuditTrail_RefusesUpdateAndDelete()
    {
        using var temp = new TempSqliteFile("audit");
        await using var db = Sqlite(temp.Path);
        await DatabaseSetup.MigrateAsync(db);
        await InsertAuditLineAsync(db);
        await Assert.ThrowsAsync<SqliteException>(() => db.Database.ExecuteSqlRawAsync("UPDATE audit_trail SET \"Actor\" = 'someone else'"));
        await Assert.ThrowsAsync<SqliteException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_trail"));
        Assert.Equal(1, await db.AuditTrail.CountAsync());
    }

    [PostgresFact]
    public async Task PostgresAuditTrail_RefusesUpdateDeleteAndTruncate()
    {
        await using var db = Postgres(PostgresServer.Instance.CreateDatabase());
        await DatabaseSetup.MigrateAsync(db);
        await InsertAuditLineAsync(db);
        await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync("UPDATE audit_trail SET \"Actor\" = 'someone else'"));
        await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM audit_trail"));
        await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync("TRUNCATE audit_trail"));
        Assert.Equal(1, await db.AuditTrail.CountAsync());
    }

    /// <summary>Quartz's job-store tables are created by the migrations from Quartz's own scripts, outside the EF model.</summary>
    private static bool IsQuartzTable(string line) => line.StartsWith("qrtz_", StringComparison.OrdinalIgnoreCase);

    private static async Task InsertAuditLineAsync(IdentityRefDbContext db)
    {
        db.AuditTrail.Add(new IdentityRef.Persistence.Audit.AuditEntry
        {
            Action = "identity.created", Actor = "test", At = DateTimeOffset.UtcNow, CorrelationId = "c", After = "{}",
        });
        await db.SaveChangesAsync();
    }

    private static SqliteIdentityRefDbContext Sqlite(string file) =>
        new(new DbContextOptionsBuilder<SqliteIdentityRefDbContext>().UseSqlite($"Data Source={file};Pooling=false").Options);

    private static PostgresIdentityRefDbContext Postgres(string connectionString) =>
        new(new DbContextOptionsBuilder<PostgresIdentityRefDbContext>().UseNpgsql(connectionString)
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)).Options);

    /// <summary>Table, column, type, nullability and indexes, one line each, sorted.</summary>
    private static async Task<List<string>> SqliteColumnsAsync(Func<IdentityRefDbContext, Task> build)
    {
        using var temp = new TempSqliteFile("schema");
        var file = temp.Path;
        await using var db = new SqliteIdentityRefDbContext(new DbContextOptionsBuilder<SqliteIdentityRefDbContext>()
            .UseSqlite($"Data Source={file};Pooling=false")
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)).Options);
        await build(db);
        var lines = new List<string>();
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = new SqliteCommand("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        foreach (var table in tables)
        {
            await using var columns = new SqliteCommand($"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')", connection);
            await using var reader = await columns.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add($"{table}.{reader.GetString(0)} {reader.GetString(1)} notnull={reader.GetInt64(2)} pk={reader.GetInt64(3)}");
            }
        }
        await using (var indexes = new SqliteCommand("SELECT tbl_name || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index'", connection))
        await using (var reader = await indexes.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0).Replace("IF NOT EXISTS ", "", StringComparison.Ordinal));
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string>> PostgresColumnsAsync(Func<IdentityRefDbContext, Task> build)
    {
        var connectionString = PostgresServer.Instance.CreateDatabase();
        await using var db = Postgres(connectionString);
        await build(db);
        var lines = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand("""
            SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') || ' ' || is_nullable || ' ' || coalesce(is_identity, '')
            FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL SELECT tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
