using System.Globalization;
using IdentityRef.Matching;

namespace IdentityRef.Benchmarks.Matching;

/// <summary>
/// What each blocking pass costs and brings (docs/import.md, "fewer key rows"): per pass, its key rows per record (what
/// the import writes) and the true pairs (two records of one person) that share a key of that pass, and of those the
/// pairs no other pass brings. A pass whose pairs all meet elsewhere can go without losing blocking recall on that data.
/// Then, greedily from the widest pass, the set of passes that can go together with no pair lost. Figures only.
/// </summary>
public static class PassCoverage
{
    public static void Report(string name, IReadOnlyList<MatchRecord> records, Func<string, string> personOf, Action<string> print)
    {
        var passOf = static (string key) => key[..key.IndexOf('|', StringComparison.Ordinal)];
        var keys = records.Select(r => Blocking.Keys(r).ToHashSet(StringComparer.Ordinal)).ToList();
        var rows = keys.SelectMany(k => k).GroupBy(passOf).ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal);
        // The true pairs, and for each the passes through which its two records share a key.
        var pairs = new List<HashSet<string>>();
        foreach (var person in Enumerable.Range(0, records.Count).GroupBy(i => personOf(records[i].Id)).Where(g => g.Count() > 1))
        {
            var members = person.ToList();
            for (var a = 0; a < members.Count; a++)
            {
                for (var b = a + 1; b < members.Count; b++)
                {
                    var shared = keys[members[a]].Intersect(keys[members[b]], StringComparer.Ordinal).Select(passOf).ToHashSet(StringComparer.Ordinal);
                    pairs.Add(shared);
                }
            }
        }
        var reached = pairs.Count(p => p.Count > 0);
        var total = rows.Values.Sum();
        print(string.Create(CultureInfo.InvariantCulture,
            $"passes {name}: {records.Count} records, {total / (double)records.Count:F1} key rows per record, {pairs.Count} true pairs, {reached} share a key"));
        foreach (var (pass, count) in rows.OrderByDescending(r => r.Value))
        {
            print(string.Create(CultureInfo.InvariantCulture,
                $"  {pass,-4} {count / (double)records.Count,5:F2} rows/record ({100.0 * count / total,4:F1} %), pairs {pairs.Count(p => p.Contains(pass)),6}, only through it {pairs.Count(p => p.Count == 1 && p.Contains(pass)),5}"));
        }
        var dropped = new List<string>();
        foreach (var pass in rows.OrderByDescending(r => r.Value).Select(r => r.Key))
        {
            var without = dropped.Append(pass).ToHashSet(StringComparer.Ordinal);
            if (pairs.All(p => p.Count == 0 || p.Any(x => !without.Contains(x))))
            {
                dropped.Add(pass);
            }
        }
        var saved = dropped.Sum(p => rows[p]);
        print(string.Create(CultureInfo.InvariantCulture,
            $"  can go together without losing a pair here: {(dropped.Count == 0 ? "none" : string.Join(", ", dropped))} ({saved / (double)records.Count:F2} rows/record, {100.0 * saved / total:F1} %)"));
    }
}
