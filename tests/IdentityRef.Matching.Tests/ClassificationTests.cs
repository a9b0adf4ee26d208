using IdentityRef.Matching;
using Xunit;

namespace IdentityRef.Matching.Tests;

/// <summary>One crafted pair per error type (a duplicate: Probable) and per look-alike (never Probable).</summary>
public sealed class ClassificationTests
{
    private readonly MatchEngine _engine = TestIdentities.Engine();

    public static TheoryData<string, MatchRecord> Duplicates()
    {
        var p = TestIdentities.Person("B");
        return new TheoryData<string, MatchRecord>
        {
            { "identical", p },
            { "birth name typo", p with { BirthName = "MARTIN-DUBIOS" } },
            { "first name typo", p with { FirstNames = ["CLIARE", "ANNE", "SOPHIE"] } },
            { "phonetic spelling", p with { BirthName = "MARTAIN-DUBOIS" } },
            { "day/month inversion", p with { BirthDate = new DateOnly(1984, 7, 3) } },
            { "one digit in the date", p with { BirthDate = new DateOnly(1984, 3, 8) } },
            { "used name keyed as birth name", p with { BirthName = "LEROY", UsedName = null } },
            { "missing first names", p with { FirstNames = ["CLAIRE"] } },
            { "reordered first names", p with { FirstNames = ["ANNE", "CLAIRE", "SOPHIE"] } },
            { "cut compound name", p with { BirthName = "MARTIN" } },
            { "space instead of hyphen", p with { BirthName = "MARTIN DUBOIS" } },
            { "first and last names swapped", p with { BirthName = "CLAIRE", FirstNames = ["MARTIN-DUBOIS"] } },
            { "names swapped, compound name cut", p with { BirthName = "CLAIRE", FirstNames = ["DUBOIS"] } },
            { "names swapped, used name keyed as first name", p with { BirthName = "CLAIRE", FirstNames = ["LEROY"], UsedName = null } },
            { "decade digit of the birth year", p with { BirthDate = new DateOnly(1954, 3, 7) } },
            { "decade digit and day/month inversion", p with { BirthDate = new DateOnly(1954, 7, 3) } },
            { "two digits of the date, same address", p with { BirthDate = new DateOnly(1985, 3, 9) } },
            { "moved house", p with { Address = "3 PLACE BELLECOUR", Postcode = "69002" } },
        };
    }

    [Theory]
    [MemberData(nameof(Duplicates))]
    public void Compare_DuplicateWithOneKnownError_IsProbable(string error, MatchRecord duplicate)
    {
        var result = _engine.Compare(TestIdentities.Person("A"), duplicate);
        Assert.True(result.Class == MatchClass.Probable, $"{error}: {result.Class}, score {result.Score:F1}, reasons {string.Join(' ', result.Reasons)}");
    }

    [Fact]
    public void Compare_Twins_AreNotProbable()
    {
        var twin = TestIdentities.Person("B") with { FirstNames = ["JULIE"], UsedName = null };
        var result = _engine.Compare(TestIdentities.Person("A"), twin);
        Assert.NotEqual(MatchClass.Probable, result.Class);
    }

    [Fact]
    public void Compare_Homonyms_AreNotProbable()
    {
        var homonym = TestIdentities.Person("B") with { BirthDate = new DateOnly(1971, 10, 22), Address = "8 RUE VICTOR HUGO", Postcode = "13001", City = "MARSEILLE" };
        var result = _engine.Compare(TestIdentities.Person("A"), homonym);
        Assert.NotEqual(MatchClass.Probable, result.Class);
    }

