using IdentityRef.Domain.Common;
using IdentityRef.Domain.Duplicates;
using IdentityRef.Domain.WorkItems;

namespace IdentityRef.Domain.Tests.Duplicates;

public sealed class DuplicateItemProgressTests
{
    private static readonly DateTimeOffset Day = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DetectedItem_IsOpen_WithoutResolution()
    {
        var progress = DuplicateItemProgress.Detected();

        Assert.Equal((WorkItemStates.Open, (string?)null, (long?)null), (progress.State, progress.Resolution, progress.MergeId));
    }

    [Fact]
    public void Review_ThenResolve_RecordsTheResolutionWhoAndWhen()
    {
        var resolved = DuplicateItemProgress.Detected().Review().Resolve(DuplicateResolutionCodes.NotDuplicate, "alice", Day);

        Assert.Equal((WorkItemStates.Resolved, DuplicateResolutionCodes.NotDuplicate, "alice", Day),
            (resolved.State, resolved.Resolution, resolved.ResolvedBy, resolved.ResolvedAt));
    }

    [Fact]
    public void ResolvedItem_CannotBeTakenNorResolvedAgain_TheRuleNamesItsResolution()
    {
        var resolved = DuplicateItemProgress.Detected().Resolve(DuplicateResolutionCodes.Merged, "alice", Day);

        var review = Assert.Throws<DomainRuleException>(() => resolved.Review());
        var again = Assert.Throws<DomainRuleException>(() => resolved.Resolve(DuplicateResolutionCodes.Obsolete, "system:detection", Day));

        Assert.Equal(("item-resolved", "item-resolved"), (review.Rule, again.Rule));
        Assert.Contains("merged", review.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MergeId_OnlyForAnItemResolvedAsMerged_AndOnce()
    {
        var merged = DuplicateItemProgress.Detected().Resolve(DuplicateResolutionCodes.Merged, "alice", Day).WithMerge(42);

        Assert.Equal(42L, merged.MergeId);
        Assert.Throws<InvalidOperationException>(() => merged.WithMerge(43));
        Assert.Throws<InvalidOperationException>(() => DuplicateItemProgress.Detected().WithMerge(42));
        Assert.Throws<InvalidOperationException>(() =>
            DuplicateItemProgress.Detected().Resolve(DuplicateResolutionCodes.NotDuplicate, "alice", Day).WithMerge(42));
    }

    [Fact]
    public void Reopen_ForgetsTheResolutionAndTheMerge_AndOnlyAResolvedItemIsReopened()
    {
        var reopened = DuplicateItemProgress.Detected().Resolve(DuplicateResolutionCodes.Merged, "alice", Day).WithMerge(42).Reopen();

        Assert.Equal(DuplicateItemProgress.Detected(), reopened);
        Assert.Throws<InvalidOperationException>(() => DuplicateItemProgress.Detected().Reopen());
        Assert.Equal(WorkItemStates.InReview, reopened.Review().State); // and it can be taken again
    }

    [Fact]
    public void UnknownResolutionOrState_IsABug()
    {
        Assert.Throws<ArgumentException>(() => DuplicateItemProgress.Detected().Resolve("maybe", "alice", Day));
        Assert.Throws<ArgumentException>(() => DuplicateItemProgress.Restore("closed", null, null, null, null));
        Assert.Throws<ArgumentException>(() => DuplicateItemProgress.Restore(WorkItemStates.Resolved, "maybe", Day, "alice", null));
    }

    [Fact]
    public void Assign_PutsTheItemInReview_ByThatPerson_AndHandsItOver()
    {
        var assigned = DuplicateItemProgress.Detected().Assign("alice", null);
        var handedOver = assigned.Assign("bob", "alice");

        Assert.Equal((WorkItemStates.InReview, "alice"), (assigned.State, assigned.AssignedTo));
        Assert.Equal("bob", handedOver.AssignedTo);
        Assert.Throws<ArgumentException>(() => DuplicateItemProgress.Detected().Assign(" ", null));
    }

    [Fact]
    public void TakingOver_IsOnlyFromWhomTheScreenShowed_NeverFromAStaleScreen()
    {
        var alices = DuplicateItemProgress.Detected().Assign("alice", null);

        // bob's screen showed the item free: alice took it meanwhile, bob does not take it from her unknowingly
        Assert.Equal("item-assigned", Assert.Throws<DomainRuleException>(() => alices.Assign("bob", null)).Rule);
        // carol's screen showed dave: same
        Assert.Equal("item-assigned", Assert.Throws<DomainRuleException>(() => alices.Assign("carol", "dave")).Rule);
        // alice again, whatever her screen showed: nothing changes hands
        Assert.Equal("alice", alices.Assign("alice", null).AssignedTo);
    }

    [Fact]
    public void ResolvedItem_CannotBeAssigned_AndAReopenedItemIsNobodys()
    {
        var resolved = DuplicateItemProgress.Detected().Assign("alice", null).Resolve(DuplicateResolutionCodes.NotDuplicate, "alice", Day);

        Assert.Equal("alice", resolved.AssignedTo);
        Assert.Equal("item-resolved", Assert.Throws<DomainRuleException>(() => resolved.Assign("bob", "alice")).Rule);
        Assert.Null(resolved.Reopen().AssignedTo);
    }
}
