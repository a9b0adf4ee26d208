using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.TraitMatching;

/// <summary>
/// Keeps <c>match_keys</c> and <c>identity_keys</c> in step with the identities, in the unit of work of each change: an
/// active identity has its blocking keys and one <c>identity_keys</c> row listing them, a merged one neither (so it is never
/// proposed again until a merge is undone).
/// </summary>
/// <remarks>
/// A new identity on SQLite inside the caller's transaction (the desk's check-before-create, the inbound feed): its ~22
/// keys and its list are not tracked entities (EF's change tracking and one command per row were most of the write half of
/// a feed message, docs/hl7.md) but rows written by the import's own writer (<see cref="MatchKeyBuild.InsertKeysOfAsync"/>:
/// SQLite's own statement, in the primary key's order), in <see cref="OnSavedAsync"/>: after SaveChanges succeeded, in the
/// same transaction. After, not before: SaveChanges inside a transaction rolls back to its own savepoint when it fails, and
/// keys written before it would outlive an identity that was never saved; written after, they exist only if the identity
/// does, and commit or roll back with it. There is no foreign key from the key tables (the store number only), so the
/// order is free. Without a transaction (nothing to hold the two writes together), on PostgreSQL (EF batches the rows into
/// one command), and for an identity that changes (traits, merge, unmerge), the rows stay tracked entities: the identity's
/// present keys are read from its <c>identity_keys</c> row (one row by primary key; <c>match_keys</c> has no index by
/// identity), the stale ones removed by their primary key, the new ones added, and the list replaced.
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
        var lists = new Dictionary<long, IdentityKeyList>();
        // One look at each entry (db.Entry detects the entity's changes: not free for an identity's thirty-odd properties).
        var identities = changed.DistinctBy(i => i.Id).Select(i => (Identity: i, Added: db.Entry(i).State == EntityState.Added)).ToList();
        // New identities have no keys yet: skip the lookup (import and seed write thousands at once).
        var known = identities.Where(i => !i.Added).Select(i => i.Identity.Number).Distinct().ToList();
        foreach (var chunk in known.Chunk(500))
        {
            foreach (var list in await db.IdentityKeys.Where(k => chunk.Contains(k.IdentityNumber)).ToListAsync(cancellationToken))
            {
                lists[list.IdentityNumber] = list;
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
            long[] wanted = identity.IsActive ? [.. IdentityMatching.KeyHashes(IdentityMatching.ToRecord(identity))] : [];
            Array.Sort(wanted);
            var list = lists.GetValueOrDefault(identity.Number);
            var current = list is null ? [] : IdentityKeyList.Decode(list.Keys);
            foreach (var stale in current.Except(wanted))
            {
                RemoveKey(db, stale, identity.Number);
            }
            foreach (var key in wanted.Except(current))
            {
                db.MatchKeys.Add(new MatchKey { IdentityNumber = identity.Number, Key = key });
            }
            if (!identity.IsActive)
            {
                if (list is not null)
                {
                    db.IdentityKeys.Remove(list);
                }
            }
            else if (list is null)
            {
                db.IdentityKeys.Add(new IdentityKeyList { IdentityNumber = identity.Number, Keys = IdentityKeyList.Encode(wanted) });
            }
            else if (!current.AsSpan().SequenceEqual(wanted))
            {
                db.Entry(list).Property(l => l.Keys).CurrentValue = IdentityKeyList.Encode(wanted);
            }
        }
    }

    /// <summary>Deletes one key row by its primary key: the tracked row if this unit of work holds it, else a stub.</summary>
    private static void RemoveKey(IdentityRefDbContext db, long key, long number)
    {
        if (db.MatchKeys.Local.FindEntryUntyped([key, number]) is { } entry)
        {
            // Added and not saved yet: never written, so nothing to delete.
            entry.State = entry.State == EntityState.Added ? EntityState.Detached : EntityState.Deleted;
            return;
        }
        db.MatchKeys.Remove(new MatchKey { IdentityNumber = number, Key = key });
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
