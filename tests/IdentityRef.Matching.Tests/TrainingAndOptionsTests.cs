using IdentityRef.Matching;
using Xunit;

namespace IdentityRef.Matching.Tests;

public sealed class TrainingAndOptionsTests
{
    [Fact]
    public void TrainOnPatterns_SyntheticMixture_ConvergesToTheTrueParameters()
    {
        // Two classes with known m and u on four traits; EM must find them again.
        var random = new Random(12345);
        const double truePrior = 0.2;
        double[] mName = [0.02, 0.03, 0.05, 0.0, 0.0, 0.90], uName = [0.90, 0.06, 0.02, 0.0, 0.0, 0.02];
        double[] mFirst = [0.03, 0.0, 0.02, 0.05, 0.0, 0.90], uFirst = [0.85, 0.0, 0.05, 0.05, 0.0, 0.05];
        double[] mDate = [0.02, 0.0, 0.08, 0.0, 0.90], uDate = [0.70, 0.0, 0.10, 0.0, 0.20];
        double[] mSex = [0.02, 0.98], uSex = [0.5, 0.5];
        int Draw(double[] p)
        {
            var x = random.NextDouble();
            for (var i = 0; i < p.Length; i++)
            {
                x -= p[i];
                if (x < 0)
                {
                    return i;
                }
            }
            return p.Length - 1;
        }
        var counts = new Dictionary<ulong, long>();
        for (var i = 0; i < 50_000; i++)
        {
            var match = random.NextDouble() < truePrior;
            ulong pattern = 0;
            pattern |= (ulong)(Draw(match ? mName : uName) + 1) << ((int)Trait.BirthName * 4);
            pattern |= (ulong)(Draw(match ? mFirst : uFirst) + 1) << ((int)Trait.FirstNames * 4);
            pattern |= (ulong)(Draw(match ? mDate : uDate) + 1) << ((int)Trait.BirthDate * 4);
            pattern |= (ulong)(Draw(match ? mSex : uSex) + 1) << ((int)Trait.Sex * 4);
            counts[pattern] = counts.GetValueOrDefault(pattern) + 1;
        }

        var weights = FellegiSunterTrainer.TrainOnPatterns(counts, new MatchingOptions { EstimateUFromRandomPairs = false }, 50_000, []);

        Assert.NotNull(weights.Training);
        Assert.True(weights.Training.Converged, $"not converged after {weights.Training.Iterations} iterations");
        Assert.InRange(weights.Prior, truePrior - 0.02, truePrior + 0.02);
        Assert.InRange(weights.Get(Trait.BirthName, TraitLevels.BirthName.Exact).M, 0.86, 0.94);
        Assert.InRange(weights.Get(Trait.BirthName, TraitLevels.BirthName.Exact).U, 0.0, 0.05);
        Assert.InRange(weights.Get(Trait.BirthDate, TraitLevels.BirthDate.Exact).U, 0.16, 0.24);
    }

    [Fact]
    public void TrainOnPatterns_TooFewIterations_ReportsNotConverged()
    {
        var counts = new Dictionary<ulong, long>
        {
            [(6UL << ((int)Trait.BirthName * 4)) | (6UL << ((int)Trait.FirstNames * 4)) | (5UL << ((int)Trait.BirthDate * 4))] = 100,
            [(1UL << ((int)Trait.BirthName * 4)) | (6UL << ((int)Trait.FirstNames * 4)) | (1UL << ((int)Trait.BirthDate * 4))] = 300,
            [(6UL << ((int)Trait.BirthName * 4)) | (1UL << ((int)Trait.FirstNames * 4)) | (5UL << ((int)Trait.BirthDate * 4))] = 50,
        };
        var weights = FellegiSunterTrainer.TrainOnPatterns(counts, new MatchingOptions { EmMaxIterations = 1, EstimateUFromRandomPairs = false }, 450, []);
        Assert.Equal(1, weights.Training!.Iterations);
        Assert.False(weights.Training.Converged);
    }

