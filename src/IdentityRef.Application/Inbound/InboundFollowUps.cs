using IdentityRef.Application.Jobs;
using IdentityRef.Persistence;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// What a refused inbound message leaves for the identity vigilance cell. The message's own transaction is rolled back
/// (nothing of it is written), so a handler that refuses a message the cell must know about raises its work item here;
/// the unit of work saves it after the rollback, in a transaction of its own.
/// </summary>
public sealed class InboundFollowUps(TimeProvider clock)
{
    private readonly List<(string Kind, Guid? IdentityId, object Details)> _pending = [];

    public void Raise(string kind, Guid? identityId, object details) => _pending.Add((kind, identityId, details));

    /// <summary>After the rollback: the change tracker still holds the refused message's entities, so it is cleared first.</summary>
    public async Task SaveAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }
        db.ChangeTracker.Clear();
        foreach (var (kind, identityId, details) in _pending)
        {
            await WorkItemRaiser.RaiseAsync(db, kind, identityId, details, clock.GetUtcNow(), cancellationToken);
        }
        _pending.Clear();
        await db.SaveChangesAsync(cancellationToken);
    }
}
