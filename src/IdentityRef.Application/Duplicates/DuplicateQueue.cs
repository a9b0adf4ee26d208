using System.Text.Json;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Duplicates;

/// <summary>What detection found for one pair, ready to be queued.</summary>
public sealed record FoundPair(Guid A, Guid B, string Kind, string Class, double Score, PairExplanation Explanation);

/// <summary>The rules of the work queue: new pairs open an item, a sticky "not a duplicate" stays closed until a strict trait changes.</summary>
internal static class DuplicateQueue
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Record(DuplicateItem item, DateTimeOffset at, string by, string action, string? detail = null)
    {
        var decisions = JsonSerializer.Deserialize<List<DuplicateDecision>>(item.Decisions, Json) ?? [];
        decisions.Add(new DuplicateDecision(at, by, action, detail));
        item.Decisions = JsonSerializer.Serialize(decisions, Json);
        item.UpdatedAt = at;
    }

    /// <summary>
    /// Saves a decision of the cell. The item's state is its concurrency token: when another decision moved it since this
    /// one read it (or an identity's version moved), nothing is written and the rule is <c>item-changed</c>.
    /// </summary>
    public static async Task SaveDecisionAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new Domain.Common.DomainRuleException("item-changed", "The item or its identities changed meanwhile; read it again.");
        }
    }

    public static IReadOnlyList<DuplicateDecision> Decisions(DuplicateItem item) =>
        JsonSerializer.Deserialize<List<DuplicateDecision>>(item.Decisions, Json) ?? [];

    public enum Outcome
    {
        Created,
        Updated,
        Reopened,
        Unchanged,
    }

    /// <param name="strictChangedAt">When a strict trait of the identity last changed (for sticky decisions).</param>
    public static Outcome Apply(IdentityRefDbContext db, DuplicateItem? item, FoundPair found, Func<Guid, DateTimeOffset> strictChangedAt, DateTimeOffset now)
    {
        if (item is null)
        {
            var created = new DuplicateItem
            {
                IdentityA = found.A, IdentityB = found.B, Kind = found.Kind, Class = found.Class, Score = found.Score,
                Explanation = IdentityMatching.ToJson(found.Explanation), State = DuplicateStates.Open, CreatedAt = now, UpdatedAt = now, Decisions = "[]",
            };
            Record(created, now, "system:detection", "detected", $"{found.Kind} {found.Class}");
            db.DuplicateItems.Add(created);
            return Outcome.Created;
        }
        if (item.State == DuplicateStates.Resolved)
        {
            var reopen = item.Resolution switch
            {
                DuplicateResolutions.NotDuplicate => item.ResolvedAt is { } decided && (strictChangedAt(item.IdentityA) > decided || (item.IdentityB is { } b && strictChangedAt(b) > decided)),
                // linked on purpose: one person, two records kept apart until the cell unlinks them
                DuplicateResolutions.Linked => false,
                // Found again with both identities active: a merge undone elsewhere, or a pair that came back after a correction.
                _ => true,
            };
            if (!reopen)
            {
                return Outcome.Unchanged;
            }
            Refresh(item, found);
            Reopen(item, now, "system:detection", item.Resolution == DuplicateResolutions.NotDuplicate ? "a strict trait changed since the decision" : "found again");
            return Outcome.Reopened;
        }
        if (item.Kind == found.Kind && item.Class == found.Class && Math.Abs(item.Score - found.Score) < 1e-9)
        {
            return Outcome.Unchanged;
        }
        // A pair refused as a collision stays a collision whatever the scores say.
        Refresh(item, found);
        item.UpdatedAt = now;
        return Outcome.Updated;
    }

    /// <summary>Reopens a resolved item (the Domain's transition) and records why.</summary>
    public static void Reopen(DuplicateItem item, DateTimeOffset now, string by, string why)
    {
        item.Reopen();
        Record(item, now, by, "reopened", why);
    }

    /// <summary>Resolves the item (the Domain's transition: a resolved item is the rule error <c>item-resolved</c>) and records the decision.</summary>
    public static void Resolve(DuplicateItem item, string resolution, DateTimeOffset now, string by, string? detail)
    {
        item.Resolve(resolution, by, now);
        Record(item, now, by, resolution, detail);
    }

    private static void Refresh(DuplicateItem item, FoundPair found)
    {
        item.Kind = item.Kind == DuplicateKinds.Collision ? DuplicateKinds.Collision : found.Kind;
        item.Class = found.Class;
        item.Score = found.Score;
        item.Explanation = IdentityMatching.ToJson(found.Explanation);
    }
}

/// <summary>
/// Keeps the work queue true to merges, in their unit of work: a merged identity's open items become obsolete; an undone merge
/// reopens the item it resolved.
/// </summary>
public sealed class DuplicateQueueListener(TimeProvider clock) : IIdentityChangeListener
{
    public async Task OnChangesAsync(IdentityRefDbContext db, IReadOnlyList<Identity> changed, CancellationToken cancellationToken)
    {
        var merged = changed.SelectMany(i => i.Events.OfType<IdentityMerged>()).Select(e => e.IdentityId).ToList();
        var unmerged = changed.SelectMany(i => i.Events.OfType<IdentityUnmerged>()).ToList();
        if (merged.Count == 0 && unmerged.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var ids = merged.Concat(unmerged.Select(u => u.IdentityId)).ToList();
        var items = await db.DuplicateItems.Where(d => ids.Contains(d.IdentityA) || (d.IdentityB != null && ids.Contains(d.IdentityB.Value))).ToListAsync(cancellationToken);
        // the merges undone in this unit of work (MergeService.UndoAsync marks the tracked row before saving)
        var undone = db.Merges.Local.Where(m => m.UndoneAt is not null && unmerged.Any(u => u.IdentityId == m.MergedId && u.FormerSurvivorId == m.SurvivorId))
            .Select(m => m.Id).ToHashSet();
        bool ResolvedByUndone(DuplicateItem item) => item.MergeId is { } mergeId
            ? undone.Contains(mergeId)
            : item.IdentityB is { } b && unmerged.Any(u => (u.IdentityId == item.IdentityA && u.FormerSurvivorId == b) || (u.IdentityId == b && u.FormerSurvivorId == item.IdentityA));
        foreach (var item in items)
        {
            // Tracked items keep the state set in memory by the caller (the item being merged is resolved already).
            if (item.State != DuplicateStates.Resolved && (merged.Contains(item.IdentityA) || (item.IdentityB is { } mergedB && merged.Contains(mergedB))))
            {
                DuplicateQueue.Resolve(item, DuplicateResolutions.Obsolete, now, "system:merge", "one identity was merged");
            }
            // only the item of the merge undone: an item of the revived identity's own earlier merge still stands
            else if (item.State == DuplicateStates.Resolved && item.Resolution == DuplicateResolutions.Merged && ResolvedByUndone(item))
            {
                DuplicateQueue.Reopen(item, now, "system:merge", "the merge was undone");
            }
        }
    }
}
