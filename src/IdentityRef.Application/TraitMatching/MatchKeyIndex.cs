using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.TraitMatching;

/// <summary>
/// Keeps <c>match_keys</c> in step with the identities, in the unit of work of each change: an active identity has
/// its blocking keys, a merged one none (so it is never proposed again until a merge is undone).
/// </summary>
/// <remarks>
/// A new identity on SQLite inside the caller's transaction (the desk's check-before-create, the inbound feed): its ~22
/// keys are not tracked entities (EF's change tracking and one command per row were most of the write half of a feed
/// message, docs/hl7.md) but rows written by the import's own writer (<see cref="MatchKeyBuild.InsertKeysOfAsync"/>: SQLite's own statement,
/// in the primary key's order), in <see cref="OnSavedAsync"/>: after SaveChanges succeeded, in the same transaction.
/// After, not before: SaveChanges inside a transaction rolls back to its own savepoint when it fails, and keys written
/// before it would outlive an identity that was never saved; written after, they exist only if the identity does, and
/// commit or roll back with it. There is no foreign key from <c>match_keys</c> (the store number only), so the order is free.
/// Without a transaction (nothing to hold the two writes together), on PostgreSQL (EF batches the rows into one command),
/// and for an identity that changes (traits, merge, unmerge: stale keys to remove), the keys stay tracked entities.
/// </remarks>
public sealed class MatchKeyIndex : IIdentityChangeListener
{
    // The new identities whose keys OnSavedAsync writes: those of the last OnChangesAsync of this unit of work.
    private readonly List<Identity> _afterSave = [];

    public async Task OnChangesAsync(IdentityRefDbContext db, IReadOnlyList<Identity> changed, CancellationToken cancellationToken)
    {
        // A save that failed leaves nothing here for the next one.
        _afterSave.Clear();
        var afterSave = db.Provider == DatabaseProvider.Sqlite && db.Database.CurrentTransaction is not null;
        // The keys name the identity by its store number: new identities get theirs now (a block from the counter).
        await IdentityNumbers.AssignAsync(db, changed, cancellationToken);
        var existing = new Dictionary<long, List<MatchKey>>();
        // One look at each entry (db.Entry detects the entity's changes: not free for an identity's thirty-odd properties).
        var identities = changed.DistinctBy(i => i.Id).Select(i => (Identity: i, Added: db.Entry(i).State == EntityState.Added)).ToList();
        // New identities have no keys yet: skip the lookup (import and seed write thousands at once).
        var known = identities.Where(i => !i.Added).Select(i => i.Identity.Number).Distinct().ToList();
        foreach (var chunk in known.Chunk(500))
        {
            foreach (var key in await db.MatchKeys.Where(k => chunk.Contains(k.IdentityNumber)).ToListAsync(cancellationToken))
            {
                (existing.TryGetValue(key.IdentityNumber, out var list) ? list : existing[key.IdentityNumber] = []).Add(key);
            }
        }
        foreach (var (identity, added) in identities)
        {
            if (afterSave && added)
            {
                if (identity.IsActive)
                {
                    _afterSave.Add(identity);
                }
                continue;
            }
            var wanted = identity.IsActive ? IdentityMatching.KeyHashes(IdentityMatching.ToRecord(identity)) : [];
            if (existing.TryGetValue(identity.Number, out var current))
            {
                foreach (var stale in current.Where(k => !wanted.Remove(k.Key)))
                {
                    db.MatchKeys.Remove(stale);
                }
            }
            foreach (var key in wanted)
            {
                db.MatchKeys.Add(new MatchKey { IdentityNumber = identity.Number, Key = key });
            }
        }
    }

    public async Task OnSavedAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        if (_afterSave.Count == 0)
        {
            return;
        }
        List<Identity> created = [.. _afterSave];
        _afterSave.Clear();
        // The import's writer: sorted in the primary key's order, SQLite's own statement on the context's connection, in its
        // open transaction (BulkInsert refuses to run without one).
        await MatchKeyBuild.InsertKeysOfAsync(db, created, cancellationToken);
    }
}
