using IdentityRef.Domain.Traits;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Import;

/// <summary>
/// Writes many new identities at once (import, seed): one transaction per batch, IPPs reserved as a block,
/// an audit line and the identifiers saved with each identity. With <paramref name="deferMatchKeys"/> the blocking keys
/// are left to <see cref="CompleteAsync"/>, which writes them for every batch in one sorted pass: a million identities
/// times fifteen to twenty-five keys written batch by batch land on random pages of a growing index. Deferred keys leave
/// the identities of an interrupted writer invisible to check-before-create until a later build: the seed (demonstration
/// data) accepts that; the import does not, and uses <paramref name="keysInBatch"/>: each batch's keys, computed on every
/// core and sorted in the primary key's order, are written by multi-row prepared statements in the batch's own
/// transaction, so that a committed identity always has its keys (docs/import.md).
/// </summary>
public sealed class IdentityBatch(IServiceProvider services, bool deferMatchKeys = false, bool keysInBatch = false) : IAsyncDisposable
{
    // With keysInBatch: one scope and one open connection for every batch, so that SQLite's page cache of the key
    // indexes survives from one batch to the next (a connection opened again gets the default cache size back).
    private AsyncServiceScope? _scope;

    private readonly List<MatchRow> _unkeyed = [];
    private int _unkeyedBatches;

    /// <summary>Time spent writing identities, identifiers and audit lines (and the listeners' rows); where the import's time goes.</summary>
    public TimeSpan RowTime { get; private set; }

    /// <summary>Time spent computing, sorting and writing blocking keys in the batches (<c>keysInBatch</c>).</summary>
    public TimeSpan KeyTime { get; private set; }

    /// <summary>The part of <see cref="KeyTime"/> spent computing and sorting the keys (the rest is writing them).</summary>
    public TimeSpan KeyComputeTime { get; private set; }

    public TimeSpan CommitTime { get; private set; }

    public long KeysWritten { get; private set; }

    /// <summary>SQLite page cache of the import's connection (KiB): room for most of the key indexes' pages at a million identities.</summary>
    private const int KeyBatchCacheKiB = 512 * 1024;

    public sealed record NewIdentity(ValidatedTraits Traits, string? ExternalSystem, string? ExternalId, Action<Identity, DateTimeOffset>? Then = null);

    // With keysInBatch: the transaction a write left open (commit: false), committed by CommitAsync or a later write.
    private Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? _open;

