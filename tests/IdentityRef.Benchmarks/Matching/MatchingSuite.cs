using System.Diagnostics;
using System.Globalization;
using IdentityRef.Benchmarks.Matching;
using IdentityRef.Matching;

namespace IdentityRef.Benchmarks
{
    public static partial class BenchmarkSuites
    {
        static partial void RegisterMatching(Dictionary<string, Func<string[], int>> suites) => suites["matching"] = MatchingSuite.Run;
    }
}

namespace IdentityRef.Benchmarks.Matching
{
    /// <summary>
    /// usage: matching febrl IMPORT_DIR | passes IMPORT_DIR [--seeds S1,...] | french [--persons N] [--seed S | --seeds S1,S2,...] | speed [--records N] [--probes N] [--runs N] | all IMPORT_DIR
    /// Prints figures only: no name, date or address ever reaches the output.
    /// </summary>
    public static class MatchingSuite
    {
        public static int Run(string[] args)
        {
            if (args.Length == 0)
            {
                Console.Error.WriteLine("usage: matching febrl IMPORT_DIR | french [--persons N] [--seed S | --seeds S1,S2,...] | speed [--records N] [--probes N] [--runs N] | all IMPORT_DIR");
                return 2;
            }
            var options = new MatchingOptions();
            if (Array.IndexOf(args, "--probable") is var pi and >= 0)
            {
                options = options with { ProbableThreshold = double.Parse(args[pi + 1], CultureInfo.InvariantCulture) };
            }
            if (Array.IndexOf(args, "--possible") is var si and >= 0)
            {
                options = options with { PossibleThreshold = double.Parse(args[si + 1], CultureInfo.InvariantCulture) };
            }
            var exit = 0;
            switch (args[0])
            {
                case "febrl":
                    exit = Febrl(args[1], options);
                    break;
                case "french":
                    exit = French(options, Int(args, "--persons", 20_000), Seeds(args));
                    break;
                case "speed":
                    exit = Speed(options, Int(args, "--records", 1_000_000), Int(args, "--probes", 2_000), Int(args, "--runs", 3), Int(args, "--seed", 7));
                    break;
                case "passes":
                    foreach (var name in new[] { "dataset1", "dataset2", "dataset3", "dataset4" })
                    {
                        PassCoverage.Report("FEBRL " + name, ImportCsv.Read(Path.Combine(args[1], name + ".import.csv")), id => id.Split('-')[1], Print);
                    }
                    foreach (var seed in Seeds(args))
                    {
                        var generated = new FrenchIdentityGenerator(seed).GenerateBenchmark(Int(args, "--persons", 20_000), 0.2, Int(args, "--persons", 20_000) / 60);
                        PassCoverage.Report($"French seed {seed}", generated.Records, id => generated.PersonOf[id].ToString(CultureInfo.InvariantCulture), Print);
                    }
                    break;
                case "french-export":
                    return FrenchExport(args[^1], Int(args, "--persons", 20_000), Int(args, "--seed", 20_251_122));
                case "blocks":
                    exit = BlockStats(Int(args, "--records", 200_000), Int(args, "--seed", 7));
                    break;
                case "all":
                    exit = Febrl(args[1], options) | French(options, 20_000, [20_251_122]) | Speed(options, 1_000_000, 2_000, 3, 7);
                    break;
                default:
                    Console.Error.WriteLine("unknown matching benchmark " + args[0]);
                    return 2;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"peak working set {Environment.ProcessId}: {Process.GetCurrentProcess().PeakWorkingSet64 / 1_048_576.0:F0} MiB; GC heap now {GC.GetGCMemoryInfo().HeapSizeBytes / 1_048_576.0:F0} MiB"));
            return exit;
        }

