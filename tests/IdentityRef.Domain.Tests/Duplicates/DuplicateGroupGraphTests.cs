using IdentityRef.Domain.Duplicates;

namespace IdentityRef.Domain.Tests.Duplicates;

public sealed class DuplicateGroupGraphTests
{
    private static readonly Guid A = Id(1), B = Id(2), C = Id(3), D = Id(4), E = Id(5), F = Id(6);

    private static Guid Id(int n) => new($"00000000-0000-0000-0000-{n:D12}");

    [Fact]
    public void ConnectedLinks_MakeOneGroup_SeparateLinksAnother_StrongestWeakestLinkFirst()
    {
        var groups = DuplicateGroupGraph.Build(
        [
            new(10, A, B, 12.0, "probable"), new(11, B, C, 9.0, "possible"), new(12, D, E, 14.0, "probable"),
        ]);

        Assert.Equal(2, groups.Count);
        Assert.Equal([D, E], groups[0].Members);
        Assert.Equal(12, groups[0].Key);
        Assert.Equal([A, B, C], groups[1].Members);
        Assert.Equal(10, groups[1].Key);
        Assert.Equal(11, groups[1].WeakestLink.ItemId);
    }

    [Fact]
    public void WeakestLink_IsTheBottleneck_NotAWeakerLinkClosingATriangle()
    {
        var group = Assert.Single(DuplicateGroupGraph.Build(
        [
            new(1, A, B, 15.0, "probable"), new(2, B, C, 11.0, "probable"), new(3, A, C, 7.0, "possible"),
        ]));

        Assert.Equal(2, group.WeakestLink.ItemId);
        Assert.Equal(3, group.Links.Count);
    }

    [Fact]
    public void MergeOrder_FollowsTheStrongestLinksOutwardsFromTheSurvivor_OneStepPerOtherMember()
    {
        // A path C - A - B - D and a weak shortcut C - D.
        var group = Assert.Single(DuplicateGroupGraph.Build(
        [
            new(1, A, B, 15.0, "probable"), new(2, A, C, 10.0, "probable"), new(3, B, D, 13.0, "probable"), new(4, C, D, 6.0, "possible"),
        ]));

        var order = group.MergeOrder(A);

        Assert.Equal([(1L, B), (3L, D), (2L, C)], order.Select(s => (s.Link.ItemId, s.Merged)));
        Assert.Throws<ArgumentException>(() => group.MergeOrder(F));
    }

    [Fact]
    public void NoLinks_NoGroups_ALinkToItselfIsIgnored()
    {
        Assert.Empty(DuplicateGroupGraph.Build([]));
        Assert.Empty(DuplicateGroupGraph.Build([new(1, A, A, 20.0, "probable")]));
    }
}
