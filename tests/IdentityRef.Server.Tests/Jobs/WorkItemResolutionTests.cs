using IdentityRef.Application.Jobs;
using IdentityRef.Application.Security;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Insi.Simulator;
using IdentityRef.Persistence;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Jobs;

/// <summary>A re-verification work item resolved through the API puts the identity back in the INS re-verification job's reach.</summary>
public sealed class WorkItemResolutionTests
{
    private static Task<List<string>> DueAsync(JobsTestHost host) =>
        host.WithScopeAsync(async sp => (await sp.GetRequiredService<InsReverifier>().DueAsync(default)).Select(i => i.Ipp).ToList());

    private static Task<JobCounters> RunAsync(JobsTestHost host) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<InsReverifier>().RunAsync(default)).WaitAsync(TimeSpan.FromSeconds(60));

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task ResolvedReverificationItem_MakesTheIdentityDueAgain(DatabaseProvider provider)
    {
        await using var host = await JobsTestHost.StartAsync(provider: provider);
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: true);
        // The teleservice no longer knows the person.
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Where(p => !(p.BirthName == "ADRTROIS" && p.FirstNames == "DOMINIQUE")));
        host.Clock.Advance(TimeSpan.FromDays(400));

        Assert.Equal(1, (await RunAsync(host))["not-found"]);
        var item = Assert.Single(await host.WorkItemsAsync());
        Assert.Equal((WorkItemKinds.ReverificationNotFound, WorkItem.Open), (item.Kind, item.State));
        Assert.Empty(await DueAsync(host)); // before the cell: not asked again

        var cell = host.Factory.CreateClient(Roles.Identitovigilance);
        var resolved = await cell.PostAsync($"/api/work-items/{item.Id}/resolve", new JsonObject { ["comment"] = "Identité vérifiée avec le patient." }.Content());
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);

        Assert.Equal([ipp], await DueAsync(host));
        host.Insi.ResetCount();
        var again = await RunAsync(host);
        Assert.Equal((1, 1), (again["not-found"], host.Insi.Requests));
        // Still not found: a new item for the cell, the resolved one kept as it was.
        var items = await host.WorkItemsAsync();
        Assert.Equal([WorkItem.Resolved, WorkItem.Open], items.Select(w => w.State));
    }
}
