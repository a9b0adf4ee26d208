using System.Text.Json;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Merges;

/// <summary>
/// Merges two identities and undoes a merge. The merged identity keeps its record, inactive, pointing to the
/// survivor; its IPP and other identifiers become identifiers of the survivor. Each decision is audited on both
/// identities and broadcast (A40, then A31s).
/// </summary>
public sealed class MergeService(IdentityRefDbContext db, IdentityWriter writer, TimeProvider clock)
{
    public async Task<Merge> MergeAsync(Identity survivor, Identity merged, Actor actor, object? details, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var survivorBefore = IdentitySnapshot.Of(survivor);
        var mergedBefore = IdentitySnapshot.Of(merged);
        var core = survivor.Core;
        var tookOver = IdentityMerge.Merge(survivor, merged, now);

        var moved = await db.Identifiers.Where(i => i.IdentityId == merged.Id).ToListAsync(cancellationToken);
        foreach (var identifier in moved)
        {
            identifier.IdentityId = survivor.Id;
        }
        var mergedIpp = new IdentityIdentifier { IdentityId = survivor.Id, System = IdentifierSystems.MergedIpp, Value = merged.Ipp, CreatedAt = now };
        db.Identifiers.Add(mergedIpp);
        var merge = new Merge
        {
            SurvivorId = survivor.Id,
            MergedId = merged.Id,
            MergedAt = now,
            Actor = actor.Name,
            SurvivorCoreBefore = tookOver ? JsonSerializer.Serialize(core) : null,
            SurvivorVersionAfter = survivor.Version,
            MovedIdentifiers = JsonSerializer.Serialize(moved.Select(i => i.Id)),
        };
        db.Merges.Add(merge);
        // The merged identity first: its A40 reaches the receivers before the survivor's A31.
        await writer.SaveAsync([(merged, "identity.merged", mergedBefore), (survivor, "identity.merged-into", survivorBefore)], actor,
            new { survivor = survivor.Ipp, merged = merged.Ipp, details }, cancellationToken);
        return merge;
    }

    /// <summary>Restores both identities as they were, while nothing since forbids it (the survivor changed or was merged).</summary>
    public async Task<(Identity Survivor, Identity Restored)> UndoAsync(Merge merge, Actor actor, CancellationToken cancellationToken)
    {
        if (merge.UndoneAt is not null)
        {
            throw new DomainRuleException("merge-undone", "This merge was already undone.");
        }
        var survivor = await db.Identities.FirstAsync(i => i.Id == merge.SurvivorId, cancellationToken);
        var restored = await db.Identities.FirstAsync(i => i.Id == merge.MergedId, cancellationToken);
        if (!survivor.IsActive)
        {
            throw new DomainRuleException("survivor-merged", "The surviving identity was merged into another since: undo that merge first.");
        }
        if (survivor.Version != merge.SurvivorVersionAfter)
        {
            throw new DomainRuleException("survivor-changed",
                "The surviving identity changed after the merge: undoing it would lose those changes. Correct the identities by hand.");
        }
        var now = clock.GetUtcNow();
        var survivorBefore = IdentitySnapshot.Of(survivor);
        var restoredBefore = IdentitySnapshot.Of(restored);
        if (merge.SurvivorCoreBefore is { } json)
        {
            survivor.RestoreCore(JsonSerializer.Deserialize<IdentityCore>(json)!, now);
        }
        restored.Unmerge(now);
        var movedIds = JsonSerializer.Deserialize<List<long>>(merge.MovedIdentifiers)!;
        foreach (var identifier in await db.Identifiers.Where(i => movedIds.Contains(i.Id)).ToListAsync(cancellationToken))
        {
            identifier.IdentityId = restored.Id;
        }
        db.Identifiers.RemoveRange(await db.Identifiers
            .Where(i => i.IdentityId == survivor.Id && i.System == IdentifierSystems.MergedIpp && i.Value == restored.Ipp).ToListAsync(cancellationToken));
        merge.UndoneAt = now;
        merge.UndoneBy = actor.Name;
        await writer.SaveAsync([(restored, "identity.unmerged", restoredBefore), (survivor, "identity.merge-undone", survivorBefore)], actor,
            new { mergeId = merge.Id, survivor = survivor.Ipp, restored = restored.Ipp }, cancellationToken);
        return (survivor, restored);
    }
}
