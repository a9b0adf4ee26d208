using IdentityRef.Domain.Common;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Merges;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Duplicates;

/// <summary>
/// The cell's decisions on a work item. A merge goes through <see cref="MergeService"/> (identity audit, A40), in one
/// transaction with the item; "not a duplicate" sticks until a strict trait of either identity changes. Every decision
/// is also recorded on the item. INSi contradictions have their own decisions in <see cref="InsiContradictions"/>.
/// </summary>
public sealed class DuplicateResolution(IdentityRefDbContext db, MergeService merges, TimeProvider clock)
{
    /// <summary>Merges the other identity of the pair into <paramref name="survivorId"/>.</summary>
    /// <exception cref="DomainRuleException">item-resolved, identity-merged, ins-collision (the item then becomes a collision).</exception>
    public async Task<Merge> MergeAsync(DuplicateItem item, Guid survivorId, Actor actor, string? comment, CancellationToken cancellationToken)
    {
        EnsurePair(item);
        var mergedId = survivorId == item.IdentityA ? item.IdentityB!.Value : item.IdentityA;
        var survivor = await db.Identities.FirstAsync(i => i.Id == survivorId, cancellationToken);
        var merged = await db.Identities.FirstAsync(i => i.Id == mergedId, cancellationToken);
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
            DuplicateQueue.Resolve(item, DuplicateResolutions.Merged, clock.GetUtcNow(), actor.Name, comment);
            // The item is claimed first: a decision that raced this one makes this save fail before any identity moves.
            await DuplicateQueue.SaveDecisionAsync(db, cancellationToken);
            var merge = await merges.MergeAsync(survivor, merged, actor, new { duplicateItem = item.Id, comment }, cancellationToken);
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