        private static int Int(string[] args, string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        private static int Febrl(string importDir, MatchingOptions options)
        {
            var failed = 0;
            foreach (var name in new[] { "dataset1", "dataset2", "dataset3", "dataset4" })
            {
                var records = ImportCsv.Read(Path.Combine(importDir, name + ".import.csv"));
                var (quality, weights, elapsed) = Evaluate(records, options, id => id.Split('-')[1]);
                Print($"FEBRL {name}{(name == "dataset4" ? " (4a+4b)" : string.Empty)}, French vigilance rules: {records.Count} records; {quality}; EM {Report(weights)}");
                var febrlOptions = MatchingOptions.Febrl() with { ProbableThreshold = options.ProbableThreshold, PossibleThreshold = options.PossibleThreshold };
                (quality, weights, elapsed) = Evaluate(records, febrlOptions, id => id.Split('-')[1]);
                Print($"FEBRL {name}{(name == "dataset4" ? " (4a+4b)" : string.Empty)}: FEBRL profile (MatchingOptions.Febrl(): wide blocking, look-alike rules off): {records.Count} records; {quality}; EM {Report(weights)}; train+detect {elapsed.TotalSeconds:F2} s");
                failed |= quality.F1 >= 0.99 ? 0 : 1;
            }
            return failed;
        }

        /// <summary>
        /// The French benchmark's base as an import CSV (the server's <c>import</c> format), ids <c>rec-PERSON-org</c> / <c>rec-PERSON-dup-K</c>
        /// as FEBRL's, so that <c>scripts/duplicates-quality.py</c> scores an export of the server against it
        /// (<c>scripts/french-through-server.sh</c>).
        /// </summary>
        private static int FrenchExport(string path, int persons, int seed)
        {
            var generated = new FrenchIdentityGenerator(seed).GenerateBenchmark(persons, 0.2, persons / 60);
            var seen = new Dictionary<int, int>();
            using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
            writer.WriteLine("external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone");
            static string Csv(string? v) => v is null ? "" : v.IndexOfAny([',', '"']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
            foreach (var r in generated.Records)
            {
                var person = generated.PersonOf[r.Id];
                var n = seen[person] = seen.GetValueOrDefault(person, -1) + 1;
                var id = n == 0 ? $"rec-{person}-org" : $"rec-{person}-dup-{n - 1}";
                writer.WriteLine(string.Join(",", id, Csv(r.BirthName), Csv(string.Join(' ', r.FirstNames)),
                    r.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", r.Sex.ToString(), Csv(r.BirthPlaceCode), Csv(r.UsedName),
                    Csv(r.UsedFirstName), Csv(r.Address), Csv(r.Postcode), Csv(r.City), ""));
            }
            Print($"French (seed {seed}): {generated.Records.Count} records of {seen.Count} people written to {path}");
            return 0;
        }

        private static int[] Seeds(string[] args) =>
            Array.IndexOf(args, "--seeds") is var i and >= 0
                ? args[i + 1].Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray()
                : [Int(args, "--seed", 20_251_122)];

        /// <summary>One base per seed (each a fresh draw of people, errors and look-alikes), then the spread over seeds.</summary>
        private static int French(MatchingOptions options, int persons, int[] seeds)
        {
            var f1s = new List<double>();
            var lookAlikes = new Dictionary<LookAlikeKind, int>();
            var exit = 0;
            foreach (var seed in seeds)
            {
                exit |= French(options, persons, seed, f1s, lookAlikes);
            }
            if (seeds.Length > 1)
            {
                var sorted = f1s.Order().ToList();
                Print(string.Create(CultureInfo.InvariantCulture,
                    $"French over {seeds.Length} seeds: F1 median {sorted[sorted.Count / 2]:F4} (sorted: {string.Join(", ", sorted.Select(f => f.ToString("F4", CultureInfo.InvariantCulture)))}); look-alikes classed Probable: {string.Join(", ", Enum.GetValues<LookAlikeKind>().Select(k => $"{k} {lookAlikes.GetValueOrDefault(k)}"))} (target: F1 >= 0.98 and none)"));
            }
            return exit;
        }

        private static int French(MatchingOptions options, int persons, int seed, List<double> f1s, Dictionary<LookAlikeKind, int> probableLookAlikes)
        {
            var generated = new FrenchIdentityGenerator(seed).GenerateBenchmark(persons, 0.2, persons / 60);
            var personOf = generated.PersonOf;
            var (quality, weights, elapsed) = Evaluate(generated.Records, options, id => personOf[id].ToString(CultureInfo.InvariantCulture), out var detection);
            Print($"French (Bogus fr, seed {seed}): {generated.Records.Count} records; {quality}; EM {Report(weights)}; train+detect {elapsed.TotalSeconds:F2} s");
            Print("  errors injected: " + string.Join(", ", generated.ErrorCounts.Select(e => $"{e.Key} {e.Value}")));
            var byPair = detection.Matches.ToDictionary(m => (m.IdA, m.IdB));
            foreach (var kind in Enum.GetValues<LookAlikeKind>())
            {
                var pairs = generated.LookAlikes.Where(l => l.Kind == kind).ToList();
                var classes = pairs.Select(p => byPair.TryGetValue((p.IdA, p.IdB), out var m) || byPair.TryGetValue((p.IdB, p.IdA), out m) ? m.Class : MatchClass.Distinct).ToList();
                if (Environment.GetEnvironmentVariable("MATCHING_BENCH_DEBUG") == "1")
                {
                    foreach (var p in pairs.Where(p => byPair.TryGetValue((p.IdA, p.IdB), out var m) && m.Class == MatchClass.Probable))
                    {
                        Print("      look-alike probable: " + string.Join(" | ", byPair[(p.IdA, p.IdB)].Traits.Select(t => $"{t.LevelName} {t.ValueA} ~ {t.ValueB}")));
                    }
                }
                Print($"  {kind}: {pairs.Count} pairs; Probable {classes.Count(c => c == MatchClass.Probable)}, Possible {classes.Count(c => c == MatchClass.Possible)}, Distinct {classes.Count(c => c == MatchClass.Distinct)}");
                probableLookAlikes[kind] = probableLookAlikes.GetValueOrDefault(kind) + classes.Count(c => c == MatchClass.Probable);
            }
            f1s.Add(quality.F1);
            var lookAlikeProbable = generated.LookAlikes.Count(l => byPair.TryGetValue((l.IdA, l.IdB), out var m) && m.Class == MatchClass.Probable);
            return quality.F1 >= 0.98 && lookAlikeProbable == 0 ? 0 : 1;
        }

        private static int Speed(MatchingOptions options, int count, int probes, int runs, int seed)
        {
            var stopwatch = Stopwatch.StartNew();
            var generator = new FrenchIdentityGenerator(seed);
            var records = new List<MatchRecord>(count);
            var random = new Random(seed);
            for (var i = 0; records.Count < count; i++)
            {
                var record = generator.NewPerson($"S{i}");
                records.Add(record);
                if (records.Count < count && random.NextDouble() < 0.05)
                {
                    records.Add(generator.Duplicate(record, $"S{i}-d"));
                }
            }
            Print($"speed: generated {records.Count} identities in {stopwatch.Elapsed.TotalSeconds:F1} s");

            stopwatch.Restart();
            // With --runs 0 only check-before-create is measured; its latency does not depend on the weights.
            var weights = runs > 0 ? FellegiSunterTrainer.Train(records.Take(200_000).ToList(), options) : MatchWeights.Default;
            Print($"speed: EM training on 200000 identities {stopwatch.Elapsed.TotalSeconds:F1} s; {Report(weights)}");
            var engine = new MatchEngine(options, weights);

            var timings = new List<double>();
            DetectionResult? detection = null;
            for (var run = 0; run < runs; run++)
            {
                GC.Collect();
                stopwatch.Restart();
                detection = engine.DetectAll(records);
                timings.Add(stopwatch.Elapsed.TotalSeconds);
                Print($"speed: full detection run {run + 1}: {timings[^1]:F1} s, {detection.CandidatePairs} candidate pairs, {detection.Matches.Count(m => m.Class == MatchClass.Probable)} probable, {detection.Matches.Count(m => m.Class == MatchClass.Possible)} possible, {detection.OversizedBlocks.Count} oversized blocks");
            }
            timings.Sort();
            if (timings.Count > 0)
            {
                Print($"speed: full detection on {records.Count} identities, median of {runs}: {timings[timings.Count / 2]:F1} s (target <= 120 s)");
            }

            stopwatch.Restart();
            var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var i = 0; i < records.Count; i++)
            {
                foreach (var key in engine.BlockingKeys(records[i]))
                {
                    if (!index.TryGetValue(key, out var list))
                    {
                        index[key] = list = new List<int>(2);
                    }
                    list.Add(i);
                }
            }
            Print($"speed: in-memory key index of {index.Count} keys built in {stopwatch.Elapsed.TotalSeconds:F1} s");

            var latencies = new List<double>(probes);
            var candidateCounts = new List<int>(probes);
            for (var p = 0; p < probes; p++)
            {
                var probe = p % 2 == 0 ? generator.Duplicate(records[random.Next(records.Count)], $"Q{p}") : generator.NewPerson($"Q{p}");
                var started = Stopwatch.GetTimestamp();
                var ids = new HashSet<int>();
                foreach (var key in engine.BlockingKeys(probe))
                {
                    if (index.TryGetValue(key, out var list) && list.Count <= options.MaxBlockSize)
                    {
                        ids.UnionWith(list);
                    }
                }
                var ranked = engine.RankCandidates(probe, ids.Select(i => records[i]), MatchClass.Possible);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                candidateCounts.Add(ids.Count);
                GC.KeepAlive(ranked);
            }
            latencies.Sort();
            candidateCounts.Sort();
            Print($"speed: check-before-create over {probes} probes: p50 {latencies[latencies.Count / 2]:F2} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:F2} ms, max {latencies[^1]:F2} ms; identities scored p50 {candidateCounts[candidateCounts.Count / 2]}, p99 {candidateCounts[(int)(candidateCounts.Count * 0.99)]}");
            GC.KeepAlive(detection);
            return 0;
        }

        /// <summary>Pairs each blocking pass would generate on a generated base (sizes only).</summary>
        private static int BlockStats(int count, int seed)
        {
            var generator = new FrenchIdentityGenerator(seed);
            var blocks = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                foreach (var key in Blocking.Keys(generator.NewPerson($"S{i}")))
                {
                    blocks[key] = blocks.GetValueOrDefault(key) + 1;
                }
            }
            foreach (var pass in blocks.GroupBy(b => b.Key[..b.Key.IndexOf('|', StringComparison.Ordinal)]).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Print($"blocks {pass.Key}: {pass.Count()} keys, largest {pass.Max(b => b.Value)}, pairs {pass.Sum(b => (long)b.Value * (b.Value - 1) / 2)}");
            }
            return 0;
        }

