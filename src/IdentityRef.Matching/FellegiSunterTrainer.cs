namespace IdentityRef.Matching;

/// <summary>
/// Learns m and u by expectation–maximisation on the candidate pairs of a base (conditional independence
/// of traits assumed, missing values ignored). Pinned values stay fixed. The report says how many
/// iterations ran and whether the parameters stopped moving, or whether it simply ran out of iterations.
/// </summary>
public static class FellegiSunterTrainer
{
    public static MatchWeights Train(IReadOnlyList<MatchRecord> records, MatchingOptions options)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        var prepared = CandidateGenerator.Prepare(records, options.MaxDegreeOfParallelism);
        var candidates = CandidateGenerator.Generate(prepared, options);
        var pairs = candidates.Pairs;

        // A deterministic stride sample keeps EM affordable on a large base.
        var stride = Math.Max(1L, (pairs.LongLength + options.EmMaxTrainingPairs - 1) / options.EmMaxTrainingPairs);
        var sampled = (int)((pairs.LongLength + stride - 1) / stride);
        var patterns = new ulong[sampled];
        Parallel.For(0, sampled, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, s =>
        {
            var pair = pairs[s * stride];
            patterns[s] = TraitComparers.ComparePattern(prepared[(int)(pair >> 32)], prepared[(int)(pair & 0xFFFFFFFF)], options, out _);
        });
        var counts = new Dictionary<ulong, long>();
        foreach (var pattern in patterns)
        {
            counts[pattern] = counts.GetValueOrDefault(pattern) + 1;
        }
        var u = options.EstimateUFromRandomPairs && prepared.Length >= 2 ? EstimateU(prepared, options) : null;
        return TrainOnPatterns(counts, options, pairs.LongLength, candidates.OversizedBlocks, u);
    }

    /// <summary>
    /// u from random pairs of the base (almost all of them are different people), as Splink does: blocked
    /// candidates share a key, so their u overstates how common an agreement is. A fixed seed keeps it
    /// deterministic.
    /// </summary>
    internal static double[][] EstimateU(PreparedRecord[] prepared, MatchingOptions options)
    {
        var n = prepared.Length;
        var total = (long)n * (n - 1) / 2;
        var samples = (int)Math.Min(options.UEstimationPairs, total);
        var random = new Random(options.UEstimationSeed);
        var pairs = new (int A, int B)[samples];
        for (var s = 0; s < samples; s++)
        {
            int a, b;
            do
            {
                a = random.Next(n);
                b = random.Next(n);
            }
            while (a == b);
            pairs[s] = (a, b);
        }
        var patterns = new ulong[samples];
        Parallel.For(0, samples, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            s => patterns[s] = TraitComparers.ComparePattern(prepared[pairs[s].A], prepared[pairs[s].B], options, out _));
        var u = TraitLevels.All.Select(t => new double[TraitLevels.Count(t)]).ToArray();
        foreach (var pattern in patterns)
        {
            foreach (var trait in TraitLevels.All)
            {
                var level = TraitComparers.Level(pattern, trait);
                if (level >= 0)
                {
                    u[(int)trait][level]++;
                }
            }
        }
        foreach (var row in u)
        {
            // Add-one smoothing: a level never seen among random pairs is rare, not impossible.
            var sum = row.Sum() + row.Length;
            for (var l = 0; l < row.Length; l++)
            {
                row[l] = Math.Max((row[l] + 1) / sum, options.MinProbability);
            }
        }
        return u;
    }

    /// <summary>EM on aggregated comparison patterns (4 bits per trait: level + 1, 0 = missing).</summary>
    internal static MatchWeights TrainOnPatterns(
        IReadOnlyDictionary<ulong, long> counts, MatchingOptions options, long candidatePairs, IReadOnlyList<OversizedBlock> oversized, double[][]? fixedU = null)
    {
        var traits = TraitLevels.All;
        var keys = counts.Keys.Order().ToArray(); // fixed order: identical input, identical output
        var weightsOfPattern = keys.Select(k => (double)counts[k]).ToArray();
        var total = weightsOfPattern.Sum();
        var levels = new int[keys.Length, traits.Count];
        for (var p = 0; p < keys.Length; p++)
        {
            foreach (var trait in traits)
            {
                levels[p, (int)trait] = TraitComparers.Level(keys[p], trait);
            }
        }

        var m = new double[traits.Count][];
        var u = new double[traits.Count][];
        var pinnedM = new double?[traits.Count][];
        var pinnedU = new double?[traits.Count][];
        foreach (var trait in traits)
        {
            var count = TraitLevels.Count(trait);
            var t = (int)trait;
            pinnedM[t] = new double?[count];
            pinnedU[t] = new double?[count];
            // m starts confident in the top level; u starts at the observed frequencies (most candidates are non-matches).
            m[t] = Enumerable.Range(0, count).Select(l => l == count - 1 ? 0.9 : 0.1 * (l + 1) / (count * (count - 1) / 2.0)).ToArray();
            u[t] = new double[count];
            for (var p = 0; p < keys.Length; p++)
            {
                var level = levels[p, t];
                if (level >= 0)
                {
                    u[t][level] += weightsOfPattern[p];
                }
            }
            Normalise(u[t], options.MinProbability, pinnedU[t]);
        }
        foreach (var pin in options.PinnedProbabilities)
        {
            pinnedM[(int)pin.Trait][pin.Level] = pin.M;
            pinnedU[(int)pin.Trait][pin.Level] = pin.U;
        }
        foreach (var trait in traits)
        {
            Normalise(m[(int)trait], options.MinProbability, pinnedM[(int)trait]);
            Normalise(u[(int)trait], options.MinProbability, pinnedU[(int)trait]);
        }

        var prior = options.EmInitialPrior;
        var posterior = new double[keys.Length];

        // Anchor the first M step on identity agreement (names and birth date): left to itself, EM may
        // settle on another latent class, such as "same household", whose traits agree just as well.
        for (var p = 0; p < keys.Length; p++)
        {
            var identity = levels[p, (int)Trait.BirthName] >= TraitLevels.BirthName.Close
                && levels[p, (int)Trait.FirstNames] >= TraitLevels.FirstNames.Close
                && levels[p, (int)Trait.BirthDate] >= TraitLevels.BirthDate.OneDigit;
            posterior[p] = identity ? 0.95 : 0.02;
        }
        prior = MaximisationStep(posterior);

        var iterations = 0;
        var converged = false;
        var change = double.PositiveInfinity;
        var logLikelihood = double.NaN;
        while (iterations < options.EmMaxIterations)
        {
            iterations++;
            // E step: probability that each pattern is a match.
            logLikelihood = 0;
            for (var p = 0; p < keys.Length; p++)
            {
                double pm = prior, pu = 1 - prior;
                for (var t = 0; t < traits.Count; t++)
                {
                    var level = levels[p, t];
                    if (level >= 0)
                    {
                        pm *= m[t][level];
                        pu *= u[t][level];
                    }
                }
                posterior[p] = pm / (pm + pu);
                logLikelihood += weightsOfPattern[p] * Math.Log(pm + pu);
            }
            var previousPrior = prior;
            var previousM = m.Select(row => (double[])row.Clone()).ToArray();
            var previousU = u.Select(row => (double[])row.Clone()).ToArray();
            prior = MaximisationStep(posterior);
            change = Math.Abs(prior - previousPrior);
            for (var t = 0; t < traits.Count; t++)
            {
                for (var l = 0; l < m[t].Length; l++)
                {
                    change = Math.Max(change, Math.Max(Math.Abs(m[t][l] - previousM[t][l]), Math.Abs(u[t][l] - previousU[t][l])));
                }
            }
            if (change < options.EmConvergenceTolerance)
            {
                converged = true;
                break;
            }
        }

        // M step: m, u and the prior from the posteriors; returns the new prior.
        double MaximisationStep(double[] posteriors)
        {
            var matchMass = 0.0;
            for (var p = 0; p < keys.Length; p++)
            {
                matchMass += weightsOfPattern[p] * posteriors[p];
            }
            for (var t = 0; t < traits.Count; t++)
            {
                var newM = new double[m[t].Length];
                var newU = new double[u[t].Length];
                for (var p = 0; p < keys.Length; p++)
                {
                    var level = levels[p, t];
                    if (level >= 0)
                    {
                        newM[level] += weightsOfPattern[p] * posteriors[p];
                        newU[level] += weightsOfPattern[p] * (1 - posteriors[p]);
                    }
                }
                Normalise(newM, options.MinProbability, pinnedM[t]);
                Normalise(newU, options.MinProbability, pinnedU[t]);
                m[t] = newM;
                u[t] = newU;
            }
            return Math.Clamp(matchMass / total, options.MinProbability, 1 - options.MinProbability);
        }

        if (fixedU is not null)
        {
            // EM separated matches from non-matches among candidates (u free, so candidates' extra similarity
            // lands in u, not in m); the final u describes the population, where an agreement is rarer.
            foreach (var trait in traits)
            {
                var t = (int)trait;
                u[t] = (double[])fixedU[t].Clone();
                Normalise(u[t], options.MinProbability, pinnedU[t]);
            }
        }
        var result = new List<TraitLevelProbability>();
        foreach (var trait in traits)
        {
            for (var l = 0; l < TraitLevels.Count(trait); l++)
            {
                result.Add(new TraitLevelProbability(trait, l, m[(int)trait][l], u[(int)trait][l]));
            }
        }
        var report = new TrainingReport(iterations, converged, change, candidatePairs, (long)total, keys.Length, logLikelihood, oversized);
        return new MatchWeights(prior, result, report);
    }

    /// <summary>Scale to a distribution with a floor; pinned levels keep their value, the others share the rest.</summary>
    private static void Normalise(double[] values, double floor, double?[]? pinned)
    {
        double pinnedSum = 0, freeSum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (pinned?[i] is { } fixedValue)
            {
                pinnedSum += fixedValue;
            }
            else
            {
                values[i] = Math.Max(values[i], 0);
                freeSum += values[i];
            }
        }
        var free = Math.Max(0, 1 - pinnedSum);
        var freeCount = values.Length - (pinned?.Count(p => p.HasValue) ?? 0);
        for (var i = 0; i < values.Length; i++)
        {
            if (pinned?[i] is { } fixedValue)
            {
                values[i] = fixedValue;
            }
            else
            {
                var share = freeSum > 0 ? values[i] / freeSum * free : free / freeCount;
                values[i] = Math.Max(share, floor);
            }
        }
    }
}
