namespace IdentityRef.Matching;

/// <summary>
/// How common each birth name and first name is in a base. An exact agreement on a rare name is stronger evidence
/// than one on MARTIN or MARIE: with <see cref="MatchingOptions.TermFrequencyAdjustment"/> the engine replaces the
/// average u of an exact agreement by the share of the base holding that very name (Winkler's frequency-based
/// matching, as Splink does), within <see cref="MatchingOptions.MaxTermFrequencyAdjustment"/> bits.
/// </summary>
public sealed class TermFrequencies
{
    private readonly Dictionary<string, int> _birthNames;
    private readonly Dictionary<string, int> _firstNames;

    private TermFrequencies(int records, Dictionary<string, int> birthNames, Dictionary<string, int> firstNames)
    {
        Records = records;
        _birthNames = birthNames;
        _firstNames = firstNames;
    }

    /// <summary>No counts: every name is treated as average (no adjustment).</summary>
    public static TermFrequencies None { get; } = new(0, new Dictionary<string, int>(StringComparer.Ordinal), new Dictionary<string, int>(StringComparer.Ordinal));

    public int Records { get; }

    /// <summary>Counts the birth names and the first first names of an in-memory base (compared forms: D'ARC = DARC).</summary>
    public static TermFrequencies Count(IEnumerable<MatchRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var birthNames = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstNames = new Dictionary<string, int>(StringComparer.Ordinal);
        var count = 0;
        foreach (var record in records)
        {
            count++;
            Increment(birthNames, NameText.Compact(record.BirthName), 1);
            Increment(firstNames, NameText.Compact(record.FirstNames is { Count: > 0 } f ? f[0] : null), 1);
        }
        return new TermFrequencies(count, birthNames, firstNames);
    }

    /// <summary>Counts made elsewhere (a server counts with one GROUP BY); names are compacted and merged here.</summary>
    public static TermFrequencies FromCounts(int records, IEnumerable<(string Name, int Count)> birthNames, IEnumerable<(string Name, int Count)> firstNames)
    {
        ArgumentNullException.ThrowIfNull(birthNames);
        ArgumentNullException.ThrowIfNull(firstNames);
        ArgumentOutOfRangeException.ThrowIfNegative(records);
        var births = new Dictionary<string, int>(StringComparer.Ordinal);
        var firsts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, n) in birthNames)
        {
            Increment(births, NameText.Compact(name), n);
        }
        foreach (var (name, n) in firstNames)
        {
            // A stored first-name list ("CLAIRE ANNE"): the first one is compared.
            Increment(firsts, NameText.Compact(FirstOf(name)), n);
        }
        return new TermFrequencies(records, births, firsts);
    }

    /// <summary>Share of the base with this (compact) birth name; an unseen name counts once.</summary>
    internal double BirthNameShare(string compact) => Share(_birthNames, compact);

    internal double FirstNameShare(string compact) => Share(_firstNames, compact);

    private double Share(Dictionary<string, int> counts, string compact) =>
        Records == 0 ? double.NaN : Math.Max(1, counts.GetValueOrDefault(compact)) / (double)Records;

    private static string? FirstOf(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return null;
        }
        var trimmed = list.Trim();
        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? trimmed : trimmed[..space];
    }

    private static void Increment(Dictionary<string, int> counts, string key, int by)
    {
        if (key.Length > 0)
        {
            counts[key] = counts.GetValueOrDefault(key) + by;
        }
    }
}