        private static (Quality, MatchWeights, TimeSpan) Evaluate(IReadOnlyList<MatchRecord> records, MatchingOptions options, Func<string, string> personOf) =>
            Evaluate(records, options, personOf, out _);

        private static (Quality, MatchWeights, TimeSpan) Evaluate(IReadOnlyList<MatchRecord> records, MatchingOptions options, Func<string, string> personOf, out DetectionResult detection)
        {
            var stopwatch = Stopwatch.StartNew();
            var weights = FellegiSunterTrainer.Train(records, options);
            var engine = new MatchEngine(options, weights);
            detection = engine.DetectAll(records);
            var elapsed = stopwatch.Elapsed;
            if (Environment.GetEnvironmentVariable("MATCHING_BENCH_DEBUG") == "1")
            {
                DebugDump(detection, personOf, records, engine);
                foreach (var level in weights.Levels)
                {
                    Print(string.Create(CultureInfo.InvariantCulture, $"    weight {level.Trait} {TraitLevels.Name(level.Trait, level.Level)}: m {level.M:F5} u {level.U:F5} w {level.Weight:F2}"));
                }
            }
            return (Quality.Measure(detection, personOf, records), weights, elapsed);
        }

        private static string Report(MatchWeights weights) =>
            weights.Training is { } t
                ? string.Create(CultureInfo.InvariantCulture, $"{(t.Converged ? "converged" : "NOT converged")} in {t.Iterations} iterations (last change {t.LastChange:E1}), prior {weights.Prior:F4}, {t.CandidatePairs} candidate pairs, {t.DistinctPatterns} patterns")
                : "pinned";

