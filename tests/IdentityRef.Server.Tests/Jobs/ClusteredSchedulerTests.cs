using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Npgsql;

namespace IdentityRef.Server.Tests.Jobs;

/// <summary>Two server instances on one PostgreSQL database, their schedulers clustered: a firing runs once.</summary>
public sealed class ClusteredSchedulerTests
{
    [PostgresFact]
    public async Task TwoInstancesOnOneDatabase_ATriggeredJobRunsOnce()
    {
        var database = PostgresServer.Instance.CreateDatabase();
        var settings = JobsApiTests.SchedulerOn();
        settings["ConnectionStrings:IdentityRef"] = database;
        settings["Scheduler:Clustered"] = "true";
        settings["Scheduler:ClusterCheckinSeconds"] = "1";
        using var first = new IdentityRefFactory(DatabaseProvider.PostgreSql, settings);
        using var second = new IdentityRefFactory(DatabaseProvider.PostgreSql, settings);
        var firstClient = first.CreateClient();
        var secondClient = second.CreateClient();
        await WaitForTwoNodesAsync(database);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await firstClient.PostAsync("/api/jobs/insi-retry/run", null)).StatusCode);
        await JobsApiTests.FinishedRunsAsync(secondClient, "insi-retry");
        // Not a guessed pause: once the one-off trigger has left the shared store (fired, completed, deleted), no
        // instance can fire it any more; only then is counting the runs a proof.
        await WaitForTheManualTriggerToBeGoneAsync(database);

        var runs = await (await secondClient.GetAsync("/api/jobs/insi-retry/runs")).ReadArrayAsync();
        Assert.Equal("succeeded", (string)Assert.Single(runs)!["outcome"]!);
    }

    /// <summary>"Run now" (Quartz <c>TriggerJob</c>) stores a one-off trigger in the MANUAL_TRIGGER group; it is deleted once its firing completed.</summary>
    private static async Task WaitForTheManualTriggerToBeGoneAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "SELECT (SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'MANUAL_TRIGGER') + (SELECT count(*) FROM qrtz_fired_triggers)", connection);
            var left = (long)(await command.ExecuteScalarAsync())!;
            if (left == 0)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{left} manual trigger(s) or firing(s) still in the cluster's store.");
            await Task.Delay(100);
        }
    }

    /// <summary>Both schedulers have checked in to the cluster.</summary>
    private static async Task WaitForTwoNodesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var nodes = 0L;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (nodes != 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{nodes} scheduler(s) checked in to the cluster, expected 2.");
            await Task.Delay(100);
            await using var command = new NpgsqlCommand("SELECT count(*) FROM qrtz_scheduler_state", connection);
            nodes = (long)(await command.ExecuteScalarAsync())!;
        }
    }
}
