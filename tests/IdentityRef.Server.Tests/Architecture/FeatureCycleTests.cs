using System.Text.RegularExpressions;

namespace IdentityRef.Server.Tests.Architecture;

/// <summary>
/// Application's feature folders (Patients, Duplicates, Qualification, …) should depend on each other one way only: a
/// feature that both uses and is used by another cannot be understood, tested or moved alone. Read from the sources (a
/// feature uses another through <c>using IdentityRef.Application.X;</c> or a qualified name). The order they form is drawn
/// in docs/architecture.md; a use the other way round is answered with an interface owned by the feature that calls
/// (as <c>IAdmissionDuplicateCheck</c> in Patients, <c>IInsiCollisions</c> in Qualification).
/// </summary>
public sealed partial class FeatureCycleTests
{
    [Fact]
    public void ApplicationFeatures_DependOnEachOtherOneWay()
    {
        var graph = FeatureGraph();
        Assert.True(graph.Count >= 8, "the Application sources were not found"); // the test reads something

        var inCycles = graph.Keys.Where(feature => Reaches(graph, feature, feature)).Order(StringComparer.Ordinal).ToList();

        Assert.True(inCycles.Count == 0, "features in a dependency cycle: " + string.Join(", ", inCycles));
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
