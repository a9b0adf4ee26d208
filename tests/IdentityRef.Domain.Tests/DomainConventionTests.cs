using System.Reflection;
using System.Runtime.CompilerServices;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests;

/// <summary>Value types of the domain stay immutable: found by reflection, so a new record cannot slip through.</summary>
public sealed class DomainConventionTests
{
    private static readonly Assembly Domain = typeof(Identity).Assembly;

    private static readonly IReadOnlyList<Type> Records = [.. Domain.GetTypes().Where(t => t.IsPublic || t.IsNestedPublic).Where(IsRecord)];

    [Fact]
    public void RecordDiscovery_FindsBothRecordClassesAndRecordStructs()
    {
        Assert.Contains(typeof(InsNumber), Records);
        Assert.Contains(typeof(StrictTraits), Records);
        Assert.Contains(typeof(FieldError), Records);
        Assert.Contains(typeof(IdentityCreated), Records);
        Assert.Contains(typeof(BirthDate), Records);
        Assert.Contains(typeof(Result<>), Records);
        Assert.DoesNotContain(typeof(Identity), Records);
        Assert.DoesNotContain(typeof(ErrorCollector), Records);
    }

    [Fact]
    public void PublicRecords_HaveNoPublicMutableSetter()
    {
        var offenders = Records.SelectMany(PublicMutableSetters).ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void IdentityEntity_HasNoPublicSetter()
    {
        var publicSetters = typeof(Identity).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true })
            .Select(p => p.Name);

        Assert.Empty(publicSetters);
        Assert.Contains(typeof(Identity).GetProperties(), p => p.SetMethod is { IsPrivate: true }); // EF sets them privately
    }

    private static IEnumerable<string> PublicMutableSetters(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.SetMethod is { IsPublic: true } setter && !IsInitOnly(setter))
            .Select(p => $"{type.Name}.{p.Name}");

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));

    /// <summary>
    /// A record class has the compiler's clone method; a record struct has the compiler's PrintMembers (plain
    /// structs have neither).
    /// </summary>
    private static bool IsRecord(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        if (type.IsClass)
        {
            return type.GetMethod("<Clone>$", all) is not null;
        }
        return type.IsValueType
            && type.GetMethod("PrintMembers", all, [typeof(System.Text.StringBuilder)]) is { } printMembers
            && printMembers.IsDefined(typeof(CompilerGeneratedAttribute));
    }
}
