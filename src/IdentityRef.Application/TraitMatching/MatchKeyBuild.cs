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
/// order (sorted by key, so the primary key grows at its end instead of at a random page per row) and, for a
/// large build, the secondary index on the identity, dropped and created again once the rows are in.
/// </summary>
public static class MatchKeyBuild
{
    /// <summary>From this many new rows on, re-creating the identity index is cheaper than maintaining it row by row.</summary>
    public const int DefaultRebuildIndexFrom = 200_000;

    private const string IdentityIndex = "IX_match_keys_IdentityId";

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
        || (!await db.MatchKeys.AnyAsync(cancellationToken) && await db.Identities.AnyAsync(i => i.MergedIntoId == null, cancellationToken));

    // Rows per INSERT statement: 2 parameters each, well under every provider's parameter limit.
    private const int RowsPerStatement = 500;

    /// <summary>
    /// Keys every active identity that has none (an interrupted bulk write leaves identities without keys: the next
    /// build completes them). One transaction. Returns the number of identities keyed and of keys written.
    /// </summary>
    /// <param name="rebuildIndexFrom">From this many keys on, the identity index is dropped and created again around the inserts.</param>
    public static async Task<(int Identities, long Keys)> BuildMissingAsync(IdentityRefDbContext db, CancellationToken cancellationToken,
        int rebuildIndexFrom = DefaultRebuildIndexFrom)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var seen = await db.Counters.AsNoTracking().Where(c => c.Name == PendingCounter).Select(c => (long?)c.Next).FirstOrDefaultAsync(cancellationToken);
            var rows = await MatchRows.WithoutKeysAsync(db, cancellationToken);
            return await BuildAsync(db, rows, rebuildIndexFrom, async () =>
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
    /// off the pending count, in one transaction. Rows already keyed meanwhile (the identity was changed through the API,
    /// or a whole-base build ran) are skipped by the primary key.
    /// </summary>
    public static async Task<(int Identities, long Keys)> BuildWrittenAsync(IdentityRefDbContext db, IReadOnlyList<MatchRow> written, int batches,
        CancellationToken cancellationToken, int rebuildIndexFrom = DefaultRebuildIndexFrom)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            return await BuildAsync(db, written, rebuildIndexFrom, () => db.Database.ExecuteSqlInterpolatedAsync(
                $"""UPDATE counters SET "Next" = CASE WHEN "Next" > {batches} THEN "Next" - {batches} ELSE 0 END WHERE "Name" = {PendingCounter}""",
                cancellationToken), cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Writes the keys of new identities in the caller's transaction (a batch of the import): the keys are computed on every
    /// core, then inserted in the primary key's order by multi-row prepared statements. Returns the number of keys written.
    /// </summary>
    public static async Task<long> InsertKeysOfAsync(IdentityRefDbContext db, IReadOnlyList<Identity> identities, CancellationToken cancellationToken)
    {
        var (entries, ids, texts) = SortedEntries(identities.Select(MatchRow.Of).ToList());
        object[] idValues = db.Provider == DatabaseProvider.Sqlite ? texts : ids.Cast<object>().ToArray();
        await InsertAsync(db, entries, idValues, cancellationToken);
        return entries.LongLength;
    }

    /// <summary>
    /// The keys of the rows as (key, rank of the identity) in the order of the primary key. SQLite orders it by (key,
    /// identity id as upper-case text): the identities are sorted that way once, so that entries by (key, rank) give the
    /// same order with integer comparisons only.
    /// </summary>
    private static ((long Key, int Rank)[] Entries, Guid[] Ids, string[] Texts) SortedEntries(IReadOnlyList<MatchRow> rows)
    {
        var ids = rows.Select(r => r.Id).ToArray();
        var texts = ids.Select(id => id.ToString().ToUpperInvariant()).ToArray();
        Array.Sort(texts, ids, StringComparer.Ordinal);
        var byId = rows.ToDictionary(r => r.Id);
        var perIdentity = new long[ids.Length][];
        Parallel.For(0, ids.Length, i => perIdentity[i] = [.. IdentityMatching.KeyHashes(byId[ids[i]].ToRecord())]);
        var entries = new (long Key, int Rank)[perIdentity.Sum(k => (long)k.Length)];
        var position = 0;
        for (var i = 0; i < perIdentity.Length; i++)
        {
            foreach (var key in perIdentity[i])
            {
                entries[position++] = (key, i);
            }
            perIdentity[i] = [];
        }
        Array.Sort(entries);
        return (entries, ids, texts);
    }

    private static async Task<(int Identities, long Keys)> BuildAsync(IdentityRefDbContext db, IReadOnlyList<MatchRow> rows, int rebuildIndexFrom,
        Func<Task> beforeCommit, CancellationToken cancellationToken)
    {
        var (entries, ids, texts) = SortedEntries(rows);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rebuildIndex = entries.Length > 0 && entries.Length >= rebuildIndexFrom;
        if (rebuildIndex)
        {
            await db.Database.ExecuteSqlRawAsync($"DROP INDEX IF EXISTS \"{IdentityIndex}\"", cancellationToken);
        }
        // SQLite stores the identity id as upper-case text (EF's mapping): bind the text computed for the sort.
        object[] idValues = db.Provider == DatabaseProvider.Sqlite ? texts : ids.Cast<object>().ToArray();
        await InsertAsync(db, entries, idValues, cancellationToken);
        if (rebuildIndex)
        {
            await db.Database.ExecuteSqlRawAsync($"CREATE INDEX \"{IdentityIndex}\" ON match_keys (\"IdentityId\")", cancellationToken);
        }
        await beforeCommit();
        await transaction.CommitAsync(cancellationToken);
        return (ids.Length, entries.LongLength);
    }

    private static async Task InsertAsync(IdentityRefDbContext db, (long Key, int Rank)[] entries, object[] ids, CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(MatchKey))!;
        // The parameters carry the EF type mappings, so the values are stored exactly as SaveChanges stores them.
        var keyMapping = entity.FindProperty(nameof(MatchKey.Key))!.GetRelationalTypeMapping();
        var idMapping = entity.FindProperty(nameof(MatchKey.IdentityId))!.GetRelationalTypeMapping();
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < entries.Length; start += RowsPerStatement)
            {
                var count = Math.Min(RowsPerStatement, entries.Length - start);
                DbCommand command;
                if (count == RowsPerStatement)
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
                    var (key, rank) = entries[start + r];
                    command.Parameters[2 * r].Value = key;
                    command.Parameters[(2 * r) + 1].Value = ids[rank];
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
        var sql = new StringBuilder("INSERT INTO match_keys (\"Key\", \"IdentityId\") VALUES ");
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? string.Empty : ", ").Append($"(@k{r}, @i{r})");
            command.Parameters.Add(keyMapping.CreateParameter(command, $"@k{r}", 0L, nullable: false));
            command.Parameters.Add(idMapping.CreateParameter(command, $"@i{r}", Guid.Empty, nullable: false));
        }
        // A key the listener wrote meanwhile is the same row: keep it.
        command.CommandText = sql.Append(" ON CONFLICT DO NOTHING").ToString();
        await command.PrepareAsync(cancellationToken);
        return command;
    }
}
