using System.Collections.Concurrent;
using System.Globalization;

namespace IdentityRef.Matching;

/// <summary>
/// The matcher: candidate generation (<see cref="BlockingKeys"/>, <see cref="DetectAll"/>), comparison
/// (<see cref="TraitComparers"/>), Fellegi–Sunter scoring with <see cref="MatchWeights"/>, classification
/// with <see cref="MatchingOptions"/> thresholds and identity-vigilance rules. Thread-safe and deterministic.
/// </summary>
public sealed class MatchEngine
{
    private readonly double[][] _weights;

    /// <param name="frequencies">
    /// How common each name is in the base, for <see cref="MatchingOptions.TermFrequencyAdjustment"/> in
    /// <see cref="Compare"/> and <see cref="RankCandidates"/>; <see cref="DetectAll"/> counts its own records.
    /// </param>
    public MatchEngine(MatchingOptions options, MatchWeights? weights = null, TermFrequencies? frequencies = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        Options = options;
        Weights = weights ?? MatchWeights.Default;
        Frequencies = frequencies ?? TermFrequencies.None;
        _weights = Weights.ToTable();
        _bestAddressWeight = Math.Max(0, _weights[(int)Trait.Address].Max());
        _exactNameU = Weights.Get(Trait.BirthName, TraitLevels.BirthName.Exact).U;
        _exactFirstNameU = Weights.Get(Trait.FirstNames, TraitLevels.FirstNames.Exact).U;
    }

    private readonly double _bestAddressWeight;
    private readonly double _exactNameU;
    private readonly double _exactFirstNameU;

    public MatchingOptions Options { get; }

    public MatchWeights Weights { get; }

    public TermFrequencies Frequencies { get; }

    public IEnumerable<string> BlockingKeys(MatchRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Blocking.Keys(new PreparedRecord(record), Options.WideBlocking);
    }

    public MatchResult Compare(MatchRecord a, MatchRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Explain(new PreparedRecord(a), new PreparedRecord(b), Frequencies);
    }

