using IdentityRef.Domain.Common;
using IdentityRef.Domain.WorkItems;

namespace IdentityRef.Domain.Tests.WorkItems;

public sealed class WorkItemProgressTests
{
    private static readonly DateTimeOffset Raised = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NewItem_IsOpen_DatedAtItsCreation_WithNobodyOnIt()
    {
        var progress = WorkItemProgress.Opened(Raised);

        Assert.Equal((WorkItemStates.Open, Raised), (progress.State, progress.UpdatedAt));
        Assert.Equal(((string?)null, (string?)null, (string?)null), (progress.ReviewedBy, progress.ResolvedBy, progress.Resolution));
        Assert.False(progress.IsResolved);
    }

    [Fact]
    public void Review_PutsItInReview_ByTheReviewer_AndLeavesTheOriginalUnchanged()
    {
        var open = WorkItemProgress.Opened(Raised);

        var taken = open.Review("alice", Raised.AddHours(1));

        Assert.Equal((WorkItemStates.InReview, "alice", Raised.AddHours(1)), (taken.State, taken.ReviewedBy, taken.UpdatedAt));
        Assert.Equal(WorkItemStates.Open, open.State);
    }

    [Fact]
    public void ItemInReview_CanBeTakenOver()
    {
        var taken = WorkItemProgress.Opened(Raised).Review("alice", Raised.AddHours(1)).Review("bob", Raised.AddHours(2));

        Assert.Equal((WorkItemStates.InReview, "bob"), (taken.State, taken.ReviewedBy));
    }

    [Fact]
    public void Resolve_FromOpenOrInReview_RecordsWhoWhenAndWhat_Trimmed()
    {
        var fromOpen = WorkItemProgress.Opened(Raised).Resolve("carol", "  INS checked on the card  ", Raised.AddDays(1));
        var fromReview = WorkItemProgress.Opened(Raised).Review("alice", Raised.AddHours(1)).Resolve("alice", "done", Raised.AddDays(1));

        Assert.Equal((WorkItemStates.Resolved, "carol", Raised.AddDays(1), "INS checked on the card"),
            (fromOpen.State, fromOpen.ResolvedBy, fromOpen.ResolvedAt, fromOpen.Resolution));
        Assert.Equal(Raised.AddDays(1), fromOpen.UpdatedAt);
        Assert.True(fromReview.IsResolved);
        Assert.Equal("alice", fromReview.ReviewedBy); // who had taken it stays known
    }

    [Fact]
    public void ResolvedItem_CannotBeTakenNorResolvedAgain()
    {
        var resolved = WorkItemProgress.Opened(Raised).Resolve("carol", "done", Raised.AddDays(1));

        Assert.Equal("work-item-resolved", Assert.Throws<DomainRuleException>(() => resolved.Review("bob", Raised.AddDays(2))).Rule);
        Assert.Equal("work-item-resolved", Assert.Throws<DomainRuleException>(() => resolved.Resolve("bob", "again", Raised.AddDays(2))).Rule);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Resolve_WithoutAComment_IsABug_NotAState(string comment)
    {
        var open = WorkItemProgress.Opened(Raised);

        Assert.ThrowsAny<ArgumentException>(() => open.Resolve("carol", comment, Raised));
        Assert.ThrowsAny<ArgumentException>(() => open.Resolve("carol", new string('x', WorkItemProgress.ResolutionMaxLength + 1), Raised));
        Assert.ThrowsAny<ArgumentException>(() => open.Review(" ", Raised));
    }

    [Fact]
    public void Restore_RefusesAStateThatIsNotOurs_AndKeepsTheRest()
    {
        Assert.Throws<ArgumentException>(() => WorkItemProgress.Restore("closed", Raised, null, null, null, null));

        var restored = WorkItemProgress.Restore(WorkItemStates.InReview, Raised, "alice", null, null, null);
        Assert.Equal((WorkItemStates.InReview, "alice"), (restored.State, restored.ReviewedBy));
    }

    [Fact]
    public void UnresolvedStates_AreOpenAndInReview()
    {
        Assert.Equal([WorkItemStates.Open, WorkItemStates.InReview], WorkItemStates.Unresolved);
        Assert.False(WorkItemStates.IsKnown("closed"));
        Assert.False(WorkItemStates.IsKnown(null));
    }
}