    [Fact]
    public void TrainOnPatterns_PinnedProbability_StaysPinned()
    {
        var pin = new TraitLevelProbability(Trait.BirthDate, TraitLevels.BirthDate.DayMonthSwapped, 0.04, 0.0001);
        var counts = new Dictionary<ulong, long>
        {
            [(6UL << ((int)Trait.BirthName * 4)) | (6UL << ((int)Trait.FirstNames * 4)) | (5UL << ((int)Trait.BirthDate * 4))] = 100,
            [(1UL << ((int)Trait.BirthName * 4)) | (1UL << ((int)Trait.FirstNames * 4)) | (1UL << ((int)Trait.BirthDate * 4))] = 300,
        };
        var weights = FellegiSunterTrainer.TrainOnPatterns(counts, new MatchingOptions { PinnedProbabilities = [pin], EstimateUFromRandomPairs = false }, 400, []);
        var learnt = weights.Get(Trait.BirthDate, TraitLevels.BirthDate.DayMonthSwapped);
        Assert.Equal(pin.M, learnt.M, 12);
        Assert.Equal(pin.U, learnt.U, 12);
    }

    [Fact]
    public void Train_SmallBase_LearnsThatNameAgreementIsEvidence()
    {
        var records = SmallBase();
        var weights = FellegiSunterTrainer.Train(records, new MatchingOptions());
        Assert.True(weights.Training!.Iterations >= 1);
        // The duplicates of this base differ by one letter of the birth name and agree on everything else.
        Assert.True(weights.Get(Trait.BirthName, TraitLevels.BirthName.Close).Weight > 0);
        Assert.True(weights.Get(Trait.FirstNames, TraitLevels.FirstNames.Exact).Weight > 0);
        Assert.True(weights.Get(Trait.BirthDate, TraitLevels.BirthDate.Different).Weight < 0);
        Assert.Empty(weights.Validate());
    }

    [Fact]
    public void MatchWeights_Json_RoundTrips()
    {
        var weights = FellegiSunterTrainer.Train(SmallBase(), new MatchingOptions());
        var back = MatchWeights.FromJson(weights.ToJson());
        Assert.Equal(weights.Prior, back.Prior);
        Assert.Equal(weights.Levels, back.Levels);
        Assert.Equal(weights.Training!.Iterations, back.Training!.Iterations);
        var a = TestIdentities.Person("A");
        var b = TestIdentities.Person("B") with { BirthName = "MARTIN-DUBIOS" };
        Assert.Equal(new MatchEngine(new MatchingOptions(), weights).Compare(a, b).Score, new MatchEngine(new MatchingOptions(), back).Compare(a, b).Score);
    }

    [Fact]
    public void Validate_DefaultOptions_HaveNoError() => Assert.Empty(new MatchingOptions().Validate());

    [Fact]
    public void Validate_BadOptions_ListsEachProblem()
    {
        var options = new MatchingOptions
        {
            ProbableThreshold = 2,
            PossibleThreshold = 5,
            MaxBlockSize = 1,
            NameCloseSimilarity = 0.5,
            EmInitialPrior = 1.5,
            PinnedProbabilities = [new TraitLevelProbability(Trait.Sex, 7, 0.5, 0.5)],
        };
        var errors = options.Validate();
        Assert.Equal(5, errors.Count);
        Assert.Throws<ArgumentException>(() => new MatchEngine(options));
    }

    [Fact]
    public void MatchEngine_IncompleteWeights_Throws() =>
        Assert.Throws<ArgumentException>(() => new MatchEngine(new MatchingOptions(), new MatchWeights(0.1, [])));

    internal static List<MatchRecord> SmallBase()
    {
        var first = new[] { "CLAIRE", "JULIE", "PAUL", "LUC", "EMMA", "HUGO", "LEA", "NOAH", "ANNE", "MARC" };
        var last = new[] { "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT", "SIMON", "MICHEL" };
        var records = new List<MatchRecord>();
        for (var i = 0; i < 120; i++)
        {
            var r = new MatchRecord($"R{i}", last[i % last.Length], [first[(i * 7) % first.Length]], BirthDate: new DateOnly(1940 + (i % 60), 1 + (i % 12), 1 + (i % 28)),
                Sex: i % 2 == 0 ? 'F' : 'M', Postcode: $"{10000 + (i * 37 % 900)}", City: "VILLE" + (i % 40));
            records.Add(r);
            if (i % 3 == 0)
            {
                records.Add(r with { Id = $"R{i}-d", BirthName = r.BirthName + "E" });
            }
        }
        return records;
    }
}
