using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Broadcast;

/// <summary>What the outbox housekeeping found: purged messages, parked ones, systems falling behind.</summary>
public sealed record OutboxHealth(int Purged, int Parked, IReadOnlyList<LaggingSubscription> Lagging);

public sealed record LaggingSubscription(Guid SubscriptionId, string Name, int Undelivered, DateTimeOffset OldestUndelivered);

/// <summary>
/// Keeps the outbox small and watched: acknowledged messages older than the retention are purged (the audit trail,
/// not the outbox, is the record of changes); parked messages and systems whose oldest undelivered message is older
/// than the lag threshold are reported for the integrators.
/// </summary>
public sealed class OutboxHousekeeping(IdentityRefDbContext db, IOptions<Hl7Options> options, TimeProvider clock)
{
    public async Task<OutboxHealth> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var settings = options.Value;
        var purgeBefore = now.AddDays(-settings.RetentionDays);
        var purged = await db.Outbox.Where(m => m.State == OutboxStates.Acknowledged && m.AcknowledgedAt < purgeBefore).ExecuteDeleteAsync(cancellationToken);
        var parked = await db.Outbox.CountAsync(m => m.State == OutboxStates.Parked, cancellationToken);

        var lagBefore = now.AddMinutes(-settings.LagAlertMinutes);
        var undelivered = await db.Outbox
            .Where(m => m.State == OutboxStates.Pending || m.State == OutboxStates.Sent || m.State == OutboxStates.Error)
            .GroupBy(m => m.SubscriptionId)
            .Select(g => new { SubscriptionId = g.Key, Count = g.Count(), Oldest = g.Min(m => m.Id) })
            .ToListAsync(cancellationToken);
        var oldestIds = undelivered.Select(u => u.Oldest).ToList();
        var oldest = await db.Outbox.Where(m => oldestIds.Contains(m.Id)).Select(m => new { m.SubscriptionId, m.CreatedAt }).ToListAsync(cancellationToken);
        var names = await db.Subscriptions.ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken);
        var lagging = oldest.Where(o => o.CreatedAt < lagBefore)
            .Select(o => new LaggingSubscription(o.SubscriptionId, names.GetValueOrDefault(o.SubscriptionId, "?"),
                undelivered.First(u => u.SubscriptionId == o.SubscriptionId).Count, o.CreatedAt))
            .OrderBy(l => l.Name)
            .ToList();
        return new OutboxHealth(purged, parked, lagging);
    }
}
