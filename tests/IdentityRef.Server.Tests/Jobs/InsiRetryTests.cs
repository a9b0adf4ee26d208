using IdentityRef.Application.Jobs;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Jobs;

/// <summary>The retry of INSi calls that failed for a technical reason.</summary>
public sealed class InsiRetryTests
{
    private static Task<JobCounters> RunAsync(JobsTestHost host) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<InsiRetrier>().RunAsync(default)).WaitAsync(TimeSpan.FromSeconds(60));

    private static Task<InsiCall> LastCallAsync(JobsTestHost host) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().InsiCalls.AsNoTracking().OrderBy(c => c.Id).LastAsync());

    private static async Task<string> FailedSearchAsync(JobsTestHost host)
    {
        var ipp = await host.CreateAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"));
        host.Insi.Down = true;
        Assert.Equal(HttpStatusCode.BadGateway, (await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", null)).StatusCode);
        Assert.StartsWith("InsiTransportError", (await LastCallAsync(host)).Error, StringComparison.Ordinal);
        return ipp;
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task TransportFailure_IsRetriedOnceOldEnough_AndItsAnswerAwaitsStaff(DatabaseProvider provider)
    {
        await using var host = await JobsTestHost.StartAsync(provider: provider);
        var ipp = await FailedSearchAsync(host);
        host.Insi.Down = false;
        host.Insi.ResetCount();

        Assert.Equal(0, (await RunAsync(host))["answered"]); // younger than the configured delay
        host.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, (await RunAsync(host))["answered"]);

        var retried = await LastCallAsync(host);
        Assert.Equal((InsiRetrier.ActorName, "00", null), (retried.Actor, retried.Outcome, retried.Decision));
        Assert.Equal(1, host.Insi.Requests);
        Assert.Empty(await host.WithScopeAsync(sp => sp.GetRequiredService<InsiRetrier>().DueAsync(default)));
        // Staff decide on the answer as on any other.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null)).StatusCode);
    }

    [Fact]
    public async Task PersistentFailure_StopsAfterMaxAttempts_WithATechnicalFailureWorkItem()
    {
        await using var host = await JobsTestHost.StartAsync(new Dictionary<string, string?> { ["Scheduler:InsiRetry:MaxAttempts"] = "2" });
        var ipp = await FailedSearchAsync(host);
        host.Insi.ResetCount();

        var outcomes = new List<string>();
        for (var run = 0; run < 4; run++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(11));
            outcomes.Add(string.Join(",", (await RunAsync(host)).Snapshot().Keys));
        }

        Assert.Equal(["failed-again", "failed-again", "gave-up", ""], outcomes); // handed over: left alone
        Assert.Equal(2, host.Insi.Requests);
        var item = Assert.Single(await host.WorkItemsAsync());
        Assert.Equal((WorkItemKinds.TechnicalFailure, WorkItem.Open, (await host.IdentityAsync(ipp)).Id), (item.Kind, item.State, item.IdentityId!.Value));
    }

    /// <summary>
    /// A failure of an identity that may no longer call INSi (here made doubtful) cannot be retried: it is marked dropped, so
    /// it does not head every later batch. It did, and with a batch of such failures no other call was ever retried (review,
    /// December 8, 2026).
    /// </summary>
    [Fact]
    public async Task AFailureOfAnIdentityThatMayNoLongerCallInsi_IsDropped_AndTheOtherFailuresAreRetried()
    {
        await using var host = await JobsTestHost.StartAsync(new Dictionary<string, string?> { ["Scheduler:InsiRetry:BatchSize"] = "1" });
        host.Insi.Down = true;
        var doubtful = await host.CreateAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"));
        Assert.Equal(HttpStatusCode.BadGateway, (await host.Client.PostAsync($"/api/patients/{doubtful}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PutAsync($"/api/patients/{doubtful}/attributes",
            new JsonObject { ["attributes"] = new JsonArray("douteuse") }.Content())).StatusCode);
        var waiting = await host.CreateAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"));
        Assert.Equal(HttpStatusCode.BadGateway, (await host.Client.PostAsync($"/api/patients/{waiting}/insi/search", null)).StatusCode);
        host.Insi.Down = false;
        host.Clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(1, (await RunAsync(host))["not-allowed"]);
        Assert.Equal(1, (await RunAsync(host))["answered"]);

        var doubtfulId = (await host.IdentityAsync(doubtful)).Id;
        var waitingId = (await host.IdentityAsync(waiting)).Id;
        var calls = await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().InsiCalls.AsNoTracking().OrderBy(c => c.Id).ToListAsync());
        var dropped = Assert.Single(calls, c => c.IdentityId == doubtfulId);
        Assert.Equal((InsiRetrier.DecisionDropped, InsiRetrier.ActorName), (dropped.Decision, dropped.DecidedBy));
        Assert.Equal((InsiRetrier.ActorName, "00"), (calls[^1].Actor, calls[^1].Outcome));
        Assert.Equal(waitingId, calls[^1].IdentityId);
        Assert.Empty(await host.WithScopeAsync(sp => sp.GetRequiredService<InsiRetrier>().DueAsync(default)));
    }
}
