using IdentityRef.Application.Qualification;
using IdentityRef.Application.WorkItems;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Dashboard;

/// <summary>One subscription's line of "santé des flux".</summary>
/// <param name="Waiting">Messages waiting for their turn or sent without an ACK yet.</param>
/// <param name="OldestUndelivered">Age of the oldest message still in the queue (waiting, sent or in error); parked ones are set aside and not counted.</param>
public sealed record FlowHealth(Guid Id, string Name, bool Enabled, int Waiting, int Errors, int Parked, TimeSpan? OldestUndelivered);

/// <summary>How many identities reached QUAL on one day (local time of the server).</summary>
public sealed record QualifiedOnDay(DateOnly Day, int Count);

/// <summary>The home page's counts: identities by status, what waits for someone, the vigilance queue, work items.</summary>
public sealed record HomeCounts(IReadOnlyList<(IdentityStatus Status, int Count)> ByStatus, int DoubtfulOrFictitious, int PendingInsiAnswers, int InsiErrorsLastDay);

/// <summary>The home dashboard's figures (the page asks only for what the user's role may see).</summary>
public sealed class HomeDashboard(IdentityRefDbContext db, TimeProvider clock)
{
    public async Task<HomeCounts> CountsAsync(CancellationToken cancellationToken)
    {
        var active = db.Identities.AsNoTracking().Where(i => i.MergedIntoId == null);
        var counts = await active.GroupBy(i => i.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var byStatus = Enum.GetValues<IdentityStatus>().Select(s => (s, counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0)).ToList();
        var flagged = (int)(IdentityAttributes.Douteuse | IdentityAttributes.Fictive);
        var doubtful = await active.CountAsync(i => ((int)i.Attributes & flagged) != 0, cancellationToken);
        var pending = await db.InsiCalls.CountAsync(c => c.Outcome == "00" && c.Decision == null, cancellationToken);
        var since = clock.GetUtcNow().AddDays(-1);
        var errors = await db.InsiCalls.CountAsync(c => (c.Outcome == InsiCallOutcomes.Error || c.Outcome == InsiCallOutcomes.Unavailable) && c.CalledAt >= since, cancellationToken);
        return new HomeCounts(byStatus, doubtful, pending, errors);
    }

    /// <summary>Pairs of the vigilance queue not yet resolved: duplicates, collisions, in review.</summary>
    public async Task<(int Duplicates, int Collisions, int InReview)> OpenPairsAsync(CancellationToken cancellationToken)
    {
        var pairs = db.DuplicateItems.AsNoTracking().Where(d => d.State != DuplicateStates.Resolved);
        return (await pairs.CountAsync(d => d.Kind == DuplicateKinds.Duplicate, cancellationToken),
            await pairs.CountAsync(d => d.Kind == DuplicateKinds.Collision, cancellationToken),
            await pairs.CountAsync(d => d.State == DuplicateStates.InReview, cancellationToken));
    }

    /// <summary>The work items not yet resolved, by kind, of the kinds <paramref name="access"/> handles.</summary>
    public async Task<IReadOnlyList<(string Kind, int Count)>> OpenWorkItemsAsync(WorkItemAccess access, CancellationToken cancellationToken)
    {
        var items = await access.Visible(db.WorkItems.AsNoTracking()).Where(w => w.State != WorkItem.Resolved).GroupBy(w => w.Kind)
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return items.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => (i.Key, i.Count)).ToList();
    }

    private static readonly string[] InQueue = [OutboxStates.Pending, OutboxStates.Sent, OutboxStates.Error];

    public async Task<IReadOnlyList<FlowHealth>> FlowHealthAsync(CancellationToken cancellationToken)
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
    public async Task<IReadOnlyList<QualifiedOnDay>> QualifiedPerDayAsync(int days, CancellationToken cancellationToken)
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
