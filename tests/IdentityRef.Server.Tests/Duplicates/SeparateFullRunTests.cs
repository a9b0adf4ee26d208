using System.Net;
using IdentityRef.Persistence;
using IdentityRef.Server.Cli;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>
/// A full detection in its own process (<c>Duplicates:FullRunIsolation=Process</c>, the default outside the tests): the
/// server starts the same program's <c>dedupe --full</c> as a real child process on its own base and settings (given
/// by the test server only in memory, so the child has them only if the server passes them on), reads its summary back,
/// then scores like it; a run whose server has gone away stops without writing.
/// </summary>
public sealed class SeparateFullRunTests
{
    private static readonly Dictionary<string, string?> Separate = new() { ["Duplicates:FullRunIsolation"] = "Process" };

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task AFullRunInAChildProcess_QueuesThePairsOfThisBase_AndTheServerReadsItsSummary(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider, Separate);
        var client = factory.CreateClient();
        var person = PatientJson.Valid("SEPARE" + PatientJson.UniqueLetters()).With("birthPlaceCode", "75112");
        var first = await CreateAsync(client, person);
        // The same person keyed again with a first name dropped: a probable duplicate, created past the check.
        var second = await CreateAsync(client, person.With("firstNames", "Jean").With("confirmDuplicate", true));
        await CreateAsync(client, PatientJson.Valid("AUTRE" + PatientJson.UniqueLetters()).With("birthDate", "1961-07-19").With("sex", "F").With("firstNames", "Odile"));
        int active;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            active = await db.Identities.CountAsync(i => i.MergedIntoId == null);
            // The run must find the pair itself: the queue item that the forced creation opened is taken away.
            await db.DuplicateItems.ExecuteDeleteAsync();
        }

        var response = await client.PostAsync("/api/duplicates/detect?full=true", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await response.ReadObjectAsync();
        Assert.Equal("full", (string)summary["kind"]!);
        Assert.Equal(active, (int)summary["identities"]!);
        Assert.Equal(1, (int)summary["probable"]!);
        Assert.Equal(1, (int)summary["created"]!);
        var item = Assert.Single((await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync())["items"]!.AsArray())!;
        Assert.Equal(new[] { first, second }.Order(), new[] { (string)item["ippA"]!, (string)item["ippB"]! }.Order());
        // It ran in another process, which the server logged by its id (and nothing of the people).
        var started = Assert.Single(factory.Logs.Lines, l => l.Contains("[1705]", StringComparison.Ordinal));
        Assert.DoesNotContain($"process {Environment.ProcessId}", started, StringComparison.Ordinal);
        Assert.Contains(factory.Logs.Lines, l => l.Contains("[1706]", StringComparison.Ordinal) && l.Contains("exited with code 0", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains((string)person["birthName"]!, StringComparison.Ordinal));
        // The server scores with the engine the run left (reloaded from the base): the check still finds the person.
        var match = await (await client.PostAsync("/api/patients/match", person.Content())).ReadObjectAsync();
        Assert.True((bool)match["probableDuplicate"]!);
    }

    /// <summary>
    /// The launcher of the run lowers the program's CPU priority before it starts: a shell started through it reads its own
    /// scheduling policy and nice value from /proc (fields 41 and 19 of its stat line), as the run's threads would have them.
    /// </summary>
    [Fact]
    public async Task TheRunsLauncher_StartsTheProgramAtTheLowestCpuPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc and SCHED_IDLE are Linux's; elsewhere the run is lowered after its start (ProcessPriorityClass.Idle).
        }
        var info = new System.Diagnostics.ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true };
        Assert.True(IdentityRef.Server.Duplicates.SeparateFullRun.ThroughLowPriorityLauncher(info, "/bin/sh"));
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("cat /proc/$$/stat");
        using var shell = System.Diagnostics.Process.Start(info)!;
        var stat = await shell.StandardOutput.ReadToEndAsync();
        await shell.WaitForExitAsync();

        // After the command's name in parentheses, the fields are numbered from 3 (state).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var (nice, policy) = (int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(fields[41 - 3], System.Globalization.CultureInfo.InvariantCulture));
        const int SchedIdle = 5;
        if (File.Exists("/usr/bin/chrt"))
        {
            Assert.Equal(SchedIdle, policy);
        }
        else
        {
            Assert.Equal(19, nice);
        }
    }

    [Fact]
    public async Task ARunWhoseServerHasGoneAway_StopsWithoutWritingASummary()
    {
        var folder = Directory.CreateTempSubdirectory("identityref-separate-").FullName;
        try
        {
            // A process that has already ended stands for the server that started the run.
            using var gone = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
            await gone.WaitForExitAsync();
            var summary = Path.Combine(folder, "summary.json");
            var environment = new Dictionary<string, string> { ["ConnectionStrings__IdentityRef"] = $"Data Source={Path.Combine(folder, "base.db")}" };

            var (exitCode, output) = await ServerProcess.RunAsync(folder, environment, TimeSpan.FromSeconds(60),
                "dedupe", "--full", "--summary-json", summary, "--stop-with", gone.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

            Assert.True(exitCode == CommandLine.Stopped, output);
            Assert.Contains("stopped before its end", output, StringComparison.Ordinal);
            Assert.False(File.Exists(summary));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheDedupeCommand_IsAProcessOfItsOwn_AndRunsTheDetectionItself()
    {
        var folder = Directory.CreateTempSubdirectory("identityref-separate-").FullName;
        try
        {
            var environment = new Dictionary<string, string> { ["ConnectionStrings__IdentityRef"] = $"Data Source={Path.Combine(folder, "base.db")}" };

            var (exitCode, output) = await ServerProcess.RunAsync(folder, environment, TimeSpan.FromSeconds(60), "dedupe", "--full");

            Assert.True(exitCode == 0, output);
            Assert.Contains("full detection: 0 identities", output, StringComparison.Ordinal);
            Assert.DoesNotContain("started in process", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("/var/log/identityref/identityref-.log", "/var/log/identityref/identityref-detection-.log")]
    [InlineData("logs/app.log", "logs/app-detection-.log")]
    public void TheRunLogsToAFileOfItsOwn_BesideTheServers(string server, string run) =>
        Assert.Equal(run, IdentityRef.Server.Duplicates.SeparateFullRun.RunLogFile(server));

    private static async Task<string> CreateAsync(HttpClient client, System.Text.Json.Nodes.JsonObject body)
    {
        var response = await client.PostAsync("/api/patients", body.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }
}
