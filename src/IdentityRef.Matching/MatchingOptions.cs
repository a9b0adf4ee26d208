namespace IdentityRef.Matching;

/// <summary>What detection does with a blocking key shared by more records than <see cref="MatchingOptions.MaxBlockSize"/>.</summary>
public enum OversizedBlockAction
{
    /// <summary>Do not pair the block's records through this key (other keys still pair them); report the block.</summary>
    SkipAndReport,

    /// <summary>Pair every record of the block anyway (quadratic cost); still report the block.</summary>
    CompareAndReport,
}

/// <summary>
/// Thresholds, comparator cut-offs and EM settings. The defaults are the values measured in
/// docs/matching-engine.md (FEBRL and the French benchmark); <see cref="Validate"/> lists every problem.
/// </summary>
public sealed record MatchingOptions
{
    /// <summary>Total log2 weight from which a pair is a probable duplicate (sent to the vigilance cell first).</summary>
    public double ProbableThreshold { get; init; } = 13.0;

    /// <summary>Total log2 weight from which a pair is a possible duplicate (worth a look).</summary>
    public double PossibleThreshold { get; init; } = 8.0;

    /// <summary>
    /// Adds the three coarse passes the default blocking narrowed for speed at a million records: last and first
    /// name sounds without any date (NW), name sound + birth year without a first-name initial (NYW), sorted date +
    /// a single initial (DI). They find pairs whose whole birth date or whole first name was replaced (FEBRL) at
    /// the cost of ≈ 45 M more candidate pairs at a million records. Off by default: under the French rules such a
    /// pair cannot be Probable anyway (homonym, twin); on in <see cref="Febrl"/>.
    /// </summary>
    public bool WideBlocking { get; init; }

    /// <summary>
    /// The profile for FEBRL-like data (English synthetic records whose duplicates get a whole first name or birth
    /// date replaced): wide blocking, and the look-alike rules (birth date, first name, name agreement) off, since
    /// FEBRL has no twins, homonyms nor parent/child and those rules would hold its replaced-value duplicates at
    /// Possible. Not for French identity vigilance.
    /// </summary>
    public static MatchingOptions Febrl() => new()
    {
        WideBlocking = true,
        RequireBirthDateAgreementForProbable = false,
        RequireFirstNameAgreementForProbable = false,
        RequireNameAgreementForProbable = false,
    };

    /// <summary>
    /// Term-frequency adjustment: an exact birth-name or first-name agreement weighs log2(m / share of that name in
    /// the base) instead of log2(m/u), so MARTIN counts less and a rare name more (see <see cref="TermFrequencies"/>).
    /// </summary>
    public bool TermFrequencyAdjustment { get; init; } = true;

    /// <summary>Below this many records name counts are noise (in a base of ten, every name is "common"): no adjustment.</summary>
    public int TermFrequencyMinRecords { get; init; } = 1_000;

    /// <summary>The most, in bits, term frequencies move one trait's weight either way (a single clerical error must not dominate).</summary>
    public double MaxTermFrequencyAdjustment { get; init; } = 3.0;

    /// <summary>Largest block paired exhaustively during full detection; larger ones are reported.</summary>
    public int MaxBlockSize { get; init; } = 2_000;

    public OversizedBlockAction OversizedBlocks { get; init; } = OversizedBlockAction.SkipAndReport;

    /// <summary>Jaro–Winkler from which two names count as a typing error of each other.</summary>
    public double NameCloseSimilarity { get; init; } = 0.92;

    /// <summary>Jaro–Winkler from which two names count as phonetically close (together with the Soundex2 key).</summary>
    public double NamePhoneticSimilarity { get; init; } = 0.85;

    /// <summary>FuzzySharp token-set ratio (0-100) from which two addresses are close.</summary>
    public int AddressCloseRatio { get; init; } = 90;

    /// <summary>FuzzySharp token-set ratio (0-100) from which two addresses are similar.</summary>
    public int AddressSimilarRatio { get; init; } = 70;

    /// <summary>Homonyms and parent/child: no probable duplicate unless the birth dates agree up to a keying error (same year when only two of day, month, year agree).</summary>
    public bool RequireBirthDateAgreementForProbable { get; init; } = true;

    /// <summary>
    /// Two birth dates this many years apart or more are two generations (parent and child named alike),
    /// even when they differ by one digit (1950/1990) or agree on day and month; 15 still lets a mistyped
    /// decade digit (10 years) through.
    /// </summary>
    public int MinGenerationGapYears { get; init; } = 15;

    /// <summary>
    /// Lifts the <see cref="MinGenerationGapYears"/> rule for a pair identical but for one keyed digit of the birth
    /// year (same day and month, sex, first name, birth name up to a typo, birth place when known): French
    /// identity-vigilance practice lists "identical but for the year" among duplicates, and a parent and a child born
    /// the same day and month are the rare case. Not a national rule (unconfirmed): set false to hold every such pair
    /// at Possible.
    /// </summary>
    public bool YearKeyingErrorOverridesGenerationGap { get; init; } = true;

    /// <summary>
    /// Lets a pair whose birth dates differ by two keying errors (two digits, or a digit and a day/month inversion),
    /// less than <see cref="MinGenerationGapYears"/> apart, be Probable when the first names, the sex, the birth name
    /// (up to a typo), the birth place (known on both sides) and the address agree. Not a national rule
    /// (unconfirmed): set false to hold every pair with different dates at Possible.
    /// </summary>
    public bool TwoDateKeyingErrorsCanBeProbable { get; init; } = true;

