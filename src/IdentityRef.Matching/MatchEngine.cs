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

    public MatchEngine(MatchingOptions options, MatchWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        Options = options;
        Weights = weights ?? MatchWeights.Default;
        _weights = Weights.ToTable();
        _bestAddressWeight = Math.Max(0, _weights[(int)Trait.Address].Max());
    }

    private readonly double _bestAddressWeight;

    public MatchingOptions Options { get; }

    public MatchWeights Weights { get; }

    public IEnumerable<string> BlockingKeys(MatchRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Blocking.Keys(new PreparedRecord(record), Options.WideBlocking);
    }

    public MatchResult Compare(MatchRecord a, MatchRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Explain(new PreparedRecord(a), new PreparedRecord(b));
    }

    /// <summary>Check-before-create: the probe against candidates fetched by its blocking keys, best first.</summary>
    public IReadOnlyList<MatchResult> RankCandidates(MatchRecord probe, IEnumerable<MatchRecord> candidates)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(candidates);
        var prepared = new PreparedRecord(probe);
        var seen = new HashSet<string>(StringComparer.Ordinal) { probe.Id };
        var results = new List<MatchResult>();
        foreach (var candidate in candidates)
        {
            if (candidate is not null && seen.Add(candidate.Id))
            {
                results.Add(Explain(prepared, new PreparedRecord(candidate)));
            }
        }
        results.Sort(ByScoreThenIds);
        return results;
    }

    /// <summary>Every Possible or Probable pair of an in-memory base; oversized blocks are reported, never silently dropped.</summary>
    public DetectionResult DetectAll(IReadOnlyList<MatchRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var prepared = CandidateGenerator.Prepare(records, Options.MaxDegreeOfParallelism);
        var candidates = CandidateGenerator.Generate(prepared, Options);
        var pairs = candidates.Pairs;
        var found = new ConcurrentBag<List<MatchResult>>();
        const int chunk = 65_536;
        var chunks = (pairs.Length + chunk - 1) / chunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism }, c =>
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
                if (Score(pattern) + _bestAddressWeight < Options.PossibleThreshold)
                {
                    continue;
                }
                pattern = TraitComparers.WithAddress(pattern, a, b, Options);
                if (Score(pattern) >= Options.PossibleThreshold)
                {
                    local.Add(Build(a, b, pattern, swapped));
                }
            }
            found.Add(local);
        });
        var matches = found.SelectMany(l => l).ToList();
        matches.Sort(ByScoreThenIds);
        return new DetectionResult(matches, candidates.OversizedBlocks, pairs.LongLength, records.Count);
    }

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

    internal MatchResult Explain(PreparedRecord a, PreparedRecord b)
    {
        var pattern = TraitComparers.ComparePattern(a, b, Options, out var swapped);
        return Build(a, b, pattern, swapped);
    }

    private MatchResult Build(PreparedRecord a, PreparedRecord b, ulong pattern, bool swapped)
    {
        var traits = new TraitComparison[TraitComparers.TraitCount];
        foreach (var trait in TraitLevels.All)
        {
            var level = TraitComparers.Level(pattern, trait);
            traits[(int)trait] = new TraitComparison(
                trait,
                level,
                TraitLevels.Name(trait, level),
                level >= 0 ? _weights[(int)trait][level] : 0.0,
                Display(a.Source, trait),
                Display(b.Source, trait));
        }
        var score = Score(pattern);
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
                && (date == TraitLevels.BirthDate.Different || (date is TraitLevels.BirthDate.TwoOfThree or TraitLevels.BirthDate.OneDigit
                        && Math.Abs((a.Source.BirthDate!.Value.Year) - b.Source.BirthDate!.Value.Year) >= Options.MinGenerationGapYears)))
            {
                reasons.Add("BirthDatesDiffer: homonyms and parent/child share names, not a birth date.");
            }
            if (Options.RequireFirstNameAgreementForProbable && first is TraitLevels.FirstNames.Different or TraitLevels.FirstNames.Similar)
            {
                reasons.Add("FirstNamesDiffer: twins and siblings share a name and often a birth date, not a first name (nor its sound).");
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
