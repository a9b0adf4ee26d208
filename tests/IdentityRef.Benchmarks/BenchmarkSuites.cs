namespace IdentityRef.Benchmarks;

/// <summary>The benchmark suites by name. Each area adds its own line.</summary>
public static partial class BenchmarkSuites
{
    public static IReadOnlyDictionary<string, Func<string[], int>> All { get; } = Build();

    private static Dictionary<string, Func<string[], int>> Build()
    {
        var suites = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal);
        RegisterHl7(suites);
        RegisterMatching(suites);
        RegisterImport(suites);
        return suites;
    }

    static partial void RegisterHl7(Dictionary<string, Func<string[], int>> suites);
    static partial void RegisterMatching(Dictionary<string, Func<string[], int>> suites);
    static partial void RegisterImport(Dictionary<string, Func<string[], int>> suites);
}
