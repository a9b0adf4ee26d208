using IdentityRef.Domain.Common;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Patients;
using IdentityRef.Domain.Identities;
using IdentityRef.Application.Links;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Duplicates;

/// <summary>
/// The cell's decisions on a work item. A merge goes through <see cref="MergeService"/> (identity audit, A40), in one
/// transaction with the item; "not a duplicate" sticks until a strict trait of either identity changes. Every decision
/// is also recorded on the item. INSi contradictions have their own decisions in <see cref="InsiContradictions"/>.
/// </summary>
public sealed class DuplicateResolution(IdentityRefDbContext db, MergeService merges, LinkService links, TimeProvider clock)
{
    /// <summary>
    /// Merges the other identity of the pair into <paramref name="survivorId"/>, taking <paramref name="fromMerged"/> (trait names of
    /// <see cref="MergeTraits"/>) from the other identity; each trait taken is recorded on the item and in the identity audit.
    /// </summary>
    /// <param name="shownTag">The pair's tag as the cell saw it (<see cref="DuplicateQueries.PairTag"/>), or null not to check it.</param>
    /// <exception cref="DomainRuleException">item-resolved, identity-merged, pair-changed, identities-linked, ins-collision (the item then becomes a
    /// collision), merge-ins-traits, merge-anchored-traits.</exception>
    public async Task<Merge> MergeAsync(DuplicateItem item, Guid survivorId, Actor actor, string? comment, CancellationToken cancellationToken,
        IReadOnlyCollection<string>? fromMerged = null, string? shownTag = null)
    {
        EnsurePair(item);
        var mergedId = survivorId == item.IdentityA ? item.IdentityB!.Value : item.IdentityA;
        var survivor = await db.Identities.FirstAsync(i => i.Id == survivorId, cancellationToken);
        var merged = await db.Identities.FirstAsync(i => i.Id == mergedId, cancellationToken);
        var (a, b) = survivorId == item.IdentityA ? (survivor, merged) : (merged, survivor);
        if (shownTag is not null && shownTag != DuplicateQueries.PairTag(a, b))
        {
            // The traits chosen one by one, and the decision itself, were made on the identities as shown.
            throw new DomainRuleException("pair-changed", "One of the two identities changed since the pair was shown: read the pair again before merging.");
        }
        if (survivor.InsValue is not null && merged.InsValue is not null && survivor.InsValue != merged.InsValue)
        {
            // Two INS, two people: never a merge. The item becomes a potential collision for the cell.
            item.Kind = DuplicateKinds.Collision;
            DuplicateQueue.Record(item, clock.GetUtcNow(), actor.Name, "merge-refused", "ins-collision");
            await DuplicateQueue.SaveDecisionAsync(db, cancellationToken);
            throw new DomainRuleException("ins-collision",
                "The two identities hold different INS: this is a potential collision for the identity vigilance cell, not a duplicate to merge.");
        }
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var chosen = MergeTraits.Check(survivor, merged, fromMerged ?? []);
            foreach (var trait in chosen)
            {
                DuplicateQueue.Record(item, now, actor.Name, "trait-chosen", $"{trait} {merged.Ipp}");
            }
            DuplicateQueue.Resolve(item, DuplicateResolutions.Merged, now, actor.Name, comment);
            // The item is claimed first: a decision that raced this one makes this save fail before any identity moves.
            await DuplicateQueue.SaveDecisionAsync(db, cancellationToken);
            var merge = await merges.MergeAsync(survivor, merged, actor, new { duplicateItem = item.Id, comment }, cancellationToken, chosen);
            item.RecordMerge(merge.Id);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return merge;
        });
    }

    public async Task NotDuplicateAsync(DuplicateItem item, Actor actor, string? comment, CancellationToken cancellationToken)
    {
        EnsurePair(item);
        DuplicateQueue.Resolve(item, DuplicateResolutions.NotDuplicate, clock.GetUtcNow(), actor.Name, comment);
        await DuplicateQueue.SaveDecisionAsync(db, cancellationToken);
    }

    /// <summary>
    /// The item is assigned to <paramref name="to"/> ("m'attribuer", or taken over from <paramref name="shownAssignee"/>, who
    /// had it on the screen the person acted from), in review; recorded on the item.
    /// </summary>
    /// <exception cref="DomainRuleException">item-resolved; item-assigned (someone else took it meanwhile); item-changed.</exception>
    public async Task AssignAsync(DuplicateItem item, Actor actor, string to, string? shownAssignee, CancellationToken cancellationToken)
    {
        item.Assign(to, shownAssignee);
        DuplicateQueue.Record(item, clock.GetUtcNow(), actor.Name, "assigned", to);
        await DuplicateQueue.SaveDecisionAsync(db, cancellationToken);
    }

    /// <summary>
    /// "Not a duplicate" on several pairs at once, with one reason (required, 500 characters at most) recorded on each pair. All
    /// or nothing: when one item cannot be decided (resolved meanwhile, not a pair, unknown), nothing is written and the refusals
    /// are returned (item id and rule: <c>item-resolved</c>, <c>not-a-pair</c>, <c>not-found</c>).
    /// </summary>
    /// <exception cref="DomainRuleException">reason-required.</exception>
    public async Task<IReadOnlyList<(long Id, string Rule)>> NotDuplicateManyAsync(IReadOnlyCollection<long> ids, Actor actor, string? reason,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 500)
        {
            throw new DomainRuleException("reason-required", "A reason (500 characters at most) is required to declare pairs not duplicates.");
        }
        var wanted = ids.Distinct().ToList();
        var items = await db.DuplicateItems.Where(d => wanted.Contains(d.Id)).ToListAsync(cancellationToken);
        var refused = wanted.Where(id => items.All(i => i.Id != id)).Select(id => (id, "not-found"))
            .Concat(items.Where(i => i.State == DuplicateStates.Resolved).Select(i => (i.Id, "item-resolved")))
            .Concat(items.Where(i => i.State != DuplicateStates.Resolved && i.IsInsiContradiction).Select(i => (i.Id, "not-a-pair")))
            .OrderBy(r => r.Item1).ToList();
        if (refused.Count > 0 || items.Count == 0)
        {
            return refused;
        }
        var now = clock.GetUtcNow();
        foreach (var item in items)
        {
            DuplicateQueue.Resolve(item, DuplicateResolutions.NotDuplicate, now, actor.Name, reason.Trim());
        }
        await DuplicateQueue.SaveDecisionAsync(db, cancellationToken);
        return [];
    }

    /// <summary>
    /// The cell links the pair: one person's two records that must not be merged (yet), e.g. two INS in conflict. The item
    /// is resolved <c>linked</c>, the link stored, both identities audited and the A24 queued, in one unit of work.
    /// </summary>
    /// <exception cref="DomainRuleException">item-resolved, not-a-pair, identity-merged.</exception>
    public async Task LinkAsync(DuplicateItem item, Actor actor, string? comment, CancellationToken cancellationToken)
    {
        EnsurePair(item);
        var (first, second) = await PairAsync(item, cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            DuplicateQueue.Resolve(item, DuplicateResolutions.Linked, clock.GetUtcNow(), actor.Name, comment);
            // The item is claimed first: a decision that raced this one makes this save fail (item-changed) before anything else.
            await DuplicateQueue.SaveDecisionAsync(db, cancellationToken);
            // linked already (e.g. by an inbound A24): the item is resolved all the same
            await links.LinkAsync(first, second, actor, item.Id, new { duplicateItem = item.Id, comment }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
    }

    /// <summary>
    /// The cell undoes the link of a pair it linked: the A37 is queued and the item goes back to the queue for a new decision. A
    /// record merged since stands for its survivor (the link holds between the survivors, <see cref="LinkService"/>): the A37 names
    /// the survivor and the item, whose pair is no longer two active identities, becomes obsolete instead.
    /// </summary>
    /// <exception cref="DomainRuleException">not-linked (the item is not resolved as linked), not-a-pair.</exception>
    public async Task UnlinkAsync(DuplicateItem item, Actor actor, string? comment, CancellationToken cancellationToken)
    {
        if (item.IsInsiContradiction)
        {
            throw new DomainRuleException("not-a-pair", "This item is one identity against the INSi answer, not a pair: there is no link to undo.");
        }
        if (item.State != DuplicateStates.Resolved || item.Resolution != DuplicateResolutions.Linked)
        {
            throw new DomainRuleException("not-linked", "This pair is not linked: only a pair decided as linked can be unlinked.");
        }
        var first = await Survivors.ActiveAsync(db, item.IdentityA, cancellationToken);
        var second = await Survivors.ActiveAsync(db, item.IdentityB!.Value, cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow();
            DuplicateQueue.Record(item, now, actor.Name, "unlinked", comment);
            DuplicateQueue.Reopen(item, now, actor.Name, "the link was undone");
            if (first.Id != item.IdentityA || second.Id != item.IdentityB)
            {
                DuplicateQueue.Resolve(item, DuplicateResolutions.Obsolete, now, "system:merge", "one identity was merged");
            }
            await DuplicateQueue.SaveDecisionAsync(db, cancellationToken);
            // undone already by an inbound A37: the item goes back to the queue all the same
            if (first.Id != second.Id && await links.AreLinkedAsync(first.Id, second.Id, cancellationToken))
            {
                await links.UnlinkAsync(first, second, actor, new { duplicateItem = item.Id, comment }, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        });
    }

    private async Task<(Identity A, Identity B)> PairAsync(DuplicateItem item, CancellationToken cancellationToken)
    {
        var a = await db.Identities.FirstAsync(i => i.Id == item.IdentityA, cancellationToken);
        var b = await db.Identities.FirstAsync(i => i.Id == item.IdentityB!.Value, cancellationToken);
        if (!a.IsActive || !b.IsActive)
        {
            throw new DomainRuleException("identity-merged", "One identity of the pair was merged into another: work on the surviving identity.");
        }
        return (a, b);
    }

    /// <summary>Someone of the cell takes the item (it stays in the queue, marked in-review).</summary>
    public async Task ReviewAsync(DuplicateItem item, Actor actor, string? comment, CancellationToken cancellationToken)
    {
        item.Review();
        DuplicateQueue.Record(item, clock.GetUtcNow(), actor.Name, "in-review", comment);
        await DuplicateQueue.SaveDecisionAsync(db, cancellationToken);
    }

    internal static void EnsureOpen(DuplicateItem item)
    {
        if (item.State == DuplicateStates.Resolved)
        {
            throw new DomainRuleException("item-resolved", $"This item was already resolved ({item.Resolution}).");
        }
    }

    /// <summary>Merge and "not a duplicate" decide on two identities; an INSi contradiction has one (see <see cref="InsiContradictions"/>).</summary>
    private static void EnsurePair(DuplicateItem item)
    {
        EnsureOpen(item);
        if (item.IsInsiContradiction)
        {
            throw new DomainRuleException("not-a-pair",
                "This item is one identity against the INSi answer, not a pair: decide traits-corrected or other-person.");
        }
    }
}
