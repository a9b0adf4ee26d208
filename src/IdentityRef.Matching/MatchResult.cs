namespace IdentityRef.Matching;

public enum MatchClass
{
    Distinct,
    Possible,
    Probable,
}

/// <summary>
/// One trait of one pair: the level reached, its log2(m/u) weight and the two values compared. <see cref="FrequencyAdjustment"/>
/// is the part of the weight due to how common the agreeing name is (0 without term-frequency adjustment).
/// </summary>
public sealed record TraitComparison(Trait Trait, int Level, string LevelName, double Weight, string? ValueA, string? ValueB, double FrequencyAdjustment = 0);

/// <summary>
/// A scored pair that explains itself. <see cref="Reasons"/> lists the identity-vigilance rules that
/// held the class below Probable (twins, homonyms, parent/child, different INS).
/// </summary>
public sealed record MatchResult(
    string IdA,
    string IdB,
    double Score,
    MatchClass Class,
    bool NamesSwapped,
    IReadOnlyList<TraitComparison> Traits,
    IReadOnlyList<string> Reasons)
{
    public TraitComparison this[Trait trait] => Traits[(int)trait];
}

/// <summary>A blocking key shared by more records than the options allow.</summary>
public sealed record OversizedBlock(string Key, int Size, bool Compared);

/// <summary>Full-base detection: every pair classed Possible or Probable, best first, and the blocks that were too large.</summary>
public sealed record DetectionResult(
    IReadOnlyList<MatchResult> Matches,
    IReadOnlyList<OversizedBlock> OversizedBlocks,
    long CandidatePairs,
    int RecordCount)
{
    /// <summary>The name counts of the base scored (<see cref="TermFrequencies.None"/> with the adjustment off).</summary>
    public TermFrequencies Frequencies { get; init; } = TermFrequencies.None;
}
