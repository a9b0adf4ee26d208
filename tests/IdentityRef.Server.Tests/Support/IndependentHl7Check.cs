using System.Diagnostics;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// Every message the server sends in the tests is parsed by an independent HL7 library (npm <c>hl7v2</c> with its
/// HL7 v2.5 dictionary, <c>tests/hl7-check/check.mjs</c>) and checked against the PAM FR segment tables of its event.
/// Needs node and <c>npm install</c> in tests/hl7-check (<c>.ci/run</c> does it): without them the check is skipped
/// locally (<see cref="IndependentHl7CheckTests"/> shows why) and fails on CI.
/// </summary>
public static class IndependentHl7Check
{
    private static readonly Lazy<string?> Unavailable = new(FindProblem);

    public static string Folder { get; } = Path.Combine(Repository.Root, "tests", "hl7-check");

    /// <summary>Why the check cannot run here; null when it can.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>Runs the check on the messages (bytes as sent); fails the test with every problem found.</summary>
    public static void AssertConform(IReadOnlyCollection<byte[]> messages, string what)
    {
        if (messages.Count == 0)
        {
            return;
        }
        if (UnavailableReason is { } reason)
        {
            Assert.False(PostgresServer.RunningOnCi, $"the independent HL7 check must run on CI: {reason}");
            return;
        }
        var (exit, output) = Run(messages);
        Assert.True(exit == 0, $"{what}: the independent HL7 check (hl7v2 + PAM FR tables) found problems:\n{output}");
    }

    /// <summary>The check's exit code and output, for the tests of the check itself.</summary>
    public static (int ExitCode, string Output) Run(IReadOnlyCollection<byte[]> messages)
    {
        var folder = Directory.CreateTempSubdirectory("hl7-check-");
        try
        {
            var files = new List<string>();
            foreach (var message in messages)
            {
                var file = Path.Combine(folder.FullName, $"{files.Count + 1:D4}.hl7");
                File.WriteAllBytes(file, message);
                files.Add(file);
            }
            var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("check.mjs");
            files.ForEach(start.ArgumentList.Add);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, "the check did not finish in 60 s");
            }
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string? FindProblem()
    {
        if (!File.Exists(Path.Combine(Folder, "node_modules", "hl7v2", "package.json")))
        {
            return "tests/hl7-check/node_modules is missing (run: npm install --prefix tests/hl7-check)";
        }
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (node is null || !node.WaitForExit(TimeSpan.FromSeconds(20)) || node.ExitCode != 0)
            {
                return "node does not run";
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "node is not installed";
        }
        return null;
    }

}

/// <summary>A test that needs the independent HL7 check: skipped with a message where it is missing, failed on CI.</summary>
public sealed class Hl7CheckFactAttribute : FactAttribute
{
    public Hl7CheckFactAttribute()
    {
        if (!PostgresServer.RunningOnCi && IndependentHl7Check.UnavailableReason is { } reason)
        {
            Skip = "independent HL7 check unavailable: " + reason;
        }
    }
}
