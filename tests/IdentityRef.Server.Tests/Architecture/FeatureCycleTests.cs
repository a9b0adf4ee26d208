using System.Text.RegularExpressions;

namespace IdentityRef.Server.Tests.Architecture;

/// <summary>
/// Application's feature folders (Patients, Duplicates, Qualification, …) should depend on each other one way only: a
/// feature that both uses and is used by another cannot be understood, tested or moved alone. Read from the sources (a
/// feature uses another through <c>using IdentityRef.Application.X;</c> or a qualified name). The features still caught
/// in a cycle are listed as debt (docs/architecture.md); the list may only shrink.
/// </summary>
public sealed partial class FeatureCycleTests
{
    /// <summary>
    /// One knot today, through Patients: Patients → Duplicates (the admission check, the import's deferred keys) → Patients;
    /// Duplicates ↔ Qualification (INSi contradictions live with the queue but judge with qualification); Patients → Queries
    /// (the desk's search) → Broadcast/Patients; Duplicates → Merges, Links → Patients. Untying Patients ↔ Duplicates (the
    /// admission check behind an interface Patients owns, already <c>IAdmissionDuplicateCheck</c>) frees most of it.
    /// </summary>
    private static readonly string[] KnownDebt = ["Broadcast", "Duplicates", "Links", "Merges", "Patients", "Qualification", "Queries"];

    [Fact]
    public void ApplicationFeatures_DependOnEachOtherOneWay_BeyondTheKnownDebt()
    {
        var graph = FeatureGraph();
        Assert.True(graph.Count >= 8, "the Application sources were not found"); // the test reads something

        var inCycles = graph.Keys.Where(feature => Reaches(graph, feature, feature)).Order(StringComparer.Ordinal).ToList();

        Assert.True(inCycles.All(KnownDebt.Contains), "features in a dependency cycle beyond the known debt: " + string.Join(", ", inCycles.Except(KnownDebt)));
        Assert.True(KnownDebt.All(inCycles.Contains), "paid off, remove from KnownDebt: " + string.Join(", ", KnownDebt.Except(inCycles)));
    }

    private static bool Reaches(Dictionary<string, HashSet<string>> graph, string from, string target)
    {
        var seen = new HashSet<string>();
        var next = new Stack<string>(graph[from]);
        while (next.TryPop(out var feature))
        {
            if (feature == target)
            {
                return true;
            }
            if (seen.Add(feature) && graph.TryGetValue(feature, out var uses))
            {
                foreach (var used in uses)
                {
                    next.Push(used);
                }
            }
        }
        return false;
    }

    private static Dictionary<string, HashSet<string>> FeatureGraph()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "IdentityRef.sln")))
        {
            root = root.Parent;
        }
        var application = Path.Combine(root!.FullName, "src", "IdentityRef.Application");
        var features = Directory.GetDirectories(application).Select(Path.GetFileName).Where(d => d is not ("bin" or "obj")).ToList();
        return features.ToDictionary(f => f!, f => Directory.EnumerateFiles(Path.Combine(application, f!), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => Uses().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Where(used => used != f && features.Contains(used))
            .ToHashSet(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"IdentityRef\.Application\.([A-Za-z]+)[;.]")]
    private static partial Regex Uses();
}