    [Theory]
    [InlineData(1992, 5, 14)]
    [InlineData(1991, 12, 4)] // a one-digit year away, but not the same day and month
    [InlineData(1992, 11, 14)] // two digits away: only within a generation do two date errors count
    public void Compare_FatherAndSonNamedAlike_AreNotProbable(int year, int month, int day)
    {
        var father = TestIdentities.Man("A");
        var son = father with { Id = "B", BirthDate = new DateOnly(year, month, day) };
        var result = _engine.Compare(father, son);
        Assert.NotEqual(MatchClass.Probable, result.Class);
        Assert.Contains(result.Reasons, r => r.StartsWith("BirthDatesDiffer", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_IdenticalButForOneYearDigit_IsProbableUnlessThePolicyIsOff()
    {
        // Born the same day and month, one digit apart in the year: a decade keyed wrong, or a father and son born on
        // the same day (about once in 365). The default reads a keying error; the policy can hold such pairs instead.
        var father = TestIdentities.Man("A");
        var son = father with { Id = "B", BirthDate = new DateOnly(1992, 11, 4) };
        Assert.Equal(MatchClass.Probable, _engine.Compare(father, son).Class);

        var strict = TestIdentities.Engine(new MatchingOptions { YearKeyingErrorOverridesGenerationGap = false });
        var held = strict.Compare(father, son);
        Assert.Equal(MatchClass.Possible, held.Class);
        Assert.Contains(held.Reasons, r => r.StartsWith("BirthDatesDiffer", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("B", null, "13055")] // born elsewhere
    [InlineData("C", "184117512345678", "75112")] // another INS: qualified identities tell parent from child
    public void Compare_SameBirthdayAGenerationApart_WithAnotherStrictTraitDiffering_IsNotProbable(string id, string? insB, string place)
    {
        var father = TestIdentities.Man("A") with { Ins = insB is null ? null : "162117512345699" };
        var son = father with { Id = id, BirthDate = new DateOnly(1992, 11, 4), BirthPlaceCode = place, Ins = insB };
        Assert.NotEqual(MatchClass.Probable, _engine.Compare(father, son).Class);
    }

    [Fact]
    public void Compare_TwoDateErrorsAfterAMove_IsNotProbable()
    {
        // Two date errors count only when the address agrees too: homonyms born the same year in one commune live apart.
        var moved = TestIdentities.Person("B") with { BirthDate = new DateOnly(1985, 3, 9), Address = "3 PLACE BELLECOUR", Postcode = "69002" };
        // Scored with a threshold low enough that only the rule can hold the pair.
        var engine = TestIdentities.Engine(new MatchingOptions { ProbableThreshold = -40, PossibleThreshold = -50 });
        var result = engine.Compare(TestIdentities.Person("A"), moved);
        Assert.Equal(MatchClass.Possible, result.Class);
        Assert.Contains(result.Reasons, r => r.StartsWith("BirthDatesDiffer", StringComparison.Ordinal));
        Assert.Equal(MatchClass.Probable, engine.Compare(TestIdentities.Person("A"), moved with { Address = "12 RUE DES LILAS", Postcode = "69003" }).Class);
    }

    [Theory]
    [InlineData("LOUIS", 'M', "LOUISE", 'F')] // close spelling, opposite sex
    [InlineData("FLORENCE", 'F', "FLORIAN", 'M')] // same sound, opposite sex
    [InlineData("CAROLINE", 'F', "CARINE", 'F')] // a shared prefix is not a typo
    public void Compare_TwinsWithMatchingFirstNames_AreNotProbable(string firstA, char sexA, string firstB, char sexB)
    {
        var a = TestIdentities.Man("A") with { FirstNames = [firstA], Sex = sexA };
        var b = a with { Id = "B", FirstNames = [firstB], Sex = sexB };
        var result = _engine.Compare(a, b);
        Assert.NotEqual(MatchClass.Probable, result.Class);
        Assert.NotEmpty(result.Reasons);
    }

    [Fact]
    public void Compare_DifferentIns_IsNeverProbable()
    {
        var result = _engine.Compare(TestIdentities.Person("A") with { Ins = "284036912345678" }, TestIdentities.Person("B") with { Ins = "284036912399999" });
        Assert.NotEqual(MatchClass.Probable, result.Class);
    }

    [Fact]
    public void Compare_UnrelatedPeople_AreDistinct() =>
        Assert.Equal(MatchClass.Distinct, _engine.Compare(TestIdentities.Person("A"), TestIdentities.Man("B")).Class);

    [Fact]
    public void Compare_Result_ExplainsEveryTrait()
    {
        var result = _engine.Compare(TestIdentities.Person("A"), TestIdentities.Person("B") with { BirthDate = new DateOnly(1984, 7, 3) });
        Assert.Equal(TraitLevels.All.Count, result.Traits.Count);
        var date = result[Trait.BirthDate];
        Assert.Equal("DayMonthSwapped", date.LevelName);
        Assert.Equal("1984-03-07", date.ValueA);
        Assert.Equal("1984-07-03", date.ValueB);
        Assert.Equal(result.Traits.Sum(t => t.Weight), result.Score, 9);
    }

    [Fact]
    public void Compare_UnnormalisedInput_MatchesNormalisedInput()
    {
        var messy = TestIdentities.Person("B") with { BirthName = " martin–dubois ", FirstNames = ["Claire", "Anne", "Sophie"] };
        Assert.Equal(MatchClass.Probable, _engine.Compare(TestIdentities.Person("A"), messy).Class);
    }

    [Fact]
    public void RankCandidates_BestFirst_SkipsTheProbeItself()
    {
        var probe = TestIdentities.Person("P");
        var ranked = _engine.RankCandidates(probe, [TestIdentities.Man("M"), probe, TestIdentities.Person("D") with { FirstNames = ["CLAIRE"] }]);
        Assert.Equal(["D", "M"], ranked.Select(r => r.IdB));
        Assert.True(ranked[0].Score > ranked[1].Score);
    }

    [Fact]
    public void RankCandidates_AtLeastPossible_KeepsExactlyTheLikelyOnes()
    {
        var probe = TestIdentities.Person("P");
        var candidates = Duplicates().Select((d, i) => ((MatchRecord)d[1]) with { Id = $"D{i}" })
            .Concat([TestIdentities.Man("M"), TestIdentities.Person("T") with { FirstNames = ["JULIE"], UsedName = null }, TestIdentities.Man("M2") with { BirthName = "MARTIN-DUBOIS" }])
            .ToList();
        var all = _engine.RankCandidates(probe, candidates);
        var likely = _engine.RankCandidates(probe, candidates, MatchClass.Possible);
        Assert.Contains(all, r => r.Class == MatchClass.Distinct);
        Assert.Equal(all.Where(r => r.Class >= MatchClass.Possible).Select(r => (r.IdB, r.Score, r.Class)), likely.Select(r => (r.IdB, r.Score, r.Class)));
        Assert.Equal(all.Where(r => r.Class == MatchClass.Probable).Select(r => r.IdB), _engine.RankCandidates(probe, candidates, MatchClass.Probable).Select(r => r.IdB));
    }
}
