using IdentityRef.Domain.Identities;
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

/// <summary>
/// A group merged along <see cref="DuplicateGroup.MergeOrder"/> keeps the qualified identity whatever member the cell keeps and whatever the
/// strength of the links: the merge rules hand the INS (and the qualified status) over to the survivor at the step that merges it.
/// </summary>
public sealed class GroupMergeKeepsTheQualifiedIdentityTests
{
    public static TheoryData<int, double, double> Cases()
    {
        var data = new TheoryData<int, double, double>();
        foreach (var survivor in new[] { 0, 1, 2 })
        {
            data.Add(survivor, 20.0, 10.0);
            data.Add(survivor, 10.0, 20.0);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AProvisionalARetrievedAndAQualifiedRecord_MergedAsAGroup_LeaveAQualifiedSurvivor(int survivorIndex, double firstLink, double secondLink)
    {
        var members = new[]
        {
            new Support.IdentityBuilder().WithId(new Guid("00000000-0000-0000-0000-000000000011")).Build(),
            new Support.IdentityBuilder().WithId(new Guid("00000000-0000-0000-0000-000000000012")).Retrieved().Build(),
            new Support.IdentityBuilder().WithId(new Guid("00000000-0000-0000-0000-000000000013")).Retrieved().DocumentChecked().Build(),
        };
        Assert.Equal([IdentityStatus.Prov, IdentityStatus.Recup, IdentityStatus.Qual], members.Select(m => m.Status));
        var group = Assert.Single(DuplicateGroupGraph.Build(
        [
            new(1, members[0].Id, members[1].Id, firstLink, "probable"), new(2, members[1].Id, members[2].Id, secondLink, "probable"),
        ]));
        var survivor = members[survivorIndex];

        foreach (var (_, merged) in group.MergeOrder(survivor.Id))
        {
            IdentityMerge.Merge(survivor, members.Single(m => m.Id == merged), Support.TestClock.Later(10));
        }

        Assert.Equal(IdentityStatus.Qual, survivor.Status);
        Assert.All(members.Where(m => m != survivor), m => Assert.False(m.IsActive));
    }
}