    /// <summary>Twins: no probable duplicate when both first names are known and neither agree, contain each other, nor sound alike.</summary>
    public bool RequireFirstNameAgreementForProbable { get; init; } = true;

    /// <summary>No probable duplicate when the birth names differ (not crossed with a used name, not a part, not phonetic, not a typo).</summary>
    public bool RequireNameAgreementForProbable { get; init; } = true;

    /// <summary>Two different INS are two people, whatever the other traits say.</summary>
    public bool DifferentInsPreventsProbable { get; init; } = true;

    /// <summary>Threads used by full detection and training (the servers have two cores).</summary>
    public int MaxDegreeOfParallelism { get; init; } = 2;

    public int EmMaxIterations { get; init; } = 200;

    /// <summary>EM stops when no m, u or prior moves by more than this between two iterations.</summary>
    public double EmConvergenceTolerance { get; init; } = 1e-6;

    public double EmInitialPrior { get; init; } = 0.05;

    /// <summary>Candidate pairs used for EM on a large base; a deterministic stride sample beyond this.</summary>
    public int EmMaxTrainingPairs { get; init; } = 4_000_000;

    /// <summary>
    /// The final u comes from random pairs of the base (EM on candidates still learns m, u and the prior,
    /// but candidates' u only serves to separate the two classes); false: the EM u is kept.
    /// </summary>
    public bool EstimateUFromRandomPairs { get; init; } = true;

    public int UEstimationPairs { get; init; } = 300_000;

    public int UEstimationSeed { get; init; } = 1;

    /// <summary>m/u values held fixed during EM (known from experience, or decided by the vigilance cell).</summary>
    public IReadOnlyList<TraitLevelProbability> PinnedProbabilities { get; init; } = [];

    /// <summary>Floor for any learnt probability, so that no weight becomes infinite.</summary>
    public double MinProbability { get; init; } = 1e-5;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!double.IsFinite(ProbableThreshold) || !double.IsFinite(PossibleThreshold))
        {
            errors.Add("Thresholds must be finite numbers.");
        }
        else if (PossibleThreshold > ProbableThreshold)
        {
            errors.Add("PossibleThreshold must not exceed ProbableThreshold.");
        }
        if (!(MaxTermFrequencyAdjustment >= 0 && MaxTermFrequencyAdjustment <= 20))
        {
            errors.Add("MaxTermFrequencyAdjustment must be between 0 and 20 bits.");
        }
        if (TermFrequencyMinRecords < 1)
        {
            errors.Add("TermFrequencyMinRecords must be at least 1.");
        }
        if (MaxBlockSize < 2)
        {
            errors.Add("MaxBlockSize must be at least 2.");
        }
        if (!Enum.IsDefined(OversizedBlocks))
        {
            errors.Add("OversizedBlocks is not a known action.");
        }
        if (!(NamePhoneticSimilarity > 0 && NamePhoneticSimilarity <= NameCloseSimilarity && NameCloseSimilarity < 1))
        {
            errors.Add("Name similarities must satisfy 0 < NamePhoneticSimilarity <= NameCloseSimilarity < 1.");
        }
        if (!(AddressSimilarRatio > 0 && AddressSimilarRatio <= AddressCloseRatio && AddressCloseRatio <= 100))
        {
            errors.Add("Address ratios must satisfy 0 < AddressSimilarRatio <= AddressCloseRatio <= 100.");
        }
        if (MinGenerationGapYears < 1)
        {
            errors.Add("MinGenerationGapYears must be at least 1.");
        }
        if (MaxDegreeOfParallelism < 1)
        {
            errors.Add("MaxDegreeOfParallelism must be at least 1.");
        }
        if (EmMaxIterations < 1)
        {
            errors.Add("EmMaxIterations must be at least 1.");
        }
        if (!(EmConvergenceTolerance > 0))
        {
            errors.Add("EmConvergenceTolerance must be positive.");
        }
        if (!(EmInitialPrior > 0 && EmInitialPrior < 1))
        {
            errors.Add("EmInitialPrior must be strictly between 0 and 1.");
        }
        if (EmMaxTrainingPairs < 1)
        {
            errors.Add("EmMaxTrainingPairs must be at least 1.");
        }
        if (UEstimationPairs < 1)
        {
            errors.Add("UEstimationPairs must be at least 1.");
        }
        if (!(MinProbability > 0 && MinProbability < 0.01))
        {
            errors.Add("MinProbability must be in (0, 0.01).");
        }
        foreach (var pinned in PinnedProbabilities ?? [])
        {
            if (!Enum.IsDefined(pinned.Trait) || pinned.Level < 0 || pinned.Level >= TraitLevels.Count(pinned.Trait))
            {
                errors.Add($"Pinned probability {pinned.Trait}/{pinned.Level} names no trait level.");
            }
            else if (!(pinned.M > 0 && pinned.M < 1 && pinned.U > 0 && pinned.U < 1))
            {
                errors.Add($"Pinned probability {pinned.Trait}/{pinned.Level} needs 0 < m < 1 and 0 < u < 1.");
            }
        }
        return errors;
    }

    /// <summary>Throws when the options are invalid: building an engine from bad options is a bug.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid matching options: " + string.Join(" ", errors));
        }
    }
}
