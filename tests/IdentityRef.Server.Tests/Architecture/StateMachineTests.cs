using System.Reflection;
using System.Runtime.CompilerServices;
using IdentityRef.Persistence;

namespace IdentityRef.Server.Tests.Architecture;

/// <summary>
/// A work item changes state only through its transitions (<see cref="WorkItem.Review"/>, <see cref="WorkItem.Resolve"/>, the
/// Domain's <c>WorkItemProgress</c>): no code outside the entity can set its state or what goes with it.
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
}
