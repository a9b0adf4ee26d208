using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace IdentityRef.Persistence;

/// <summary>
/// Inserts many new rows of one entity type with one prepared command (SQLite) or one binary <c>COPY</c> (PostgreSQL),
/// inside the context's current transaction. The statement, columns and value conversions all come from the EF model, so
/// the rows are exactly what SaveChanges would write — at the speed of the database rather than of change tracking
/// (import of a million identities). Store-generated keys are left to the database and not read back.
/// </summary>
public static class BulkInsert
{
    public static Task InsertAsync<T>(IdentityRefDbContext db, IEnumerable<T> entities, CancellationToken cancellationToken) where T : class =>
        InsertAsync(db, typeof(T), entities, cancellationToken);

    /// <summary>Inserts every entity the change tracker holds as added, then saves whatever else it tracks.</summary>
    public static async Task SaveChangesInBulkAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        var added = db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList();
        foreach (var group in added.GroupBy(e => e.Entity.GetType()))
        {
            await InsertAsync(db, group.Key, group.Select(e => e.Entity), cancellationToken);
        }
        foreach (var entry in added)
        {
            entry.State = EntityState.Detached;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public static async Task InsertAsync(IdentityRefDbContext db, Type clrType, IEnumerable<object> entities, CancellationToken cancellationToken)
    {
        var entityType = db.Model.FindEntityType(clrType) ?? throw new InvalidOperationException($"{clrType.Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var properties = entityType.GetProperties().Where(p => p.ValueGenerated != ValueGenerated.OnAdd || !p.IsPrimaryKey()).ToList();
        var sql = db.GetService<ISqlGenerationHelper>();

        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }
        if (db.Provider == DatabaseProvider.Sqlite && db.Database.CurrentTransaction is not null && properties.All(p => RawBindable(ProviderType(p))))
        {
            InsertRaw(db, table, properties, sql, entities);
            return;
        }
        if (db.Provider == DatabaseProvider.PostgreSql)
        {
            await CopyAsync(db, table, properties, sql, entities, cancellationToken);
            return;
        }
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"INSERT INTO {Target(table, properties, sql)} VALUES ({string.Join(", ", properties.Select((_, i) => "@p" + i))})";
        var getters = new List<Func<object, object?>>();
        for (var i = 0; i < properties.Count; i++)
        {
            var property = properties[i];
            command.Parameters.Add(property.GetRelationalTypeMapping().CreateParameter(command, "@p" + i, null, property.IsNullable));
            getters.Add(ProviderValue(property));
        }
        await command.PrepareAsync(cancellationToken);
        foreach (var entity in entities)
        {
            for (var i = 0; i < getters.Count; i++)
            {
                command.Parameters[i].Value = getters[i](entity) ?? DBNull.Value;
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// PostgreSQL: the rows in one binary <c>COPY ... FROM STDIN</c> on the context's connection (in its transaction, if any),
    /// each value written with its column's type as the EF model maps it. One statement for all the rows instead of one
    /// round trip per row: at 200,000 rows the import's identity rows took 44.9 s as single-row statements (docs/import.md).
    /// </summary>
    private static async Task CopyAsync(IdentityRefDbContext db, StoreObjectIdentifier table, List<IProperty> properties, ISqlGenerationHelper sql,
        IEnumerable<object> entities, CancellationToken cancellationToken)
    {
        // The type's base name ("character varying", not "character varying(64)"): the name the driver knows it by.
        var columns = properties.Select(p => (Type: p.GetRelationalTypeMapping().StoreTypeNameBase, Value: ProviderValue(p))).ToArray();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {Target(table, properties, sql)} FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var entity in entities)
        {
            await importer.StartRowAsync(cancellationToken);
            foreach (var (type, value) in columns)
            {
                if (value(entity) is { } present)
                {
                    await importer.WriteAsync(present, type, cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
            }
        }
        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: rows of two <c>bigint</c> columns in one binary <c>COPY</c>, in the context's transaction. A plain insert:
    /// for rows that cannot be there already (the blocking keys of identities created in that transaction).
    /// </summary>
    public static async Task CopyInt64PairsAsync(IdentityRefDbContext db, string table, string first, string second, (long First, long Second)[] rows,
        CancellationToken cancellationToken)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {sql.DelimitIdentifier(table)} ({sql.DelimitIdentifier(first)}, {sql.DelimitIdentifier(second)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var (a, b) in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(a, NpgsqlTypes.NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(b, NpgsqlTypes.NpgsqlDbType.Bigint, cancellationToken);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>The table and its column list, as an INSERT or a COPY names them.</summary>
    private static string Target(StoreObjectIdentifier table, List<IProperty> properties, ISqlGenerationHelper sql) =>
        $"{sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))})";

    /// <summary>A property's value as the database stores it: through the EF model's value converter, as SaveChanges does.</summary>
    private static Func<object, object?> ProviderValue(IProperty property)
    {
        var getter = property.GetGetter();
        var converter = property.GetRelationalTypeMapping().Converter;
        return entity =>
        {
            var value = getter.GetClrValue(entity);
            return converter is null || value is null ? value : converter.ConvertToProvider(value);
        };
    }

    private static Type ProviderType(IProperty property)
    {
        var mapping = property.GetRelationalTypeMapping();
        var type = mapping.Converter?.ProviderClrType ?? mapping.ClrType;
        return Nullable.GetUnderlyingType(type) ?? type;
    }

    // The provider types SQLite's own calls bind exactly as Microsoft.Data.Sqlite does (BulkInsertTests compares the rows
    // both write, column by column); an entity with any other type goes through Microsoft.Data.Sqlite.
    private static bool RawBindable(Type type) =>
        type == typeof(string) || type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte)
        || type == typeof(bool) || type == typeof(double) || type == typeof(Guid) || type == typeof(DateOnly) || type == typeof(byte[]);

    /// <summary>
    /// SQLite: one statement prepared once on SQLite's own handle, every column bound by position, stepped and reset, in the
    /// context's transaction. Microsoft.Data.Sqlite looks every parameter up by name (a linear search of the statement's
    /// names) and builds a command and a data reader around every execution: for the thirty-odd columns of an identity that
    /// cost more than SQLite's own insert (docs/import.md).
    /// </summary>
    private static void InsertRaw(IdentityRefDbContext db, StoreObjectIdentifier table, List<IProperty> properties, ISqlGenerationHelper sql, IEnumerable<object> entities)
    {
        var handle = SqliteHandle(db);
        var text = $"INSERT INTO {Target(table, properties, sql)} VALUES ({string.Join(", ", properties.Select((_, i) => "?" + (i + 1)))})";
        var getters = properties.Select(ProviderValue).ToArray();
        Check(raw.sqlite3_prepare_v2(handle, text, out var statement), handle);
        using (statement)
        {
            foreach (var entity in entities)
            {
                for (var i = 0; i < getters.Length; i++)
                {
                    Check(Bind(statement, i + 1, getters[i](entity)), handle);
                }
                StepOnce(statement, handle);
            }
        }
    }

    private static int Bind(sqlite3_stmt statement, int index, object? value) => value switch
    {
        null => raw.sqlite3_bind_null(statement, index),
        string s => raw.sqlite3_bind_text(statement, index, s),
        long l => raw.sqlite3_bind_int64(statement, index, l),
        int i => raw.sqlite3_bind_int64(statement, index, i),
        short h => raw.sqlite3_bind_int64(statement, index, h),
        byte b => raw.sqlite3_bind_int64(statement, index, b),
        bool b => raw.sqlite3_bind_int64(statement, index, b ? 1 : 0),
        double d when !double.IsNaN(d) => raw.sqlite3_bind_double(statement, index, d),
        // As Microsoft.Data.Sqlite binds them: a GUID as upper-case text, a date as yyyy-MM-dd.
        Guid g => raw.sqlite3_bind_text(statement, index, g.ToString().ToUpperInvariant()),
        DateOnly d => raw.sqlite3_bind_text(statement, index, d.ToString("yyyy\\-MM\\-dd", System.Globalization.CultureInfo.InvariantCulture)),
        byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
        _ => throw new InvalidOperationException($"BulkInsert cannot bind a {value.GetType().Name} value."),
    };

    /// <summary>
    /// SQLite only: runs <paramref name="sql"/> (an INSERT with two integer parameters, ?1 and ?2) once per row, on SQLite's
    /// own handle of the context's connection, inside its current transaction. One statement prepared once, parameters bound
    /// by position, stepped and reset: Microsoft.Data.Sqlite adds a command, a data reader and a parameter lookup by name
    /// around every execution, which cost as much as SQLite's own insert for the 20-odd blocking keys of each imported
    /// identity (docs/import.md).
    /// </summary>
    public static void InsertInt64Pairs(IdentityRefDbContext db, string sql, ReadOnlySpan<(long First, long Second)> rows)
    {
        var handle = SqliteHandle(db);
        Check(raw.sqlite3_prepare_v2(handle, sql, out var statement), handle);
        using (statement)
        {
            foreach (var (first, second) in rows)
            {
                Check(raw.sqlite3_bind_int64(statement, 1, first), handle);
                Check(raw.sqlite3_bind_int64(statement, 2, second), handle);
                StepOnce(statement, handle);
            }
        }
    }

    /// <summary>
    /// Inserts the <c>identity_keys</c> rows of the identities that have none yet, in the context's current transaction, and
    /// returns the numbers of the rows inserted (a row already there is left as it is). SQLite: one statement prepared on its
    /// own handle, stepped per row, the row counted as inserted when it changed one; PostgreSQL: 10,000 rows per statement
    /// as two arrays, <c>RETURNING</c> the numbers that went in.
    /// </summary>
    public static async Task<HashSet<long>> InsertKeyListsIfAbsentAsync(IdentityRefDbContext db, IReadOnlyList<IdentityKeyList> lists,
        CancellationToken cancellationToken)
    {
        var added = new HashSet<long>(lists.Count);
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            var handle = SqliteHandle(db);
            Check(raw.sqlite3_prepare_v2(handle, "INSERT INTO identity_keys (\"IdentityNumber\", \"Keys\") VALUES (?1, ?2) ON CONFLICT DO NOTHING", out var statement), handle);
            using (statement)
            {
                foreach (var list in lists)
                {
                    Check(raw.sqlite3_bind_int64(statement, 1, list.IdentityNumber), handle);
                    Check(raw.sqlite3_bind_blob(statement, 2, list.Keys), handle);
                    StepOnce(statement, handle);
                    if (raw.sqlite3_changes(handle) == 1)
                    {
                        added.Add(list.IdentityNumber);
                    }
                }
            }
            return added;
        }
        foreach (var chunk in lists.Chunk(10_000))
        {
            var numbers = new NpgsqlParameter("numbers", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint)
            {
                Value = chunk.Select(l => l.IdentityNumber).ToArray(),
            };
            var keys = new NpgsqlParameter("keys", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bytea)
            {
                Value = chunk.Select(l => l.Keys).ToArray(),
            };
            await foreach (var number in db.Database.SqlQueryRaw<long>(
                               "INSERT INTO identity_keys (\"IdentityNumber\", \"Keys\") SELECT * FROM unnest(@numbers, @keys) ON CONFLICT DO NOTHING RETURNING \"IdentityNumber\" AS \"Value\"",
                               numbers, keys).AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                added.Add(number);
            }
        }
        return added;
    }

    private static sqlite3 SqliteHandle(IdentityRefDbContext db)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open || db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A raw SQLite insert runs inside the context's open transaction.");
        }
        return connection.Handle!;
    }

    private static void Check(int rc, sqlite3 handle) => SqliteException.ThrowExceptionForRC(rc, handle);

    /// <summary>Runs a bound insert once and resets it for the next row; any result but done (a broken constraint, a full disk) throws.</summary>
    private static void StepOnce(sqlite3_stmt statement, sqlite3 handle)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc, handle);
        }
    }
}
