using System.Diagnostics;
using System.Text.Json;
using IdentityRef.Application;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.TraitMatching;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Duplicates;

/// <summary>
/// A full detection in a child process of this same program (<c>dedupe --full</c>), so that the run's gigabytes and the
/// garbage collections they cause stay out of the server's process (<see cref="DuplicateOptions.FullRunIsolation"/>).
/// The child is given this server's whole effective configuration as environment variables (whatever its sources: files,
/// environment, command line), the resolved connection string and content root, so it works on the same base with the
/// same settings; it runs at the lowest priority (Linux's <c>SCHED_IDLE</c> by <c>chrt --idle 0</c>, else <c>nice -n 19</c>; every
/// thread of it, the collector's included) and
/// stops if this server goes away (<c>--stop-with</c>), so that a restarted server never has two runs at once.
/// </summary>
public sealed class SeparateFullRun(IConfiguration configuration, string contentRoot, string connectionString,
    IOptions<DuplicateOptions> options, ILogger<SeparateFullRun> logger) : ISeparateFullRun
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<DetectionSummary> RunAsync(bool train, CancellationToken cancellationToken)
    {
        var summaryFile = Path.Combine(Path.GetTempPath(), $"identityref-full-run-{Guid.NewGuid():N}.json");
        using var process = new Process { StartInfo = StartInfo(train, summaryFile) };
        try
        {
            process.Start();
            if (options.Value.DetectionLowPriority && process.StartInfo.FileName is not (Nice or Chrt))
            {
                TryLower(process);
            }
            logger.FullDetectionProcessStarted(process.Id);
            await using (cancellationToken.Register(() => Stop(process)))
            {
                await process.WaitForExitAsync(CancellationToken.None);
            }
            logger.FullDetectionProcessEnded(process.Id, process.ExitCode);
            cancellationToken.ThrowIfCancellationRequested();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"The full detection process exited with code {process.ExitCode} (its own log lines say why).");
            }
            return JsonSerializer.Deserialize<DetectionSummary>(await File.ReadAllTextAsync(summaryFile, CancellationToken.None), Json)
                ?? throw new InvalidOperationException("The full detection process wrote no summary.");
        }
        finally
        {
            File.Delete(summaryFile);
        }
    }

    private const string Chrt = "/usr/bin/chrt";

    private const string Nice = "/usr/bin/nice";

    private ProcessStartInfo StartInfo(bool train, string summaryFile)
    {
        var (program, dll) = ThisProgram();
        var info = new ProcessStartInfo { UseShellExecute = false, WorkingDirectory = contentRoot };
        if (!options.Value.DetectionLowPriority || !ThroughLowPriorityLauncher(info, program))
        {
            info.FileName = program;
        }
        foreach (var arg in (string?[])[dll, "dedupe", "--full", train ? "--train" : null, "--summary-json", summaryFile, "--stop-with", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            if (arg is not null)
            {
                info.ArgumentList.Add(arg);
            }
        }
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            if (value is not null && !key.Contains('=', StringComparison.Ordinal))
            {
                info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }
        info.Environment["ConnectionStrings__IdentityRef"] = connectionString;
        info.Environment["DOTNET_CONTENTROOT"] = contentRoot;
        info.Environment.Remove("ASPNETCORE_CONTENTROOT");
        info.Environment["Duplicates__FullRunIsolation"] = nameof(FullRunIsolation.None);
        if (configuration["Logging:File:Path"] is { Length: > 0 } logFile)
        {
            // The server holds its log file open: the run writes a file of its own beside it (same rotation, same retention pattern).
            info.Environment["Logging__File__Path"] = RunLogFile(logFile);
        }
        return info;
    }

    /// <summary>
    /// Makes <paramref name="info"/> start <paramref name="program"/> through a launcher that lowers its CPU priority before
    /// it runs, so that every thread it creates has it: Linux's <c>SCHED_IDLE</c> (<c>chrt --idle 0</c>) where chrt exists,
    /// else <c>nice -n 19</c>. SCHED_IDLE rather than nice 19: a core that runs only the detection counts as idle when a
    /// request's thread wakes up, so the request starts there at once instead of after the run's time slice
    /// (docs/deployment.md); unprivileged processes may choose it (sched(7)). False when there is no launcher (Windows): the
    /// caller lowers the process once started.
    /// </summary>
    internal static bool ThroughLowPriorityLauncher(ProcessStartInfo info, string program)
    {
        string[]? launcher = OperatingSystem.IsWindows() ? null : File.Exists(Chrt) ? [Chrt, "--idle", "0"] : File.Exists(Nice) ? [Nice, "-n", "19"] : null;
        if (launcher is null)
        {
            return false;
        }
        info.FileName = launcher[0];
        foreach (var arg in launcher[1..])
        {
            info.ArgumentList.Add(arg);
        }
        info.ArgumentList.Add(program);
        return true;
    }

    /// <summary><c>/var/log/identityref/identityref-.log</c> → <c>/var/log/identityref/identityref-detection-.log</c>.</summary>
    internal static string RunLogFile(string logFile)
    {
        var stem = Path.GetFileNameWithoutExtension(logFile);
        var name = stem + (stem.EndsWith('-') ? "" : "-") + "detection-" + Path.GetExtension(logFile);
        return Path.Combine(Path.GetDirectoryName(logFile) ?? "", name);
    }

    /// <summary>The server's own executable when it was started through it, else the <c>dotnet</c> host with the server's assembly.</summary>
    private static (string Program, string? Dll) ThisProgram()
    {
        var dll = typeof(SeparateFullRun).Assembly.Location;
        var host = Environment.ProcessPath;
        // A single-file publication has no assembly file: its executable is the program.
        if (host is not null && (dll.Length == 0 || Path.GetFileNameWithoutExtension(host) == Path.GetFileNameWithoutExtension(dll)))
        {
            return (host, null);
        }
        var muxer = host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return (muxer, dll);
    }

    private static void TryLower(Process process)
    {
        try
        {
            process.PriorityClass = ProcessPriorityClass.Idle;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited already, or the system refused: the run goes on at normal priority.
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            // The run's writes are transactions: a killed run leaves the queue as the last committed one did.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited already.
        }
    }
}

internal static partial class SeparateFullRunLog
{
    [LoggerMessage(LogEvents.FullDetectionProcessStarted, LogLevel.Information, "Full detection: started in process {ProcessId}")]
    public static partial void FullDetectionProcessStarted(this ILogger logger, int processId);

    [LoggerMessage(LogEvents.FullDetectionProcessEnded, LogLevel.Information, "Full detection: process {ProcessId} exited with code {ExitCode}")]
    public static partial void FullDetectionProcessEnded(this ILogger logger, int processId, int exitCode);
}
