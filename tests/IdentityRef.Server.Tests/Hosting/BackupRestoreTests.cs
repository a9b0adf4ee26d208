using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Hosting;

/// <summary>
/// The backup procedures of docs/operations.md, as an operator runs them: <c>sqlite3 .backup</c> and <c>pg_dump</c>
/// taken while identities are being created, restored, and a server started on the copy serves every identity it
/// holds, each with its audit line, and creates the next one without reusing an IPP.
/// </summary>
public sealed class BackupRestoreTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Duplicates:AdmissionCheckEnabled"] = "false" };

    [SqliteCliFact]
    public async Task SqliteOnlineBackup_TakenDuringWrites_RestoresAndStarts()
    {
        var backup = Path.Combine(Path.GetTempPath(), $"identityref-backup-{Guid.NewGuid():N}.db");
        var restored = Path.Combine(Path.GetTempPath(), $"identityref-restored-{Guid.NewGuid():N}.db");
        try
        {
            using (var source = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings))
            {
                var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(source.ConnectionString).DataSource;
                await WhileWritingAsync(source, () => Run("sqlite3", [file, $".backup '{backup}'"]));
            }
            Assert.Equal("ok", Run("sqlite3", [backup, "PRAGMA integrity_check;"]).Trim());
            File.Copy(backup, restored);

            using var server = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings, connectionString: $"Data Source={restored}");
            await AssertServesTheCopyAsync(server);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in new[] { backup, restored, restored + "-wal", restored + "-shm" }.Where(File.Exists))
            {
                File.Delete(file);
            }
        }
    }

    [PostgresFact]
    public async Task PgDump_TakenDuringWrites_RestoresIntoAnEmptyDatabaseAndStarts()
    {
        var dump = Path.Combine(Path.GetTempPath(), $"identityref-{Guid.NewGuid():N}.dump");
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")).First(d => File.Exists(Path.Combine(d, "pg_dump")));
        var port = PostgresServer.Instance.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using (var source = new IdentityRefFactory(DatabaseProvider.PostgreSql, Settings))
            {
                var database = new Npgsql.NpgsqlConnectionStringBuilder(source.ConnectionString).Database!;
                await WhileWritingAsync(source, () => Run(Path.Combine(bin, "pg_dump"),
                    ["--format=custom", "--no-owner", $"--file={dump}", "-h", "127.0.0.1", "-p", port, "-U", "postgres", database]));
            }
            var target = PostgresServer.Instance.CreateDatabase(); // an empty database, as "createdb" makes
            var targetName = new Npgsql.NpgsqlConnectionStringBuilder(target).Database!;
            Run(Path.Combine(bin, "pg_restore"), ["--no-owner", "-h", "127.0.0.1", "-p", port, "-U", "postgres", $"--dbname={targetName}", dump]);

            using var server = new IdentityRefFactory(DatabaseProvider.PostgreSql, Settings, connectionString: target);
            await AssertServesTheCopyAsync(server);
        }
        finally
        {
            File.Delete(dump);
        }
    }

    /// <summary>Creates identities without pause, takes the backup once some exist, keeps writing a little, then stops.</summary>
    private static async Task WhileWritingAsync(IdentityRefFactory source, Func<string> backup)
    {
        var client = source.CreateClient();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var created = 0;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 2000; i++)
            {
                var body = PatientJson.Valid().With("birthDate", new DateOnly(1950, 1, 1).AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                var response = await client.PostAsync("/api/patients", body.Content(), CancellationToken.None);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                Interlocked.Increment(ref created);
            }
        });
        while (Volatile.Read(ref created) < 20)
        {
            await Task.Delay(20);
        }
        backup();
        var atBackup = Volatile.Read(ref created);
        while (Volatile.Read(ref created) < atBackup + 10 && !writer.IsCompleted)
        {
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        await writer;
    }

    private static async Task AssertServesTheCopyAsync(IdentityRefFactory server)
    {
        var client = server.CreateClient();
        var ready = await client.GetAsync("/health/ready");
        Assert.NotEqual(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        List<(Guid Id, string Ipp)> identities;
        int audited;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            identities = (await db.Identities.AsNoTracking().Select(i => new { i.Id, i.Ipp }).ToListAsync()).Select(i => (i.Id, i.Ipp)).ToList();
            var ids = identities.Select(i => (Guid?)i.Id).ToList();
            audited = await db.AuditTrail.AsNoTracking().Where(a => ids.Contains(a.IdentityId)).Select(a => a.IdentityId).Distinct().CountAsync();
        }
        Assert.True(identities.Count >= 20, $"{identities.Count} identities in the copy");
        Assert.Equal(identities.Count, audited); // every identity of the snapshot has its audit line: one transaction each
        foreach (var (_, ipp) in identities)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/patients/{ipp}")).StatusCode);
        }
        var next = await client.PostAsync("/api/patients", PatientJson.Valid().Content());
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
        var ippOfNext = (string)(await next.ReadObjectAsync())["ipp"]!;
        Assert.DoesNotContain(ippOfNext, identities.Select(i => i.Ipp));
    }

    private static string Run(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), $"{file} did not finish");
        Assert.True(process.ExitCode == 0, $"{file} failed: {error.Result}");
        return output.Result;
    }
}

/// <summary>Needs the sqlite3 command (the documented backup tool): skipped where missing, except on CI.</summary>
public sealed class SqliteCliFactAttribute : FactAttribute
{
    public SqliteCliFactAttribute()
    {
        if (!PostgresServer.RunningOnCi && !File.Exists("/usr/bin/sqlite3"))
        {
            Skip = "sqlite3 is missing (apt-get install sqlite3)";
        }
    }
}
