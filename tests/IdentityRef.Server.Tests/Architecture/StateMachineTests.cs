using System.Reflection;
using System.Runtime.CompilerServices;
using IdentityRef.Persistence;

namespace IdentityRef.Server.Tests.Architecture;

/// <summary>
/// Work items and duplicate items change state only through their transitions (the Domain's <c>WorkItemProgress</c> and
/// <c>DuplicateItemProgress</c>, applied by the entities' methods): no code outside the entity can set a state or what
/// goes with it once the item exists.
/// </summary>
public sealed class StateMachineTests
{
    [Fact]
    public void WorkItem_HasNoPublicSetter()
    {
        var setters = typeof(WorkItem).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } setter && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)))
            .Select(p => p.Name);

        Assert.Empty(setters);
        Assert.Empty(typeof(WorkItem).GetConstructors()); // raised through WorkItem.Raise, opened by the Domain's rules
    }

    [Fact]
    public void DuplicateItem_StateAndResolution_HaveNoPublicSetter()
    {
        string[] guarded = [nameof(DuplicateItem.State), nameof(DuplicateItem.Resolution), nameof(DuplicateItem.ResolvedAt),
            nameof(DuplicateItem.ResolvedBy), nameof(DuplicateItem.MergeId)];

        var setters = typeof(DuplicateItem).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => guarded.Contains(p.Name))
            .Where(p => p.SetMethod is { IsPublic: true } setter && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)))
            .Select(p => p.Name);

        Assert.Empty(setters);
    }
}
