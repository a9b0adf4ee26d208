using IdentityRef.Matching;
using Xunit;

namespace IdentityRef.Matching.Tests;

public sealed class TermFrequencyTests
{
    /// <summary>The test base has 201 records: let counts count from 100.</summary>
    private static readonly MatchingOptions Small = new() { TermFrequencyMinRecords = 100 };

    /// <summary>A base where MARTIN is common and VERCINGETORIX is borne once.</summary>
    private static List<MatchRecord> Base()
    {
        var records = new List<MatchRecord>();
        for (var i = 0; i < 200; i++)
        {
            records.Add(TestIdentities.Man($"M{i}") with { BirthName = i < 100 ? "MARTIN" : $"NOM{i}", BirthDate = new DateOnly(1930 + (i % 60), 1 + (i % 12), 1 + (i % 28)), Address = null, Postcode = null });
        }
        records.Add(TestIdentities.Man("V") with { BirthName = "VERCINGETORIX" });
        return records;
    }

    [Fact]
    public void Compare_ExactCommonName_WeighsLessThanExactRareName_WithinTheBound()
    {
        var frequencies = TermFrequencies.Count(Base());
        var engine = new MatchEngine(new MatchingOptions { MaxTermFrequencyAdjustment = 3, TermFrequencyMinRecords = 100 }, MatchWeights.Default, frequencies);
        var martin = TestIdentities.Man("A") with { BirthName = "MARTIN" };
        var rare = TestIdentities.Man("A") with { BirthName = "VERCINGETORIX" };

        var common = engine.Compare(martin, martin with { Id = "B" })[Trait.BirthName];
        var uncommon = engine.Compare(rare, rare with { Id = "B" })[Trait.BirthName];

        Assert.True(common.FrequencyAdjustment < 0, $"MARTIN: {common.FrequencyAdjustment}");
        Assert.True(uncommon.FrequencyAdjustment > 0, $"VERCINGETORIX: {uncommon.FrequencyAdjustment}");
        Assert.InRange(common.FrequencyAdjustment, -3, 3);
        Assert.InRange(uncommon.FrequencyAdjustment, -3, 3);
        var tableWeight = TestIdentities.Engine().Weights.Get(Trait.BirthName, TraitLevels.BirthName.Exact).Weight;
        Assert.Equal(tableWeight + common.FrequencyAdjustment, common.Weight, 9);
        Assert.Equal(tableWeight + uncommon.FrequencyAdjustment, uncommon.Weight, 9);
    }

    [Fact]
    public void Compare_AdjustmentOff_UsesTheTableWeight()
    {
        var options = new MatchingOptions { TermFrequencyAdjustment = false };
        var engine = new MatchEngine(options, MatchWeights.Default, TermFrequencies.Count(Base()));
        var martin = TestIdentities.Man("A") with { BirthName = "MARTIN" };
        var result = engine.Compare(martin, martin with { Id = "B" });
        Assert.All(result.Traits, t => Assert.Equal(0, t.FrequencyAdjustment));
        Assert.Equal(MatchWeights.Default.Get(Trait.BirthName, TraitLevels.BirthName.Exact).Weight, result[Trait.BirthName].Weight, 9);
    }

    [Fact]
    public void Compare_NonExactAgreement_IsNotAdjusted()
    {
        var engine = new MatchEngine(Small, MatchWeights.Default, TermFrequencies.Count(Base()));
        var result = engine.Compare(TestIdentities.Man("A") with { BirthName = "MARTIN" }, TestIdentities.Man("B") with { BirthName = "MARTTIN" });
        Assert.Equal(TraitLevels.BirthName.Close, result[Trait.BirthName].Level);
        Assert.Equal(0, result[Trait.BirthName].FrequencyAdjustment);
    }

    [Fact]
    public void DetectAll_ScoresLikeCompareWithTheBasesOwnCounts()
    {
        // Full detection counts its records itself; an engine given the same counts must score each pair identically.
        var records = Base();
        records.Add(TestIdentities.Man("V2") with { BirthName = "VERCINGETORIX", Address = "5 RUE DU LAC" });
        var detection = TestIdentities.Engine(Small).DetectAll(records);
        var withCounts = new MatchEngine(Small, MatchWeights.Default, TermFrequencies.Count(records));
        Assert.Contains(detection.Matches, m => m.Traits.Any(t => t.FrequencyAdjustment != 0));
        var byId = records.ToDictionary(r => r.Id);
        Assert.NotEmpty(detection.Matches);
        foreach (var match in detection.Matches)
        {
            Assert.Equal(withCounts.Compare(byId[match.IdA], byId[match.IdB]).Score, match.Score, 9);
        }
    }

    [Fact]
    public void FromCounts_AgreesWithCount()
    {
        var records = Base();
        var counted = TermFrequencies.Count(records);
        var given = TermFrequencies.FromCounts(
            records.Count,
            records.GroupBy(r => r.BirthName).Select(g => (g.Key, g.Count())),
            records.GroupBy(r => string.Join(' ', r.FirstNames)).Select(g => (g.Key, g.Count())));
        var engineA = new MatchEngine(Small, MatchWeights.Default, counted);
        var engineB = new MatchEngine(Small, MatchWeights.Default, given);
        var a = TestIdentities.Man("A") with { BirthName = "MARTIN" };
        Assert.Equal(engineA.Compare(a, a with { Id = "B" }).Score, engineB.Compare(a, a with { Id = "B" }).Score, 9);
    }

    [Fact]
    public void Compare_BaseSmallerThanTheMinimum_IsNotAdjusted()
    {
        var engine = new MatchEngine(new MatchingOptions { TermFrequencyMinRecords = 1_000 }, MatchWeights.Default, TermFrequencies.Count(Base()));
        var martin = TestIdentities.Man("A") with { BirthName = "MARTIN" };
        Assert.All(engine.Compare(martin, martin with { Id = "B" }).Traits, t => Assert.Equal(0, t.FrequencyAdjustment));
    }

    [Fact]
    public void Options_AdjustmentBoundOutOfRange_IsReported() =>
        Assert.Contains(new MatchingOptions { MaxTermFrequencyAdjustment = -1 }.Validate(), e => e.Contains("MaxTermFrequencyAdjustment", StringComparison.Ordinal));
}