    /// <summary>
    /// Check-before-create: the probe against candidates fetched by its blocking keys, best first. With
    /// <paramref name="atLeast"/> above <see cref="MatchClass.Distinct"/>, candidates that cannot reach that class are
    /// dropped before their address is compared or their explanation built (the same exact pruning as <see cref="DetectAll"/>).
    /// </summary>
    public IReadOnlyList<MatchResult> RankCandidates(MatchRecord probe, IEnumerable<MatchRecord> candidates, MatchClass atLeast = MatchClass.Distinct)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(candidates);
        var prepared = new PreparedRecord(probe);
        var lift = LiftOf(prepared, Frequencies);
        var floor = atLeast switch
        {
            MatchClass.Probable => Options.ProbableThreshold,
            MatchClass.Possible => Options.PossibleThreshold,
            _ => double.NegativeInfinity,
        };
        var seen = new HashSet<string>(StringComparer.Ordinal) { probe.Id };
        var results = new List<MatchResult>();
        foreach (var candidate in candidates)
        {
            if (candidate is null || !seen.Add(candidate.Id))
            {
                continue;
            }
            var other = new PreparedRecord(candidate);
            var pattern = TraitComparers.ComparePatternWithoutAddress(prepared, other, Options, out var swapped);
            var pairLift = swapped ? default : lift;
            if (Score(pattern, pairLift) + _bestAddressWeight < floor)
            {
                continue;
            }
            var result = Build(prepared, other, TraitComparers.WithAddress(pattern, prepared, other, Options), swapped, pairLift);
            if (result.Class >= atLeast)
            {
                results.Add(result);
            }
        }
        results.Sort(ByScoreThenIds);
        return results;
    }

    /// <summary>Every Possible or Probable pair of an in-memory base; oversized blocks are reported, never silently dropped.</summary>
    public DetectionResult DetectAll(IReadOnlyList<MatchRecord> records) => DetectAll(records, null);

    /// <summary>
    /// <see cref="DetectAll(IReadOnlyList{MatchRecord})"/> with its parallel loops on <paramref name="scheduler"/> (null: the
    /// thread pool), at most <see cref="MatchingOptions.MaxDegreeOfParallelism"/> and the scheduler's concurrency at once:
    /// a server runs it on low-priority threads so that requests keep the cores.
    /// </summary>
    /// <param name="cancellationToken">Stops the run between two chunks of work (a server shutting down does not wait for a whole run).</param>
    public DetectionResult DetectAll(IReadOnlyList<MatchRecord> records, TaskScheduler? scheduler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism,
            TaskScheduler = scheduler ?? TaskScheduler.Default,
            CancellationToken = cancellationToken,
        };
        var prepared = CandidateGenerator.Prepare(records, parallel);
        var frequencies = Options.TermFrequencyAdjustment ? TermFrequencies.Count(records) : TermFrequencies.None;
        var lifts = prepared.Select(p => LiftOf(p, frequencies)).ToArray();
        var candidates = CandidateGenerator.Generate(prepared, Options, parallel);
        var pairs = candidates.Pairs;
        var found = new ConcurrentBag<List<MatchResult>>();
        const int chunk = 65_536;
        var chunks = (pairs.Length + chunk - 1) / chunk;
        Parallel.For(0, chunks, parallel, c =>
        {
            var local = new List<MatchResult>();
            var end = Math.Min(pairs.Length, (c + 1) * chunk);
            for (var p = c * chunk; p < end; p++)
            {
                var a = prepared[(int)(pairs[p] >> 32)];
                var b = prepared[(int)(pairs[p] & 0xFFFFFFFF)];
                var pattern = TraitComparers.ComparePatternWithoutAddress(a, b, Options, out var swapped);
                // Exact pruning: when even the best address level cannot lift the pair to Possible, it is not
                // reported whatever the address says, so the costly address comparison is skipped.
                var lift = swapped ? default : lifts[(int)(pairs[p] >> 32)];
                if (Score(pattern, lift) + _bestAddressWeight < Options.PossibleThreshold)
                {
                    continue;
                }
                pattern = TraitComparers.WithAddress(pattern, a, b, Options);
                if (Score(pattern, lift) >= Options.PossibleThreshold)
                {
                    local.Add(Build(a, b, pattern, swapped, lift));
                }
            }
            found.Add(local);
        });
        var matches = found.SelectMany(l => l).ToList();
        matches.Sort(ByScoreThenIds);
        return new DetectionResult(matches, candidates.OversizedBlocks, pairs.LongLength, records.Count) { Frequencies = frequencies };
    }

    /// <summary>The term-frequency parts of a record's exact name agreements (one value each: exact means the same name).</summary>
    private readonly record struct NameLift(double BirthName, double FirstName);

    private NameLift LiftOf(PreparedRecord record, TermFrequencies frequencies)
    {
        if (!Options.TermFrequencyAdjustment || frequencies.Records < Options.TermFrequencyMinRecords)
        {
            return default;
        }
        // log2(u / share): a name one person in a thousand bears says more than the average exact agreement, MARTIN
        // says less; bounded, so that one clerical error never dominates a score.
        double Bounded(double u, double share) =>
            Math.Clamp(Math.Log2(u / share), -Options.MaxTermFrequencyAdjustment, Options.MaxTermFrequencyAdjustment);
        return new NameLift(
            record.Birth.Length > 0 ? Bounded(_exactNameU, frequencies.BirthNameShare(record.Birth)) : 0,
            record.First0.Length > 0 ? Bounded(_exactFirstNameU, frequencies.FirstNameShare(record.First0)) : 0);
    }

    private double Score(ulong pattern, NameLift lift) =>
        Score(pattern)
        + (TraitComparers.Level(pattern, Trait.BirthName) == TraitLevels.BirthName.Exact ? lift.BirthName : 0)
        + (TraitComparers.Level(pattern, Trait.FirstNames) == TraitLevels.FirstNames.Exact ? lift.FirstName : 0);

    internal double Score(ulong pattern)
    {
        var score = 0.0;
        for (var t = 0; t < TraitComparers.TraitCount; t++)
        {
            var level = TraitComparers.Level(pattern, (Trait)t);
            if (level >= 0)
            {
                score += _weights[t][level];
            }
        }
        return score;
    }

    internal MatchResult Explain(PreparedRecord a, PreparedRecord b, TermFrequencies frequencies)
    {
        var pattern = TraitComparers.ComparePattern(a, b, Options, out var swapped);
        return Build(a, b, pattern, swapped, swapped ? default : LiftOf(a, frequencies));
    }

    private MatchResult Build(PreparedRecord a, PreparedRecord b, ulong pattern, bool swapped, NameLift lift)
    {
        var traits = new TraitComparison[TraitComparers.TraitCount];
        foreach (var trait in TraitLevels.All)
        {
            var level = TraitComparers.Level(pattern, trait);
            var adjustment = (trait, level) switch
            {
                (Trait.BirthName, TraitLevels.BirthName.Exact) => lift.BirthName,
                (Trait.FirstNames, TraitLevels.FirstNames.Exact) => lift.FirstName,
                _ => 0.0,
            };
            traits[(int)trait] = new TraitComparison(
                trait,
                level,
                TraitLevels.Name(trait, level),
                level >= 0 ? _weights[(int)trait][level] + adjustment : 0.0,
                Display(a.Source, trait),
                Display(b.Source, trait),
                adjustment);
        }
        var score = Score(pattern, lift);
        var reasons = new List<string>();
        var matchClass = score >= Options.ProbableThreshold ? MatchClass.Probable
            : score >= Options.PossibleThreshold ? MatchClass.Possible
            : MatchClass.Distinct;
        if (matchClass == MatchClass.Probable)
        {
            var date = TraitComparers.Level(pattern, Trait.BirthDate);
            var first = TraitComparers.Level(pattern, Trait.FirstNames);
            var ins = TraitComparers.Level(pattern, Trait.Ins);
            if (Options.DifferentInsPreventsProbable && ins == 0)
            {
                reasons.Add("DifferentIns: two different INS belong to two people.");
            }
            if (Options.RequireBirthDateAgreementForProbable
                && (date == TraitLevels.BirthDate.Different
                        ? !IsTwoDateKeyingErrors(a, b, pattern)
                        : date is TraitLevels.BirthDate.TwoOfThree or TraitLevels.BirthDate.OneDigit
                            && Math.Abs(a.Date / 10000 - b.Date / 10000) >= Options.MinGenerationGapYears
                            && !IsYearKeyingError(a, b, pattern)))
            {
                reasons.Add("BirthDatesDiffer: homonyms and parent/child share names, not a birth date.");
            }
            if (Options.RequireFirstNameAgreementForProbable && first is TraitLevels.FirstNames.Different or TraitLevels.FirstNames.Similar)
            {
                reasons.Add("FirstNamesDiffer: twins and siblings share a name and often a birth date, not a first name (nor its sound).");
            }
            else if (Options.RequireFirstNameAgreementForProbable && TraitComparers.Level(pattern, Trait.Sex) == 0
                && first is not (TraitLevels.FirstNames.Exact or TraitLevels.FirstNames.Contained or TraitLevels.Missing))
            {
                reasons.Add("SexAndFirstNamesDiffer: twins of opposite sex are given matching first names (LOUIS, LOUISE); a sex keyed wrong leaves the first name intact.");
            }
            if (Options.RequireNameAgreementForProbable && TraitComparers.Level(pattern, Trait.BirthName) == TraitLevels.BirthName.Different)
            {
                reasons.Add("BirthNamesDiffer: the birth names agree neither in spelling, sound, parts nor with the used name.");
            }
            if (reasons.Count > 0)
            {
                matchClass = MatchClass.Possible;
            }
        }
        return new MatchResult(a.Source.Id, b.Source.Id, score, matchClass, swapped, traits, reasons);
    }

    /// <summary>
    /// "Identical but for the year of birth" (French identity-vigilance practice): the year differs by one keyed digit
    /// while the day and the month (possibly inverted), the first name (up to a typo) and every other strict trait
    /// agree. A parent and a child named alike share the day and month of birth about once in 365, so a decade digit
    /// keyed wrong is the likelier reading; the pair still goes to the vigilance cell.
    /// Policy: <see cref="MatchingOptions.YearKeyingErrorOverridesGenerationGap"/>.
    /// </summary>
    private bool IsYearKeyingError(PreparedRecord a, PreparedRecord b, ulong pattern)
    {
        int dayMonthA = a.Date % 10000, dayMonthB = b.Date % 10000;
        var sameDayAndMonth = dayMonthA == dayMonthB || dayMonthA == (dayMonthB % 100 * 100) + (dayMonthB / 100);
        return Options.YearKeyingErrorOverridesGenerationGap
            && sameDayAndMonth
            && TraitComparers.IsOneDigitError(a.Date / 10000, b.Date / 10000, digits: 4)
            && TraitComparers.Level(pattern, Trait.FirstNames) >= TraitLevels.FirstNames.Close
            && OtherStrictTraitsAgree(pattern);
    }

    /// <summary>
    /// Two keying errors in one date (two digits, or a digit and an inversion) less than a generation apart, with the
    /// first names, every other strict trait, the birth place (known on both sides) and the address agreeing: homonyms
    /// born in the same commune within a few years do not also share an address.
    /// Policy: <see cref="MatchingOptions.TwoDateKeyingErrorsCanBeProbable"/>.
    /// </summary>
    private bool IsTwoDateKeyingErrors(PreparedRecord a, PreparedRecord b, ulong pattern) =>
        Options.TwoDateKeyingErrorsCanBeProbable
        && Math.Abs(a.Date / 10000 - b.Date / 10000) < Options.MinGenerationGapYears
        && TraitComparers.AreTwoDigitErrorsApart(a.Date, b.Date)
        && TraitComparers.Level(pattern, Trait.FirstNames) >= TraitLevels.FirstNames.Contained
        && TraitComparers.Level(pattern, Trait.BirthPlace) == 2
        && TraitComparers.Level(pattern, Trait.Address) >= 2
        && OtherStrictTraitsAgree(pattern);

    /// <summary>Same sex (or unknown), the birth name up to a typo, the birth place when both are known.</summary>
    private static bool OtherStrictTraitsAgree(ulong pattern) =>
        TraitComparers.Level(pattern, Trait.Sex) != 0
        && TraitComparers.Level(pattern, Trait.BirthName) >= TraitLevels.BirthName.Close
        && TraitComparers.Level(pattern, Trait.BirthPlace) is TraitLevels.Missing or 2;

    private static string? Display(MatchRecord r, Trait trait) => trait switch
    {
        Trait.BirthName => r.UsedName is { Length: > 0 } used ? $"{r.BirthName} (used: {used})" : r.BirthName,
        Trait.FirstNames => string.Join(' ', r.FirstNames ?? []) + (r.UsedFirstName is { Length: > 0 } uf ? $" (used: {uf})" : string.Empty),
        Trait.BirthDate => r.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Trait.Sex => r.Sex.ToString(),
        Trait.BirthPlace => r.BirthPlaceCode,
        Trait.Ins => r.Ins,
        Trait.Postcode => r.Postcode,
        Trait.City => r.City,
        Trait.Address => r.Address,
        _ => null,
    };

    private static int ByScoreThenIds(MatchResult x, MatchResult y)
    {
        var byScore = y.Score.CompareTo(x.Score);
        if (byScore != 0)
        {
            return byScore;
        }
        var byA = string.CompareOrdinal(x.IdA, y.IdA);
        return byA != 0 ? byA : string.CompareOrdinal(x.IdB, y.IdB);
    }
}
