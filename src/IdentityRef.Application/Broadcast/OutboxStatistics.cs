using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Broadcast;

/// <summary>The backlog of one subscription: messages waiting (pending, sent without ACK, retrying), parked, and the age of the oldest waiting.</summary>
public sealed record OutboxBacklog(string Subscriber, long Pending, long Parked, TimeSpan OldestPendingAge);

/// <summary>
/// What the operators' gauges show, per subscription. Reads only the unfinished states (the index on
/// State, Id), never the acknowledged bulk of the outbox: cheap enough to run every few seconds.
/// </summary>
public sealed class OutboxStatistics(IdentityRefDbContext db, TimeProvider clock)
{
    private static readonly string[] Waiting = [OutboxStates.Pending, OutboxStates.Sent, OutboxStates.Error];

    public async Task<IReadOnlyList<OutboxBacklog>> BacklogAsync(CancellationToken cancellationToken)
    {
        var subscriptions = await db.Subscriptions.AsNoTracking().Select(s => new { s.Id, s.Name }).ToListAsync(cancellationToken);
        var counts = await db.Outbox.AsNoTracking()
            .Where(m => Waiting.Contains(m.State) || m.State == OutboxStates.Parked)
            .GroupBy(m => new { m.SubscriptionId, Parked = m.State == OutboxStates.Parked })
            .Select(g => new { g.Key.SubscriptionId, g.Key.Parked, Count = g.LongCount(), OldestId = g.Min(m => m.Id) })
            .ToListAsync(cancellationToken);
        // Ids grow with time: the oldest waiting message is the one with the smallest id.
        var oldestIds = counts.Where(c => !c.Parked).Select(c => c.OldestId).ToList();
        var oldest = await db.Outbox.AsNoTracking().Where(m => oldestIds.Contains(m.Id))
            .Select(m => new { m.SubscriptionId, m.CreatedAt }).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return subscriptions.Select(s =>
        {
            var waiting = counts.FirstOrDefault(c => c.SubscriptionId == s.Id && !c.Parked)?.Count ?? 0;
            var parked = counts.FirstOrDefault(c => c.SubscriptionId == s.Id && c.Parked)?.Count ?? 0;
            var since = oldest.FirstOrDefault(o => o.SubscriptionId == s.Id)?.CreatedAt;
            var age = since is { } at && at < now ? now - at : TimeSpan.Zero;
            return new OutboxBacklog(s.Name, waiting, parked, age);
        }).ToList();
    }
}
