using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IdentityRef.Server.Tests.Cli;

/// <summary>
/// <c>import</c> as an operator runs it (the built server as a child process), killed with SIGKILL once some batches are
/// committed, then run again: every row ends imported exactly once, no identity is half-written or without its blocking
/// keys or its <c>identity_keys</c> row (after the kill already, before anything repairs them), check-before-create finds the imported people, and the
/// second run reports the rows of the first as already imported, not as rejects, and succeeds.
/// </summary>
public sealed class ImportKillTests
{
    private const int Rows = 3_000;
    private const string Domain = "killtest";

    /// <summary>
    /// Per provider, batches of 100 rows (the file has 30), and on SQLite also batches of 500 written in chunks of 100
    /// (Import:RowsPerChunk): the chunks of a batch go into its one open transaction, so a kill leaves whole batches only.
    /// </summary>
    public static TheoryData<DatabaseProvider, int, int?> Cases()
    {
        var cases = new TheoryData<DatabaseProvider, int, int?>();
        foreach (var provider in Databases.Providers)
        {
            cases.Add(provider, 100, null);
        }
        cases.Add(DatabaseProvider.Sqlite, 500, 100);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ImportKilledMidway_RunAgain_EveryRowOnceWithItsKeys_AndTheRerunSucceeds(DatabaseProvider provider, int batchSize, int? rowsPerChunk)
    {
        var work = Directory.CreateTempSubdirectory("identityref-import-kill-");
        try
        {
            var connectionString = provider == DatabaseProvider.Sqlite
                ? $"Data Source={Path.Combine(work.FullName, "import.db")}"
                : PostgresServer.Instance.CreateDatabase();
            var csv = Path.Combine(work.FullName, "people.csv");
            await File.WriteAllTextAsync(csv, Csv());
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__IdentityRef"] = connectionString,
                ["Database__Provider"] = provider.ToString(),
                ["Hl7__DispatcherEnabled"] = "false",
                ["Scheduler__Enabled"] = "false",
            };
            if (rowsPerChunk is { } chunk)
            {
                environment["Import__RowsPerChunk"] = chunk.ToString(CultureInfo.InvariantCulture);
            }
            string[] args = ["import", csv, "--domain", Domain, "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture)];

            // First run: killed as soon as a batch is committed.
            long committed;
            using (var first = ServerProcess.Start(work.FullName, environment, args))
            {
                var deadline = DateTime.UtcNow.AddSeconds(90);
                while ((committed = await ScalarAsync(provider, connectionString, ImportedCount)) == 0)
                {
                    Assert.False(first.HasExited, "the import ended before the test could kill it: " + first.Output);
                    Assert.True(DateTime.UtcNow < deadline, "no batch committed in 90 s: " + first.Output);
                    await Task.Delay(10);
                }
                first.Kill();
            }
            committed = await ScalarAsync(provider, connectionString, ImportedCount);
            Assert.InRange(committed, 1, Rows - 1);
            // Whole batches only: each imported row has its identity, its audit line and its keys.
            Assert.Equal(0, committed % batchSize);
            Assert.Equal(committed, await ScalarAsync(provider, connectionString, ImportedIdentities));
            Assert.Equal(committed, await ScalarAsync(provider, connectionString, ImportAudit));
            Assert.Equal(0, await ScalarAsync(provider, connectionString, IdentitiesWithoutKeys));
            // And each identity's identity_keys row lists exactly its keys.
            await using (var db = Databases.Context(provider, connectionString))
            {
                Assert.Equal(committed, await KeyTables.AssertAgreeAsync(db));
            }

            // Second run: finishes the job.
            var (exit, output) = await ServerProcess.RunAsync(work.FullName, environment, TimeSpan.FromSeconds(120), args);
            Assert.True(exit == 0, output);
            Assert.Contains($"imported {Rows - committed}, rejected 0,", output, StringComparison.Ordinal);
            Assert.Contains($"already imported by an earlier run: {committed}", output, StringComparison.Ordinal);

            Assert.Equal(Rows, await ScalarAsync(provider, connectionString, ImportedCount));
            Assert.Equal(Rows, await ScalarAsync(provider, connectionString, DistinctExternalIds));
            Assert.Equal(Rows, await ScalarAsync(provider, connectionString, ImportedIdentities));
            Assert.Equal(Rows, await ScalarAsync(provider, connectionString, ImportAudit));
            Assert.Equal(0, await ScalarAsync(provider, connectionString, IdentitiesWithoutKeys));
            await using (var db = Databases.Context(provider, connectionString))
            {
                Assert.Equal(Rows, await KeyTables.AssertAgreeAsync(db));
            }

            // Check-before-create through the API finds people of both runs (rows of the first batches and of the last ones).
            using var server = new IdentityRefFactory(provider, connectionString: connectionString);
            var client = server.CreateClient();
            foreach (var row in new[] { 0, 1, (int)committed - 1, (int)committed, Rows / 2, Rows - 1 })
            {
                var match = await client.PostAsync("/api/patients/match", Person(row).Content());
                Assert.Equal(HttpStatusCode.OK, match.StatusCode);
                var body = await match.ReadObjectAsync();
                Assert.True((bool)body["probableDuplicate"]!, $"row {row}: {body.ToJsonString()}");
                Assert.Contains(body["candidates"]!.AsArray(), c => (string)c!["birthName"]! == (string)Person(row)["birthName"]!);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }

    private const string ImportedCount = $"SELECT COUNT(*) FROM identifiers WHERE \"System\" = 'import:{Domain}'";
    private const string DistinctExternalIds = $"SELECT COUNT(DISTINCT \"Value\") FROM identifiers WHERE \"System\" = 'import:{Domain}'";
    private const string ImportedIdentities = $"SELECT COUNT(*) FROM identities i WHERE EXISTS (SELECT 1 FROM identifiers x WHERE x.\"IdentityId\" = i.\"Id\" AND x.\"System\" = 'import:{Domain}')";
    private const string ImportAudit = "SELECT COUNT(*) FROM audit_trail WHERE \"Action\" = 'identity.imported' AND \"Actor\" = 'cli:import'";
    private const string IdentitiesWithoutKeys = "SELECT COUNT(*) FROM identities i WHERE i.\"MergedIntoId\" IS NULL AND NOT EXISTS (SELECT 1 FROM match_keys k WHERE k.\"IdentityNumber\" = i.\"Number\")";

    private static async Task<long> ScalarAsync(DatabaseProvider provider, string connectionString, string sql)
    {
        await using DbConnection connection = provider == DatabaseProvider.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
        catch (DbException) when (sql == ImportedCount)
        {
            return 0; // the child has not created the schema yet
        }
    }

    /// <summary>Row <paramref name="i"/> of the file: a distinct name (letters of its number), a valid date.</summary>
    private static JsonObject Person(int i) => new()
    {
        ["birthName"] = "KILL" + Letters(i),
        ["firstNames"] = i % 2 == 0 ? "Jeanne Marie" : "Paul",
        ["birthDate"] = new DateOnly(1940, 1, 1).AddDays(i * 7 % 25_000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["sex"] = i % 2 == 0 ? "F" : "M",
        ["postcode"] = "69003",
        ["city"] = "Lyon",
    };

    private static string Letters(int i)
    {
        var text = new StringBuilder();
        do
        {
            text.Insert(0, (char)('A' + (i % 26)));
            i /= 26;
        }
        while (i > 0);
        return text.ToString().PadLeft(4, 'A');
    }

    private static string Csv()
    {
        var text = new StringBuilder("external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone\n");
        for (var i = 0; i < Rows; i++)
        {
            var p = Person(i);
            text.Append(CultureInfo.InvariantCulture, $"K{i},{p["birthName"]},{p["firstNames"]},{p["birthDate"]},{p["sex"]},,,,,69003,Lyon,\n");
        }
        return text.ToString();
    }
}
