using IdentityRef.Matching;
using Xunit;

namespace IdentityRef.Matching.Tests;

public sealed class ComparatorTests
{
    [Theory]
    [InlineData(1984, 3, 7, 1984, 3, 7, TraitLevels.BirthDate.Exact)]
    [InlineData(1984, 3, 7, 1984, 7, 3, TraitLevels.BirthDate.DayMonthSwapped)]
    [InlineData(1984, 3, 7, 1984, 3, 8, TraitLevels.BirthDate.OneDigit)]
    [InlineData(1984, 3, 7, 1948, 3, 7, TraitLevels.BirthDate.OneDigit)] // adjacent digits transposed
    [InlineData(1984, 3, 7, 1984, 5, 7, TraitLevels.BirthDate.OneDigit)]
    [InlineData(1984, 3, 7, 1984, 7, 4, TraitLevels.BirthDate.OneDigit)] // inverted, then one digit mistyped
    [InlineData(1984, 3, 7, 1984, 11, 7, TraitLevels.BirthDate.TwoOfThree)]
    [InlineData(1984, 3, 7, 2012, 9, 21, TraitLevels.BirthDate.Different)]
    public void BirthDateLevel_KnownKeyingErrors_AreRecognised(int y1, int m1, int d1, int y2, int m2, int d2, int expected) =>
        Assert.Equal(expected, TraitComparers.BirthDateLevel(new DateOnly(y1, m1, d1), new DateOnly(y2, m2, d2)));

    [Fact]
    public void BirthDateLevel_MissingDate_IsMissing() =>
        Assert.Equal(TraitLevels.Missing, TraitComparers.BirthDateLevel(null, new DateOnly(2000, 1, 1)));

    [Theory]
    [InlineData("PONPENSON", "POLPENSON", true)]
    [InlineData("MARTIN", "MATRIN", true)]
    [InlineData("MARTIN", "MARTINE", true)]
    [InlineData("MARTIN", "MARTN", true)]
    [InlineData("MARTIN", "MORTON", false)]
    [InlineData("MARTIN", "MARTIN", false)]
    public void IsOneEditApart_Examples(string a, string b, bool expected) =>
        Assert.Equal(expected, JaroWinkler.IsOneEditApart(a, b));

    [Theory]
    [InlineData("JEAN-PIERRE", "JEAN PIERRE", TraitLevels.BirthName.Exact)]
    [InlineData("D'ARTAGNAN", "DARTAGNAN", TraitLevels.BirthName.Exact)]
    [InlineData("MARTIN-DUBOIS", "DUBOIS", TraitLevels.BirthName.CompoundPart)]
    [InlineData("DUPONT", "DUPOND", TraitLevels.BirthName.Close)]
    [InlineData("FAURE", "PHAURE", TraitLevels.BirthName.Phonetic)]
    [InlineData("MARTIN", "LEFEBVRE", TraitLevels.BirthName.Different)]
    public void NameLevel_SpellingVariants_GiveExpectedLevel(string a, string b, int expected)
    {
        var engine = TestIdentities.Engine();
        var result = engine.Compare(TestIdentities.Man("A") with { BirthName = a }, TestIdentities.Man("B") with { BirthName = b });
        Assert.Equal(expected, result[Trait.BirthName].Level);
    }

    [Fact]
    public void NameLevel_BirthNameEqualsOtherUsedName_IsCrossedBothWays()
    {
        var engine = TestIdentities.Engine();
        var married = TestIdentities.Person("A");
        var keyedWithUsedName = married with { Id = "B", BirthName = "LEROY", UsedName = null };
        Assert.Equal(TraitLevels.BirthName.Crossed, engine.Compare(married, keyedWithUsedName)[Trait.BirthName].Level);
        Assert.Equal(TraitLevels.BirthName.Crossed, engine.Compare(keyedWithUsedName, married)[Trait.BirthName].Level);
    }

    [Theory]
    [InlineData(new[] { "CLAIRE", "ANNE" }, new[] { "CLAIRE" }, TraitLevels.FirstNames.Exact)]
    [InlineData(new[] { "CLAIRE", "ANNE" }, new[] { "ANNE", "CLAIRE" }, TraitLevels.FirstNames.Contained)]
    [InlineData(new[] { "MARIE" }, new[] { "MARIE-CLAIRE" }, TraitLevels.FirstNames.Contained)]
    [InlineData(new[] { "MARIE-LOUISE" }, new[] { "MARIE-CLAIRE" }, TraitLevels.FirstNames.Similar)]
    [InlineData(new[] { "OPHELIE" }, new[] { "OFELIE" }, TraitLevels.FirstNames.Phonetic)]
    [InlineData(new[] { "CLAIRE" }, new[] { "CLIARE" }, TraitLevels.FirstNames.Close)]
    [InlineData(new[] { "CLAIRE" }, new[] { "NATHALIE" }, TraitLevels.FirstNames.Different)]
    public void FirstNameLevel_Lists_GiveExpectedLevel(string[] a, string[] b, int expected)
    {
        var engine = TestIdentities.Engine();
        var result = engine.Compare(TestIdentities.Person("A") with { FirstNames = a }, TestIdentities.Person("B") with { FirstNames = b });
        Assert.Equal(expected, result[Trait.FirstNames].Level);
    }

    [Fact]
    public void SexLevel_UnknownSex_IsMissingAndWeighsNothing()
    {
        var result = TestIdentities.Engine().Compare(TestIdentities.Man("A"), TestIdentities.Man("B") with { Sex = 'U' });
        Assert.Equal(TraitLevels.Missing, result[Trait.Sex].Level);
        Assert.Equal(0.0, result[Trait.Sex].Weight);
    }

    [Theory]
    [InlineData("69123", "69123", 2)]
    [InlineData("69123", "69388", 1)]
    [InlineData("69123", "13055", 0)]
    [InlineData("99134", "99109", 0)]
    public void BirthPlaceLevel_Examples(string a, string b, int expected) =>
        Assert.Equal(expected, TraitComparers.BirthPlaceLevel(a, b));
}
