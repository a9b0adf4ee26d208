// Entry point: `dotnet run -c Release --project tests/IdentityRef.Benchmarks -- <suite> [args]`.
// Each suite lives in its own folder and registers itself in BenchmarkSuites.
namespace IdentityRef.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || !BenchmarkSuites.All.TryGetValue(args[0], out var suite))
        {
            Console.Error.WriteLine("usage: IdentityRef.Benchmarks <suite> [args]; suites: " + string.Join(", ", BenchmarkSuites.All.Keys.Order()));
            return 2;
        }
        return suite(args[1..]);
    }
}
