using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Patients;

/// <summary>
/// The one way an identity change reaches the database: the change and its audit line are saved in one
/// transaction (and, with the broadcast, its outgoing messages), so there is no change without its trace.
/// </summary>
public sealed class IdentityWriter(IdentityRefDbContext db, TimeProvider clock, IEnumerable<IIdentityChangeListener> listeners)
{
    public async Task SaveAsync(Identity identity, string action, IReadOnlyDictionary<string, string?>? before, Actor actor, object? details,
        CancellationToken cancellationToken)
    {
        await SaveAsync([(identity, action, before)], actor, details, cancellationToken);
    }

    public async Task SaveAsync(IReadOnlyList<(Identity Identity, string Action, IReadOnlyDictionary<string, string?>? Before)> changes, Actor actor,
        object? details, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var (identity, action, before) in changes)
        {
            AuditRecorder.Record(db, identity, action, before, actor, now, details);
        }
        foreach (var listener in listeners)
        {
            await listener.OnChangesAsync(db, changes.Select(c => c.Identity).ToList(), cancellationToken);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException && DatabaseFaults.IsUniqueViolationOn(e, "match_keys", "identity_keys", "identifiers"))
        {
            // An identity's key rows carry its store number: only another change of the same identity, saved since this one read
            // it, writes the same ones. On PostgreSQL that insert fails before the version-checked update would: the same answer.
            // An identifier (a sender's, another domain's) taken meanwhile by another unit of work is a concurrent change too: read
            // again, the work finds its owner (the inbound feed applies the message again, an API caller gets 409), never an AE.
            throw new DbUpdateConcurrencyException("Another change was saved first.", e);
        }
        foreach (var listener in listeners)
        {
            await listener.OnSavedAsync(db, cancellationToken);
        }
        foreach (var (identity, _, _) in changes)
        {
            identity.ClearEvents();
        }
    }
}

/// <summary>
/// Something that must happen in the same transaction as an identity change (the outbox of the broadcast,
/// the blocking keys of duplicate detection). Adds its rows to the unit of work; never saves.
/// </summary>
public interface IIdentityChangeListener
{
    /// <summary>Before the save: adds the listener's rows to the unit of work.</summary>
    Task OnChangesAsync(IdentityRefDbContext db, IReadOnlyList<Identity> changed, CancellationToken cancellationToken);

    /// <summary>
    /// After the save succeeded, still inside the caller's transaction: writes what the listener left for this moment in
    /// <see cref="OnChangesAsync"/> (the blocking keys of new identities, written by SQLite's own statement rather than as
    /// tracked entities). Whoever calls <see cref="OnChangesAsync"/> calls this after its save, in the same transaction.
    /// </summary>
    Task OnSavedAsync(IdentityRefDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;
}
