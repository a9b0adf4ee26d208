using IdentityRef.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IdentityRef.Server.Tests.Persistence;

/// <summary>
/// Everything a migration can change in a database, one sorted line each, read from the database's own catalogue:
/// tables, columns (type, nullability, default, key or identity), indexes, foreign keys and other constraints,
/// triggers and functions. EF's own tables (<c>__EF*</c>) are left out. Column order is not compared.
/// </summary>
public static class SchemaDescription
{
    public static Task<List<string>> ReadAsync(DatabaseProvider provider, string connectionString) =>
        provider == DatabaseProvider.Sqlite ? SqliteAsync(connectionString) : PostgresAsync(connectionString);

    private static async Task<List<string>> SqliteAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        var lines = new List<string>();
        foreach (var table in await ReadAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__EF%'"))
        {
            lines.AddRange(await ReadAsync(connection,
                $"SELECT '{table}.' || name || ' ' || type || ' notnull=' || \"notnull\" || ' default=' || coalesce(dflt_value, '') || ' pk=' || pk FROM pragma_table_info('{table}')"));
            lines.AddRange(await ReadAsync(connection,
                $"SELECT '{table} fk ' || \"from\" || ' -> ' || \"table\" || '.' || \"to\" || ' on delete ' || on_delete FROM pragma_foreign_key_list('{table}')"));
            foreach (var index in await ReadAsync(connection, $"SELECT name || ' unique=' || \"unique\" FROM pragma_index_list('{table}')"))
            {
                var name = index[..index.IndexOf(' ', StringComparison.Ordinal)];
                var columns = await ReadAsync(connection, $"SELECT name FROM pragma_index_info('{name}') ORDER BY seqno", sort: false);
                lines.Add($"{table} index {index} ({string.Join(", ", columns)})");
            }
        }
        lines.AddRange(await ReadAsync(connection, "SELECT 'trigger ' || tbl_name || ' ' || sql FROM sqlite_master WHERE type = 'trigger'"));
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string>> PostgresAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var lines = await ReadAsync(connection, """
            SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '')
                   || ' nullable=' || is_nullable || ' default=' || coalesce(column_default, '') || ' identity=' || coalesce(identity_generation, '')
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '\_\_EF%'
            UNION ALL
            SELECT tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '\_\_EF%'
            UNION ALL
            SELECT c.conrelid::regclass::text || ' constraint ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'public' AND c.conrelid::regclass::text NOT LIKE '%\_\_EF%'
            UNION ALL
            SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal
            UNION ALL
            SELECT 'function ' || p.proname || ' ' || p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
            """);
        return lines;
    }

    private static async Task<List<string>> ReadAsync(System.Data.Common.DbConnection connection, string sql, bool sort = true)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        if (sort)
        {
            lines.Sort(StringComparer.Ordinal);
        }
        return lines;
    }
}
