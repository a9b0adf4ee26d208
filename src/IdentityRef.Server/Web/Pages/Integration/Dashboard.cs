using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Server.Web.Pages.Integration;

/// <summary>One subscription's line of "santé des flux".</summary>
/// <param name="Waiting">Messages waiting for their turn or sent without an ACK yet.</param>
/// <param name="OldestUndelivered">Age of the oldest message still in the queue (waiting, sent or in error); parked ones are set aside and not counted.</param>
public sealed record FlowHealth(Guid Id, string Name, bool Enabled, int Waiting, int Errors, int Parked, TimeSpan? OldestUndelivered);

/// <summary>How many identities reached QUAL on one day (local time of the server).</summary>
public sealed record QualifiedOnDay(DateOnly Day, int Count);

/// <summary>The dashboard's figures on the broadcast and on qualification.</summary>
public static class Dashboard
{
    private static readonly string[] InQueue = [OutboxStates.Pending, OutboxStates.Sent, OutboxStates.Error];

    public static async Task<IReadOnlyList<FlowHealth>> FlowHealthAsync(IdentityRefDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var subscriptions = await db.Subscriptions.AsNoTracking().OrderBy(s => s.Name).Select(s => new { s.Id, s.Name, s.Enabled }).ToListAsync(cancellationToken);
        var counts = await db.Outbox.Where(m => m.State != OutboxStates.Acknowledged).GroupBy(m => new { m.SubscriptionId, m.State })
            .Select(g => new { g.Key.SubscriptionId, g.Key.State, Count = g.Count() }).ToListAsync(cancellationToken);
        // Messages are delivered in id order per subscription: the smallest id still queued is the oldest.
        var oldestIds = await db.Outbox.Where(m => InQueue.Contains(m.State)).GroupBy(m => m.SubscriptionId)
            .Select(g => g.Min(m => m.Id)).ToListAsync(cancellationToken);
        var oldest = await db.Outbox.Where(m => oldestIds.Contains(m.Id)).Select(m => new { m.SubscriptionId, m.CreatedAt }).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        int Count(Guid id, params string[] states) => counts.Where(c => c.SubscriptionId == id && states.Contains(c.State)).Sum(c => c.Count);
        return subscriptions.Select(s => new FlowHealth(s.Id, s.Name, s.Enabled,
            Count(s.Id, OutboxStates.Pending, OutboxStates.Sent), Count(s.Id, OutboxStates.Error), Count(s.Id, OutboxStates.Parked),
            oldest.FirstOrDefault(o => o.SubscriptionId == s.Id) is { } o ? now - o.CreatedAt : null)).ToList();
    }

    /// <summary>Identities reaching QUAL per day over the last <paramref name="days"/> days, from the audit trail (every day listed, 0 included).</summary>
    public static async Task<IReadOnlyList<QualifiedOnDay>> QualifiedPerDayAsync(IdentityRefDbContext db, TimeProvider clock, int days, CancellationToken cancellationToken)
    {
        var zone = clock.LocalTimeZone;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
        var first = today.AddDays(1 - days);
        var since = clock.GetUtcNow().AddDays(-days - 1); // a day of margin for the time zone; filtered by local day below
        // The audit keeps the changed fields only: "status":"QUAL" in After is the change to QUAL itself. Identities loaded
        // already qualified (an import, the demonstration data) were not qualified here, and not on the day they were loaded.
        var times = await db.AuditTrail.AsNoTracking().Where(a => a.At >= since && a.After != null && a.After.Contains("\"status\":\"QUAL\"")
                && a.Action != "identity.seeded" && a.Action != "identity.imported")
            .Select(a => a.At).ToListAsync(cancellationToken);
        var perDay = times.Select(t => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, zone).DateTime)).Where(d => d >= first)
            .GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count());
        return Enumerable.Range(0, days).Select(i => first.AddDays(i)).Select(d => new QualifiedOnDay(d, perDay.GetValueOrDefault(d))).ToList();
    }
}
