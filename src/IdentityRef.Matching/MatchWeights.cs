using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdentityRef.Matching;

/// <summary>m = P(level | same person), u = P(level | different people); the Fellegi–Sunter weight is log2(m/u).</summary>
public sealed record TraitLevelProbability(Trait Trait, int Level, double M, double U)
{
    public double Weight => Math.Log2(M / U);
}

/// <summary>How EM went: honest about iterations and whether it converged.</summary>
public sealed record TrainingReport(
    int Iterations,
    bool Converged,
    double LastChange,
    long CandidatePairs,
    long PairsUsed,
    int DistinctPatterns,
    double LogLikelihood,
    IReadOnlyList<OversizedBlock> OversizedBlocks);

/// <summary>The m/u table the engine scores with: learnt by <see cref="FellegiSunterTrainer"/>, hand-set, or both (pinned).</summary>
public sealed record MatchWeights(double Prior, IReadOnlyList<TraitLevelProbability> Levels, TrainingReport? Training = null)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Hand-set values for a base too small to learn from. They describe candidate pairs (records that
    /// already share a blocking key), not random pairs, hence the fairly high u for name agreement.
    /// </summary>
    public static MatchWeights Default { get; } = new(0.05, BuildDefaults());

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static MatchWeights FromJson(string json) =>
        JsonSerializer.Deserialize<MatchWeights>(json, Json) ?? throw new JsonException("Empty match weights document.");

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var trait in TraitLevels.All)
        {
            for (var level = 0; level < TraitLevels.Count(trait); level++)
            {
                var found = Levels.Where(l => l.Trait == trait && l.Level == level).ToList();
                if (found.Count != 1)
                {
                    errors.Add($"{trait}/{level}: expected one m/u entry, found {found.Count}.");
                }
                else if (!(found[0].M > 0 && found[0].M <= 1 && found[0].U > 0 && found[0].U <= 1))
                {
                    errors.Add($"{trait}/{level}: m and u must be in (0, 1].");
                }
            }
        }
        if (!(Prior > 0 && Prior < 1))
        {
            errors.Add("Prior must be strictly between 0 and 1.");
        }
        return errors;
    }

    public TraitLevelProbability Get(Trait trait, int level) => Levels.First(l => l.Trait == trait && l.Level == level);

    /// <summary>weights[trait][level] = log2(m/u).</summary>
    internal double[][] ToTable()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid match weights: " + string.Join(" ", errors));
        }
        var table = new double[TraitLevels.All.Count][];
        foreach (var trait in TraitLevels.All)
        {
            table[(int)trait] = new double[TraitLevels.Count(trait)];
        }
        foreach (var level in Levels)
        {
            table[(int)level.Trait][level.Level] = level.Weight;
        }
        return table;
    }

    private static List<TraitLevelProbability> BuildDefaults()
    {
        var list = new List<TraitLevelProbability>();
        void Add(Trait trait, double[] m, double[] u)
        {
            for (var i = 0; i < m.Length; i++)
            {
                list.Add(new TraitLevelProbability(trait, i, m[i], u[i]));
            }
        }
        Add(Trait.BirthName, [0.02, 0.04, 0.06, 0.03, 0.03, 0.82], [0.55, 0.25, 0.05, 0.04, 0.01, 0.10]);
        Add(Trait.FirstNames, [0.02, 0.02, 0.03, 0.06, 0.07, 0.80], [0.78, 0.05, 0.03, 0.03, 0.02, 0.09]);
        Add(Trait.BirthDate, [0.02, 0.03, 0.10, 0.03, 0.82], [0.85, 0.10, 0.03, 0.001, 0.019]);
        Add(Trait.Sex, [0.02, 0.98], [0.5, 0.5]);
        Add(Trait.BirthPlace, [0.04, 0.04, 0.92], [0.85, 0.10, 0.05]);
        Add(Trait.Ins, [0.01, 0.99], [0.999, 0.001]);
        Add(Trait.Postcode, [0.15, 0.05, 0.80], [0.90, 0.05, 0.05]);
        Add(Trait.City, [0.15, 0.05, 0.80], [0.90, 0.03, 0.07]);
        Add(Trait.Address, [0.20, 0.10, 0.10, 0.60], [0.95, 0.04, 0.009, 0.001]);
        return list;
    }
}
