using System.Data.Common;
using System.Text;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace IdentityRef.Application.TraitMatching;

/// <summary>
/// Writes the blocking keys of many identities in one sorted pass: the path of bulk writers (seed, import), which
/// leave <see cref="MatchKeyIndex"/> aside, and of a base keyed before duplicate detection existed. The keys are
/// exactly those of <see cref="IdentityMatching.KeyHashes"/>, as the listener writes them; what changes is the
/// order (sorted by key, so the primary key grows at its end instead of at a random page per row). With the keys, each
/// identity's list of them goes into <c>identity_keys</c> (<see cref="IdentityKeyList"/>), in the same transaction.
/// </summary>
public static class MatchKeyBuild
{
    /// <summary>
    /// The number of batches bulk writers wrote without keys and have not keyed yet, incremented in the transaction of
    /// every such batch: above zero, some identities may lack keys (a writer still running, or one that was interrupted).
    /// A writer that keys its own identities takes its batches off; a whole-base build sets it to zero unless a batch was
    /// written since it looked. So full detection looks for identities without keys (an anti-join over the whole base:
    /// 14 s at a million) only when some may exist.
    /// </summary>
    public const string PendingCounter = "match-keys-pending";

    /// <summary>Marks, in the caller's transaction, one batch of identities written without keys.</summary>
    public static Task MarkPendingAsync(IdentityRefDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO counters ("Name", "Next") VALUES ({PendingCounter}, 1) ON CONFLICT ("Name") DO UPDATE SET "Next" = counters."Next" + 1""",
            cancellationToken);

    /// <summary>Whether some active identities may lack keys: a bulk write left them pending, or the base was never keyed.</summary>
    public static async Task<bool> AnyMissingAsync(IdentityRefDbContext db, CancellationToken cancellationToken) =>
        await db.Counters.AnyAsync(c => c.Name == PendingCounter && c.Next > 0, cancellationToken)
        || (!await db.IdentityKeys.AnyAsync(cancellationToken) && await db.Identities.AnyAsync(i => i.MergedIntoId == null, cancellationToken));

    // Rows per INSERT statement. PostgreSQL: 500 (2 parameters each, well under its limit), one round trip per 500 rows.
    // SQLite: one. Microsoft.Data.Sqlite binds every parameter by name (sqlite3_bind_parameter_index, a linear search of
    // the statement's names), so a statement of n rows costs n² lookups: 2.2 M sorted keys took 19.2 s of CPU at 500
    // rows per statement, 12.7 s at 4, 6.5 s at 1 (docs/import.md).
    private static int RowsPerStatement(IdentityRefDbContext db) => db.Provider == DatabaseProvider.Sqlite ? 1 : 500;

    /// <summary>
    /// Keys every active identity that has none (an interrupted bulk write leaves identities without keys: the next
    /// build completes them). One transaction. Returns the number of identities keyed and of keys written.
    /// </summary>
    public static async Task<(int Identities, long Keys)> BuildMissingAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var seen = await db.Counters.AsNoTracking().Where(c => c.Name == PendingCounter).Select(c => (long?)c.Next).FirstOrDefaultAsync(cancellationToken);
            var rows = await MatchRows.WithoutKeysAsync(db, cancellationToken);
            return await BuildAsync(db, rows, async () =>
            {
                if (seen is > 0)
                {
                    await db.Counters.Where(c => c.Name == PendingCounter && c.Next == seen).ExecuteUpdateAsync(u => u.SetProperty(c => c.Next, 0L), cancellationToken);
                }
            }, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Keys the identities a bulk writer wrote in <paramref name="batches"/> batches without keys, and takes those batches
    /// off the pending count, in one transaction. Identities keyed meanwhile (changed through the API, or a whole-base build
    /// ran) are left as they are: they have their <c>identity_keys</c> row, and keys of traits they may no longer hold are not added.
    /// </summary>
    public static async Task<(int Identities, long Keys)> BuildWrittenAsync(IdentityRefDbContext db, IReadOnlyList<MatchRow> written, int batches,
        CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await BuildAsync(db, written, () => db.Database.ExecuteSqlInterpolatedAsync(
                $"""UPDATE counters SET "Next" = CASE WHEN "Next" > {batches} THEN "Next" - {batches} ELSE 0 END WHERE "Name" = {PendingCounter}""",
                cancellationToken), cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Writes the keys of new identities, and their <c>identity_keys</c> rows, in the caller's transaction (a desk's or the
    /// feed's creation, after its save): the keys are computed on every core, then written in the primary key's order by
    /// <see cref="InsertSortedAsync"/>. The identities must have their store number (<see cref="Identity.Number"/>).
    /// </summary>
    public static Task InsertKeysOfAsync(IdentityRefDbContext db, IReadOnlyList<Identity> identities, CancellationToken cancellationToken) =>
        InsertSortedAsync(db, SortedKeysOf(identities), cancellationToken);

    /// <summary>The blocking keys of the identities, computed on every core: the rows of both key tables, in their primary keys' order.</summary>
    public static KeyRows SortedKeysOf(IReadOnlyList<Identity> identities) => SortedEntries(identities.Select(MatchRow.Of).ToList());

    /// <summary>
    /// Inserts keys sorted by <see cref="SortedKeysOf"/> and the identities' <c>identity_keys</c> rows in the caller's
    /// transaction, for identities created in it (the import's batches, a creation): no row of theirs can be there already,
    /// so the lists go in by <see cref="BulkInsert"/> (SQLite's own prepared statement; one binary <c>COPY</c> on PostgreSQL),
    /// and on PostgreSQL the keys by one <c>COPY</c> too.
    /// </summary>
    public static async Task InsertSortedAsync(IdentityRefDbContext db, KeyRows rows, CancellationToken cancellationToken)
    {
        await BulkInsert.InsertAsync(db, rows.Lists, cancellationToken);
        if (db.Provider == DatabaseProvider.PostgreSql)
        {
            await BulkInsert.CopyInt64PairsAsync(db, "match_keys", "Key", "IdentityNumber", rows.Entries, cancellationToken);
        }
        else
        {
            await InsertAsync(db, rows.Entries, cancellationToken);
        }
    }

    /// <summary>
    /// The rows of both key tables for some identities: <paramref name="Entries"/> of <c>match_keys</c> as (key, identity
    /// number) in its primary key's order; <paramref name="Lists"/>, one <c>identity_keys</c> row per identity, in number order.
    /// </summary>
    public sealed record KeyRows((long Key, long Number)[] Entries, IdentityKeyList[] Lists);

    /// <summary>The keys of the rows, in the order of each table's primary key.</summary>
    private static KeyRows SortedEntries(IReadOnlyList<MatchRow> rows)
    {
        if (rows.Any(r => r.Number <= 0))
        {
            throw new InvalidOperationException("Blocking keys are written for numbered identities only.");
        }
        var perIdentity = new long[rows.Count][];
        var lists = new IdentityKeyList[rows.Count];
        Parallel.For(0, rows.Count, i =>
        {
            long[] keys = [.. IdentityMatching.KeyHashes(rows[i].ToRecord())];
            Array.Sort(keys);
            perIdentity[i] = keys;
            lists[i] = new IdentityKeyList { IdentityNumber = rows[i].Number, Keys = IdentityKeyList.Encode(keys) };
        });
        var entries = new (long Key, long Number)[perIdentity.Sum(k => (long)k.Length)];
        var position = 0;
        for (var i = 0; i < perIdentity.Length; i++)
        {
            foreach (var key in perIdentity[i])
            {
                entries[position++] = (key, rows[i].Number);
            }
            perIdentity[i] = [];
        }
        Array.Sort(entries);
        Array.Sort(lists, (a, b) => a.IdentityNumber.CompareTo(b.IdentityNumber));
        return new KeyRows(entries, lists);
    }

    private static async Task<(int Identities, long Keys)> BuildAsync(IdentityRefDbContext db, IReadOnlyList<MatchRow> rows, Func<Task> beforeCommit,
        CancellationToken cancellationToken)
    {
        var sorted = SortedEntries(rows);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // An identity keyed since the rows were read (changed through the API, keyed by another build) has its list already:
        // it keeps it and its keys, which follow its traits of now; only the identities whose list goes in get these keys.
        var added = await BulkInsert.InsertKeyListsIfAbsentAsync(db, sorted.Lists, cancellationToken);
        var entries = sorted.Entries;
        if (added.Count < sorted.Lists.Length)
        {
            entries = [.. entries.Where(e => added.Contains(e.Number))];
        }
        await InsertAsync(db, entries, cancellationToken);
        await beforeCommit();
        await transaction.CommitAsync(cancellationToken);
        return (added.Count, entries.LongLength);
    }

    private static async Task InsertAsync(IdentityRefDbContext db, (long Key, long Number)[] entries, CancellationToken cancellationToken)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // SQLite's own handle, one prepared statement, parameters bound by position (BulkInsert.InsertInt64Pairs).
            // A key the listener wrote meanwhile is the same row: keep it.
            BulkInsert.InsertInt64Pairs(db, "INSERT INTO match_keys (\"Key\", \"IdentityNumber\") VALUES (?1, ?2) ON CONFLICT DO NOTHING", entries);
            return;
        }
        var entity = db.Model.FindEntityType(typeof(MatchKey))!;
        // The parameters carry the EF type mappings, so the values are stored exactly as SaveChanges stores them.
        var keyMapping = entity.FindProperty(nameof(MatchKey.Key))!.GetRelationalTypeMapping();
        var idMapping = entity.FindProperty(nameof(MatchKey.IdentityNumber))!.GetRelationalTypeMapping();
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        DbCommand? full = null;
        var rowsPerStatement = RowsPerStatement(db);
        try
        {
            for (var start = 0; start < entries.Length; start += rowsPerStatement)
            {
                var count = Math.Min(rowsPerStatement, entries.Length - start);
                DbCommand command;
                if (count == rowsPerStatement)
                {
                    full ??= await PrepareAsync(connection, transaction, keyMapping, idMapping, count, cancellationToken);
                    command = full;
                }
                else
                {
                    command = await PrepareAsync(connection, transaction, keyMapping, idMapping, count, cancellationToken);
                }
                for (var r = 0; r < count; r++)
                {
                    var (key, number) = entries[start + r];
                    command.Parameters[2 * r].Value = key;
                    command.Parameters[(2 * r) + 1].Value = number;
                }
                await command.ExecuteNonQueryAsync(cancellationToken);
                if (!ReferenceEquals(command, full))
                {
                    await command.DisposeAsync();
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    private static async Task<DbCommand> PrepareAsync(DbConnection connection, DbTransaction transaction, RelationalTypeMapping keyMapping,
        RelationalTypeMapping idMapping, int rows, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder("INSERT INTO match_keys (\"Key\", \"IdentityNumber\") VALUES ");
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? string.Empty : ", ").Append($"(@k{r}, @i{r})");
            command.Parameters.Add(keyMapping.CreateParameter(command, $"@k{r}", 0L, nullable: false));
            command.Parameters.Add(idMapping.CreateParameter(command, $"@i{r}", 0L, nullable: false));
        }
        // A key the listener wrote meanwhile is the same row: keep it.
        command.CommandText = sql.Append(" ON CONFLICT DO NOTHING").ToString();
        await command.PrepareAsync(cancellationToken);
        return command;
    }
}