    /// <summary>
    /// Writes the identities in one transaction. With <paramref name="commit"/> false (keysInBatch only) the transaction stays
    /// open and the next write goes on in it, until a write with <paramref name="commit"/> true or <see cref="CommitAsync"/>:
    /// the import holds one transaction for a large batch while it reads, checks and writes it in small chunks (bounded memory).
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<NewIdentity> batch, Actor actor, string action, CancellationToken cancellationToken, bool commit = true)
    {
        if (!commit && !keysInBatch)
        {
            throw new InvalidOperationException("Only a writer with keysInBatch keeps its transaction open between writes.");
        }
        AsyncServiceScope? own = null;
        IServiceProvider provider;
        if (keysInBatch)
        {
            if (_scope is null)
            {
                _scope = services.CreateAsyncScope();
                var shared = _scope.Value.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
                await shared.Database.OpenConnectionAsync(cancellationToken);
                if (shared.Provider == DatabaseProvider.Sqlite)
                {
                    // Each batch's keys land all over the key indexes: a page cache that holds more of them saves reading
                    // the same pages again batch after batch.
                    await shared.Database.ExecuteSqlRawAsync($"PRAGMA cache_size = -{KeyBatchCacheKiB}", cancellationToken);
                }
            }
            provider = _scope.Value.ServiceProvider;
        }
        else
        {
            own = services.CreateAsyncScope();
            provider = own.Value.ServiceProvider;
        }
        await using var disposeOwn = own;
        var db = provider.GetRequiredService<IdentityRefDbContext>();
        var clock = provider.GetRequiredService<TimeProvider>();
        var ipps = provider.GetRequiredService<IppAllocator>();
        var listeners = provider.GetServices<IIdentityChangeListener>().Where(l => !((deferMatchKeys || keysInBatch) && l is MatchKeyIndex)).ToList();
        db.ChangeTracker.AutoDetectChangesEnabled = false;

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var transaction = _open ?? await db.Database.BeginTransactionAsync(cancellationToken);
        // Left open: DisposeAsync rolls it back if anything fails before it is committed.
        _open = commit ? null : transaction;
        await using var disposeTransaction = commit ? transaction : null;
        var first = await ipps.AllocateAsync(db, batch.Count, cancellationToken);
        var firstNumber = await IdentityNumbers.AllocateAsync(db, batch.Count, cancellationToken);
        var now = clock.GetUtcNow();
        var created = new List<Identity>(batch.Count);
        var identifiers = new List<IdentityIdentifier>();
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            // Time-ordered ids (version 7): a batch's identities, identifiers and audit lines land at the end of the indexes on
            // the identity id instead of on a random page each (the text and the uuid forms both sort by creation time).
            var identity = Identity.Create(Guid.CreateVersion7(now), IppAllocator.Format(first + i), item.Traits.Strict, item.Traits.Complementary, item.Traits.DeclaredIns, now);
            identity.AssignNumber(firstNumber + i);
            item.Then?.Invoke(identity, now);
            created.Add(identity);
            if (item.ExternalId is not null)
            {
                identifiers.Add(new IdentityIdentifier { IdentityId = identity.Id, System = item.ExternalSystem!, Value = item.ExternalId, CreatedAt = now });
            }
        }
        // The identities, their identifiers and audit lines go in through prepared statements (change tracking would
        // dominate a million-row import); so do the rows the listeners add (outbox, match keys), in the same transaction.
        if (deferMatchKeys)
        {
            await MatchKeyBuild.MarkPendingAsync(db, cancellationToken);
        }
        await BulkInsert.InsertAsync(db, created, cancellationToken);
        await BulkInsert.InsertAsync(db, identifiers, cancellationToken);
        await BulkInsert.InsertAsync(db, created.Select(identity => AuditRecorder.Entry(identity, action, before: null, actor, now)), cancellationToken);
        if (keysInBatch)
        {
            RowTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
            started = System.Diagnostics.Stopwatch.GetTimestamp();
            var keys = MatchKeyBuild.SortedKeysOf(created);
            KeyComputeTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
            await MatchKeyBuild.InsertSortedAsync(db, keys, cancellationToken);
            KeysWritten += keys.Entries.LongLength;
            KeyTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
            started = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        foreach (var listener in listeners)
        {
            await listener.OnChangesAsync(db, created, cancellationToken);
        }
        await BulkInsert.SaveChangesInBulkAsync(db, cancellationToken);
        foreach (var listener in listeners)
        {
            await listener.OnSavedAsync(db, cancellationToken);
        }
        foreach (var identity in created)
        {
            identity.ClearEvents();
        }
        RowTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        db.ChangeTracker.Clear();
        if (commit)
        {
            started = System.Diagnostics.Stopwatch.GetTimestamp();
            await transaction.CommitAsync(cancellationToken);
            CommitTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }
        if (deferMatchKeys)
        {
            _unkeyed.AddRange(created.Select(MatchRow.Of));
            _unkeyedBatches++;
        }
    }

    /// <summary>
    /// Writes the blocking keys of the identities this writer's batches left aside, in one sorted pass. Until then
    /// check-before-create does not see them: call it before the command ends. (Identities of an interrupted writer are
    /// keyed by the next full detection, see <see cref="MatchKeyBuild.PendingCounter"/>.)
    /// </summary>
    public async Task<(int Identities, long Keys)> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_unkeyedBatches == 0)
        {
            return (0, 0);
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var built = await MatchKeyBuild.BuildWrittenAsync(db, _unkeyed, _unkeyedBatches, cancellationToken);
        _unkeyed.Clear();
        _unkeyedBatches = 0;
        return built;
    }

    /// <summary>Commits the transaction the last write left open (<c>commit: false</c>), if any.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_open is { } transaction)
        {
            _open = null;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await using (transaction)
            {
                await transaction.CommitAsync(cancellationToken);
            }
            CommitTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }
    }

    /// <summary>A transaction left open and not committed is rolled back: its rows were never written.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_open is { } open)
        {
            _open = null;
            await open.DisposeAsync();
        }
        if (_scope is { } scope)
        {
            _scope = null;
            await scope.DisposeAsync();
        }
    }

    /// <summary>
    /// Keys the identities that a bulk writer with deferred keys left without them (a seed or an import of an earlier version,
    /// interrupted): a no-op unless some may exist (<see cref="MatchKeyBuild.AnyMissingAsync"/>).
    /// </summary>
    public async Task<(int Identities, long Keys)> KeyMissingAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        return await MatchKeyBuild.AnyMissingAsync(db, cancellationToken) ? await MatchKeyBuild.BuildMissingAsync(db, cancellationToken) : (0, 0);
    }

    /// <summary>The external ids of a domain already in the base, so that a second import does not duplicate them.</summary>
    public async Task<HashSet<string>> ExistingExternalIdsAsync(string system, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        return (await db.Identifiers.AsNoTracking().Where(i => i.System == system).Select(i => i.Value).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The strict traits of the identities that hold these external ids of a domain, so that a re-run can tell a row an
    /// earlier run committed from another person given the same id. Asked only for the ids that collide, in chunks.
    /// </summary>
    public async Task<Dictionary<string, StrictTraits>> StrictTraitsOfAsync(string system, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, StrictTraits>(StringComparer.Ordinal);
        if (externalIds.Count == 0)
        {
            return found;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        foreach (var chunk in externalIds.Chunk(1000))
        {
            var rows = await db.Identifiers.AsNoTracking().Where(x => x.System == system && chunk.Contains(x.Value))
                .Join(db.Identities, x => x.IdentityId, i => i.Id,
                    (x, i) => new { x.Value, i.BirthName, i.FirstNames, i.FirstName, i.BirthDate, i.BirthDateCorrected, i.Sex, i.BirthPlaceCode })
                .ToListAsync(cancellationToken);
            foreach (var r in rows)
            {
                found[r.Value] = new StrictTraits(r.BirthName, r.FirstNames, r.FirstName, new BirthDate(r.BirthDate, r.BirthDateCorrected), r.Sex, r.BirthPlaceCode);
            }
        }
        return found;
    }
}
