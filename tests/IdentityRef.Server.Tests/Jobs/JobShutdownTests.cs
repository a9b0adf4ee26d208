using System.Net;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IdentityRef.Server.Tests.Jobs;

/// <summary>A run in progress when the server stops is cancelled between two identities, and recorded as such.</summary>
public sealed class JobShutdownTests
{
    [Fact]
    public async Task Shutdown_CancelsTheRunningJob_AndItsRunIsRecordedCancelled()
    {
        var settings = JobsApiTests.SchedulerOn();
        // Quartz reads the host's (fake) clock: moving it 400 days would make the nightly trigger misfire and fire too.
        settings["Scheduler:Schedules:ins-reverification"] = "";
        await using var host = await JobsTestHost.StartAsync(settings);
        await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: false);
        await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: false);
        host.Clock.Advance(TimeSpan.FromDays(400));
        host.Insi.ResetCount();

        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.PostAsync("/api/jobs/ins-reverification/run", null)).StatusCode);
        // The first identity is confirmed; the run then waits on the rate gate, and the fake clock does not move.
        var checkedAt = host.Clock.GetUtcNow();
        await InsReverificationTests.WaitUntilAsync(() =>
        {
            using var scope = host.Factory.Services.CreateScope();
            return scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Identities.Count(i => i.InsiCheckedAt == checkedAt) == 1;
        });
        host.Factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        // The stopped host disposes its services: read the database directly.
        JobRun? run = null;
        await InsReverificationTests.WaitUntilAsync(() =>
        {
            using var db = new SqliteIdentityRefDbContext(new DbContextOptionsBuilder<SqliteIdentityRefDbContext>().UseSqlite(host.Factory.ConnectionString).Options);
            run = db.JobRuns.AsNoTracking().SingleOrDefault(r => r.Job == "ins-reverification");
            return run is { Outcome: not JobRun.Running };
        });
        Assert.Equal(JobRun.Cancelled, run!.Outcome);
        Assert.Equal("{\"confirmed\":1,\"due\":2,\"requests\":1}", run.Counts);
        Assert.Equal(1, host.Insi.Requests);
    }
}
