using System.Text.Json;

namespace IdentityRef.Application.Jobs;

/// <summary>What a run did, counted by outcome (e.g. confirmed, replaced, mismatch); kept as JSON in the run history.</summary>
public sealed class JobCounters
{
    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Add(string name, int by = 1) => _counts[name] = this[name] + by;

    public int this[string name] => _counts.TryGetValue(name, out var count) ? count : 0;

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_counts);

    public string ToJson() => JsonSerializer.Serialize(_counts);
}
