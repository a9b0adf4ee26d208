using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Tests.Support;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Identities;

/// <summary>The cell's choice of traits at a merge, trait by trait: strict traits move only with their INS or their document.</summary>
public sealed class MergeTraitChoiceTests
{
    private static readonly Guid Other = Guid.Parse("00000000-0000-0000-0000-000000000009");

    [Fact]
    public void ProvisionalPair_AnyStrictTraitMayComeFromEitherSide()
    {
        var survivor = new IdentityBuilder().Build();
        var merged = new IdentityBuilder().WithId(Other).WithBirthDate(new BirthDate(new DateOnly(1975, 1, 12), false)).Build();

        IdentityMerge.CheckTraitChoice(survivor, merged, ["birthDate"], []);
        survivor.ChooseTraits(survivor.Strict with { BirthDate = merged.Strict.BirthDate }, merged.Complementary, TestClock.Later(1));

        Assert.Equal(new DateOnly(1975, 1, 12), survivor.BirthDate);
        Assert.Equal(TestClock.Later(1), survivor.StrictTraitsChangedAt);
    }

    [Fact]
    public void MergedIdentityWithAnInsiIns_Wins_AStrictTraitKeptFromTheSurvivorIsRefused()
    {
        var survivor = new IdentityBuilder().Build();
        var merged = new IdentityBuilder().WithId(Other).Retrieved().Build();

        var refused = Assert.Throws<DomainRuleException>(() => IdentityMerge.CheckTraitChoice(survivor, merged, [], ["firstNames"]));

        Assert.Equal(("merge-ins-traits", "firstNames"), (refused.Rule, refused.Reason));
        IdentityMerge.CheckTraitChoice(survivor, merged, ["firstNames"], []); // its own traits: accepted
    }

    [Fact]
    public void QualifiedSurvivor_StrictTraitsOfTheOtherSideAreRefused_ComplementaryOnesAreFree()
    {
        var survivor = new IdentityBuilder().Retrieved().DocumentChecked().Build();
        var merged = new IdentityBuilder().WithId(Other).Build();

        Assert.Equal("merge-anchored-traits", Assert.Throws<DomainRuleException>(() => IdentityMerge.CheckTraitChoice(survivor, merged, ["birthName"], [])).Rule);
        IdentityMerge.CheckTraitChoice(survivor, merged, [], []);
        Assert.Equal("merge-anchored-traits", Assert.Throws<DomainRuleException>(() =>
            survivor.ChooseTraits(survivor.Strict with { BirthName = "AUTRE" }, survivor.Complementary, TestClock.Later(1))).Rule);
    }

    [Fact]
    public void ValidatedMergedIdentity_ItsStrictTraitsDoNotComeWithoutItsDocument()
    {
        var survivor = new IdentityBuilder().Build();
        var merged = new IdentityBuilder().WithId(Other).DocumentChecked().Build();

        Assert.Equal("merge-anchored-traits", Assert.Throws<DomainRuleException>(() => IdentityMerge.CheckTraitChoice(survivor, merged, ["sex"], [])).Rule);
    }

    [Fact]
    public void RestoreTraits_PutsBackTheTraitsAndWhenTheStrictOnesLastChanged()
    {
        var survivor = new IdentityBuilder().Build();
        var (strict, complementary, changedAt) = (survivor.Strict, survivor.Complementary, survivor.StrictTraitsChangedAt);
        survivor.ChooseTraits(strict with { BirthName = "AUTRE" }, complementary with { Phone = "0102030405" }, TestClock.Later(1));

        survivor.RestoreTraits(strict, complementary, changedAt, TestClock.Later(2));

        Assert.Equal((strict, complementary, changedAt), (survivor.Strict, survivor.Complementary, survivor.StrictTraitsChangedAt));
    }
}