        /// <summary>Local tuning aid only (synthetic data): level patterns of misclassified pairs, no values.</summary>
        private static void DebugDump(DetectionResult detection, Func<string, string> personOf, IReadOnlyList<MatchRecord> records, MatchEngine engine)
        {
            var found = detection.Matches.Where(m => m.Class == MatchClass.Probable).Select(m => (m.IdA, m.IdB)).ToHashSet();
            var byId = records.ToDictionary(r => r.Id);
            var missed = new Dictionary<string, int>();
            foreach (var group in records.GroupBy(r => personOf(r.Id)).Where(g => g.Count() > 1))
            {
                var list = group.ToList();
                for (var i = 0; i < list.Count; i++)
                {
                    for (var j = i + 1; j < list.Count; j++)
                    {
                        if (!found.Contains((list[i].Id, list[j].Id)) && !found.Contains((list[j].Id, list[i].Id)))
                        {
                            var r = engine.Compare(list[i], list[j]);
                            var inCandidates = detection.Matches.Any(m => (m.IdA == list[i].Id && m.IdB == list[j].Id) || (m.IdB == list[i].Id && m.IdA == list[j].Id));
                            var key = $"{r.Class} {string.Join(' ', r.Traits.Take(3).Select(t => t.LevelName))} {(r.Reasons.Count > 0 ? "rule" : "score")} {(inCandidates ? "cand" : "notcand?")}";
                            missed[key] = missed.GetValueOrDefault(key) + 1;
                            if (Environment.GetEnvironmentVariable("MATCHING_BENCH_VALUES") is { Length: > 0 } wanted && key.StartsWith(wanted, StringComparison.Ordinal))
                            {
                                Print("      values " + string.Join(" | ", r.Traits.Take(3).Select(t => $"{t.ValueA} ~ {t.ValueB}")));
                            }
                            if (r.Class == MatchClass.Probable && Environment.GetEnvironmentVariable("MATCHING_BENCH_KEYS") == "1")
                            {
                                Print("      keys " + string.Join(';', engine.BlockingKeys(list[i])) + " // " + string.Join(';', engine.BlockingKeys(list[j])));
                            }
                        }
                    }
                }
            }
            foreach (var (key, n) in missed.OrderByDescending(kv => kv.Value).Take(25))
            {
                Print($"    missed {n}: {key}");
            }
            var fp = new Dictionary<string, int>();
            foreach (var m in detection.Matches.Where(m => m.Class == MatchClass.Probable && personOf(m.IdA) != personOf(m.IdB)))
            {
                var key = string.Join(' ', m.Traits.Select(t => t.LevelName));
                fp[key] = fp.GetValueOrDefault(key) + 1;
            }
            foreach (var (key, n) in fp.OrderByDescending(kv => kv.Value).Take(15))
            {
                Print($"    false positive {n}: {key}");
            }
            GC.KeepAlive(byId);
        }

        private static void Print(string line) => Console.WriteLine(line);
    }
}
