using IdentityRef.Application.Jobs;
using System.Net;
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
}
