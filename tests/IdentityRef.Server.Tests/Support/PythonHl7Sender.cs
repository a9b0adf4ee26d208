using System.Diagnostics;
using System.Text;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// An independent MLLP sender: <c>tests/peers/mllp-feed.py</c> on Debian's python3-hl7 (its own MLLP client and parser),
/// so that the inbound listener is not tested with our own client on both sides. Needs <c>/usr/bin/python3</c> with
/// python3-hl7 (<c>.ci/run</c> installs it): skipped locally without it, a failure on CI.
/// </summary>
public static class PythonHl7Sender
{
    private const string Python = "/usr/bin/python3";

    public static string? UnavailableReason { get; } = Probe();

    /// <summary>The answers, one per message in the order sent: (control id, MSA-1, MSA-2).</summary>
    public static async Task<IReadOnlyList<(string ControlId, string Code, string AckedId)>> SendAsync(int port, IEnumerable<string> messages, TimeSpan timeout)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mllp-feed-{Guid.NewGuid():N}.hl7");
        await File.WriteAllTextAsync(file, string.Join("\n\n", messages.Select(m => m.TrimEnd('\r'))), new UTF8Encoding(false));
        try
        {
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { Script, "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), file })
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the python3-hl7 sender did not finish within {timeout}: {await output}");
            }
            Assert.True(process.ExitCode == 0, $"the python3-hl7 sender failed ({process.ExitCode}): {await output} {await errors}");
            return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Trim().Split(' ')).Select(f => (f[0], f[1], f[2])).ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Script
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "IdentityRef.sln")))
            {
                folder = folder.Parent;
            }
            return Path.Combine(folder?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "peers", "mllp-feed.py");
        }
    }

    private static string? Probe()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import hl7.client"]) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (probe is null || !probe.WaitForExit(TimeSpan.FromSeconds(20)) || probe.ExitCode != 0)
            {
                return "python3-hl7 is not installed (apt-get install python3-hl7)";
            }
            return null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "/usr/bin/python3 is not installed (apt-get install python3-hl7)";
        }
    }
}
