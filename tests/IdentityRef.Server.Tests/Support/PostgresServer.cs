using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// A throw-away PostgreSQL cluster for the test run: <c>initdb</c> in a temporary folder, <c>pg_ctl start</c> on a
/// free loopback port, stopped and deleted at the end. PostgreSQL refuses to run as root, so when the tests run
/// as root the commands go through <c>runuser -u postgres</c>.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string FolderPrefix = "identityref-pg-";
    private static readonly Lazy<PostgresServer?> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static string? _unavailableReason;

    private readonly string _folder;
    private readonly string? _runAs;

    private PostgresServer(string folder, string? runAs, int port)
    {
        _folder = folder;
        _runAs = runAs;
        Port = port;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    public int Port { get; }

    public static bool RunningOnCi => TestEnvironment.RunningOnCi;

    /// <summary>Why PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? UnavailableReason
    {
        get
        {
            _ = Shared.Value;
            return _unavailableReason;
        }
    }

    /// <summary>The cluster; on CI a missing PostgreSQL is a failure, never a skip.</summary>
    public static PostgresServer Instance => Shared.Value ?? throw new InvalidOperationException("PostgreSQL is not available: " + _unavailableReason);

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = "identityref_" + Guid.NewGuid().ToString("N")[..12];
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Include Error Detail=false";

    private static PostgresServer? Start()
    {
        var bin = FindBinaries();
        if (bin is null)
        {
            _unavailableReason = "initdb/pg_ctl not found (install PostgreSQL 15: apt-get install postgresql)";
            return null;
        }
        DeleteAbandonedClusters();
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var folder = Path.Combine(Path.GetTempPath(), FolderPrefix + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        if (runAs is not null)
        {
            Run("chown", $"-R {runAs} {folder}", null);
        }
        var data = Path.Combine(folder, "data");
        if (Run(Path.Combine(bin, "initdb"), $"-D {data} -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8", runAs) is { } initError)
        {
            _unavailableReason = "initdb failed: " + initError;
            return null;
        }
        // The postmaster binds its own socket: a free port is chosen, then freed for it, and another process may
        // take it in between. A bind failure is retried on another port; any other failure is reported at once.
        var log = Path.Combine(folder, "log");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            var startError = Run(Path.Combine(bin, "pg_ctl"), $"-D {data} -l {log} -o \"{options}\" -w -t 60 start", runAs);
            if (startError is null)
            {
                return new PostgresServer(folder, runAs, port);
            }
            var serverLog = File.Exists(log) ? File.ReadAllText(log) : "";
            if (attempt < 5 && serverLog.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(log);
                continue;
            }
            _unavailableReason = $"pg_ctl start failed: {startError} {serverLog}";
            return null;
        }
    }

    /// <summary>
    /// Stops the cluster and deletes its folder. The test host may be killed moments after it begins to exit, so the
    /// stop and the deletion run as one shell command of their own, which outlives it.
    /// </summary>
    public void Dispose()
    {
        if (!Directory.Exists(_folder))
        {
            return;
        }
        // Paths quoted for the shell: a temporary folder may hold a space (TMPDIR).
        var stop = $"'{Path.Combine(FindBinaries()!, "pg_ctl")}' -D '{Path.Combine(_folder, "data")}' -m immediate -w stop";
        var command = (_runAs is null ? stop : $"runuser -u {_runAs} -- {stop}") + $"; rm -rf '{_folder}'";
        using var process = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { WorkingDirectory = Path.GetTempPath() });
        process?.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Deletes the folders of earlier runs' clusters that are no longer running (no <c>postmaster.pid</c>) and were
    /// last written over an hour ago: a test host killed before it could clean up must not fill the disk run after run.
    /// A folder being set up right now has no <c>postmaster.pid</c> yet either, hence the age.
    /// </summary>
    private static void DeleteAbandonedClusters()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var abandoned = !File.Exists(Path.Combine(folder, "data", "postmaster.pid"))
                && Directory.GetLastWriteTimeUtc(folder) < DateTime.UtcNow - TimeSpan.FromHours(1);
            if (abandoned)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // another run's sweep got there first, or the folder is not ours to delete
                }
            }
        }
    }

    private static string? FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")));
    }

    /// <summary>Runs a command; returns null on success, else what it printed.</summary>
    private static string? Run(string file, string arguments, string? runAs)
    {
        var start = runAs is null
            ? new ProcessStartInfo(file, arguments)
            : new ProcessStartInfo("runuser", $"-u {runAs} -- {file} {arguments}");
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {error.Result}{output.Result}";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A test that needs PostgreSQL: skipped with a message on a machine without it, failed on CI.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!PostgresServer.RunningOnCi && PostgresServer.UnavailableReason is { } reason)
        {
            Skip = "PostgreSQL unavailable: " + reason;
        }
    }
}

public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (!PostgresServer.RunningOnCi && PostgresServer.UnavailableReason is { } reason)
        {
            Skip = "PostgreSQL unavailable: " + reason;
        }
    }
}
