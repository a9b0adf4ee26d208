namespace IdentityRef.Benchmarks;

public static partial class BenchmarkSuites
{
    static partial void RegisterHl7(Dictionary<string, Func<string[], int>> suites)
    {
        suites["hl7"] = Hl7Benchmarks.Hl7BenchmarkSuite.Run;
        suites["hl7-feed"] = Hl7Benchmarks.Hl7FeedSuite.Run;
    }
}
