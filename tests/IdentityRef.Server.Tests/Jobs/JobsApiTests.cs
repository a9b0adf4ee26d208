using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Jobs;

/// <summary>The operations API over the real scheduler (Quartz, persistent store in the application's database).</summary>
public sealed class JobsApiTests
{
    /// <summary>The scheduler on; insi-retry, the job the tests run by hand, scheduled far away so that its own firing never adds a run.</summary>
    internal static Dictionary<string, string?> SchedulerOn() => new()
    {
        ["Scheduler:Enabled"] = "true",
        ["Scheduler:IdleWaitSeconds"] = "1",
        ["Scheduler:Schedules:insi-retry"] = FarAway,
    };

    internal const string FarAway = "0 0 0 1 1 ? 2099";

    internal static async Task<JsonArray> FinishedRunsAsync(HttpClient client, string job, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var runs = await (await client.GetAsync($"/api/jobs/{job}/runs")).ReadArrayAsync();
            if (runs.Count(r => (string)r!["outcome"]! != "running") >= atLeast)
            {
                return runs;
            }
            Assert.True(DateTime.UtcNow < deadline, $"No finished run of {job} in time.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Jobs_AreListed_RunNow_PausedAndResumed()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, SchedulerOn());
        var client = factory.CreateClient();

        var jobs = await (await client.GetAsync("/api/jobs")).ReadArrayAsync();
        Assert.Equal(IdentityRef.Server.Jobs.JobCatalog.All.Select(j => j.Name), jobs.Select(j => (string)j!["name"]!));
        Assert.Contains("ins-reverification", jobs.Select(j => (string)j!["name"]!));
        Assert.All(jobs, j => Assert.NotNull(j!["nextRun"]));
        Assert.Equal("0 30 2 * * ?", (string)jobs[0]!["schedule"]!); // the default
        Assert.Equal(FarAway, (string)jobs[1]!["schedule"]!);
        Assert.False((bool)jobs[1]!["paused"]!);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/insi-retry/run", null)).StatusCode);
        var run = Assert.Single(await FinishedRunsAsync(client, "insi-retry"))!;
        Assert.Equal("succeeded", (string)run["outcome"]!);
        Assert.NotNull(run["finishedAt"]);
        Assert.IsType<JsonObject>(run["counts"]);
        var listed = await (await client.GetAsync("/api/jobs/insi-retry")).ReadObjectAsync();
        Assert.Equal("succeeded", (string)listed["lastRun"]!["outcome"]!);

        var paused = await (await client.PostAsync("/api/jobs/insi-retry/pause", null)).ReadObjectAsync();
        Assert.True((bool)paused["paused"]!);
        Assert.Null(paused["nextRun"]);
        var resumed = await (await client.PostAsync("/api/jobs/INSI-RETRY/resume", null)).ReadObjectAsync();
        Assert.False((bool)resumed["paused"]!);
        Assert.NotNull(resumed["nextRun"]);

        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/jobs/nope/run", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/jobs/nope/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/jobs/nope/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/jobs/insi-retry/runs?limit=0")).StatusCode);
    }

    [Fact]
    public async Task ConfiguredSchedules_ReplaceTheDefaults_AndAnEmptyOneLeavesTheJobUnscheduled()
    {
        var settings = SchedulerOn();
        settings["Scheduler:Schedules:insi-retry"] = "0 0 5 * * ?";
        settings["Scheduler:Schedules:ins-reverification"] = "";
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, settings);
        var jobs = await (await factory.CreateClient().GetAsync("/api/jobs")).ReadArrayAsync();

        Assert.Null(jobs[0]!["schedule"]);
        Assert.Null(jobs[0]!["nextRun"]);
        Assert.Equal("0 0 5 * * ?", (string)jobs[1]!["schedule"]!);
    }

    [Fact]
    public void InvalidCron_StopsTheServerAtStartup()
    {
        var settings = SchedulerOn();
        settings["Scheduler:Schedules:insi-retry"] = "every quarter hour";
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, settings);

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("cron", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchedulerDisabled_TheListStillAnswers_TheActionsAre503()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();

        var jobs = await (await client.GetAsync("/api/jobs")).ReadArrayAsync();
        Assert.All(jobs, j => Assert.False((bool)j!["schedulerEnabled"]!));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.PostAsync("/api/jobs/insi-retry/run", null)).StatusCode);
    }
}

public sealed class OutboxHousekeepingJobTests
{
    [Fact]
    public async Task OutboxHousekeeping_RunNow_RaisesOneAlertForParkedMessages()
    {
        var settings = JobsApiTests.SchedulerOn();
        settings["Scheduler:Schedules:outbox-housekeeping"] = JobsApiTests.FarAway;
        settings["Hl7:DispatcherEnabled"] = "false";
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, settings);
        var client = factory.CreateClient();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var now = DateTimeOffset.UtcNow;
            var subscription = new Subscription { Id = Guid.NewGuid(), Name = "LAB", Host = "127.0.0.1", Port = 1, ReceivingApplication = "LAB", ReceivingFacility = "H", Charset = "ASCII", Enabled = true, CreatedAt = now, UpdatedAt = now };
            db.Subscriptions.Add(subscription);
            db.Outbox.Add(new OutboxMessage { SubscriptionId = subscription.Id, Event = "A28", ControlId = "C1", Payload = [1], State = OutboxStates.Parked, NextAttemptAt = now, CreatedAt = now });
            await db.SaveChangesAsync();
        }

        for (var run = 1; run <= 2; run++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/outbox-housekeeping/run", null)).StatusCode);
            await JobsApiTests.FinishedRunsAsync(client, "outbox-housekeeping", run);
        }

        await using var check = factory.Services.CreateAsyncScope();
        var items = check.ServiceProvider.GetRequiredService<IdentityRefDbContext>()
            .WorkItems.Where(w => w.Kind == "outbox-parked").ToList();
        Assert.Single(items); // raised once, not again while it is open
    }
}

public sealed class DuplicateDetectionJobTests
{
    [Fact]
    public async Task IncrementalDetectionJob_PutsTheNewPairInTheCellsQueue()
    {
        var settings = JobsApiTests.SchedulerOn();
        settings["Scheduler:Schedules:duplicates-incremental"] = JobsApiTests.FarAway;
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, settings);
        var client = factory.CreateClient();
        var person = new JsonObject { ["birthName"] = "Lefebvre-Martin", ["firstNames"] = "Agathe", ["birthDate"] = "1980-03-02", ["sex"] = "F", ["confirmDuplicate"] = true };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/patients", person.Content())).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/patients", person.With("birthDate", "1980-02-03").With("birthName", "Lefebvre Martin").Content())).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/duplicates-incremental/run", null)).StatusCode);
        var run = (await JobsApiTests.FinishedRunsAsync(client, "duplicates-incremental"))[0]!;
        Assert.Equal("succeeded", (string)run["outcome"]!);

        var queue = await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync();
        Assert.True((int)queue["total"]! >= 1, queue.ToJsonString());
    }
}
