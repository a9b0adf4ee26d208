using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using IdentityRef.Server.Tests.Web;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>
/// Several members of the cell decide on one pair at the same moment. The interleaving cannot be chosen from
/// outside, so many decisions are sent at once, on each database, and whatever order the server saw them in is
/// judged: exactly one decision wins, every other answer is a 409 naming why (<c>item-changed</c> when it lost the race on the item's
/// state or the identities' versions, <c>item-resolved</c> when it came after), never a 500.
/// </summary>
public sealed class DecisionRaceTests(Databases databases) : IClassFixture<Databases>
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task SimultaneousNotDuplicateDecisions_AreEachASuccessOrA409ByName_NeverA500(DatabaseProvider provider)
    {
        var (factory, id, _) = await PairAsync(provider);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => factory.CreateClient()
            .PostAsync($"/api/duplicates/{id}/not-duplicate", new JsonObject { ["comment"] = $"decision {i}" }.Content())));

        await AssertCleanAsync(factory, responses);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK); // one decision, not eight lost updates
        var item = (await (await factory.CreateClient().GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!;
        Assert.Equal("not-duplicate", (string)item["resolution"]!);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task SimultaneousMergeAndNotDuplicate_OneDecisionWins_TheOthersAre409ByName(DatabaseProvider provider)
    {
        var (factory, id, survivor) = await PairAsync(provider);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => i % 2 == 0
            ? factory.CreateClient().PostAsync($"/api/duplicates/{id}/not-duplicate", new JsonObject { ["comment"] = $"decision {i}" }.Content())
            : factory.CreateClient().PostAsync($"/api/duplicates/{id}/merge", new JsonObject { ["survivorIpp"] = survivor }.Content())));

        await AssertCleanAsync(factory, responses);
        var winners = await Task.WhenAll(responses.Where(r => r.StatusCode == HttpStatusCode.OK).Select(async r => (string?)(await r.ReadObjectAsync())["item"]?["resolution"]));
        Assert.True(winners.Length == 1, "several decisions won: " + string.Join(", ", winners));
    }

    private async Task<(IdentityRefFactory Factory, long Id, string Survivor)> PairAsync(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var admin = factory.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin);
        return (factory, await VigilancePagesTests.DetectedItemAsync(admin, a, b), a);
    }

    private static async Task AssertCleanAsync(IdentityRefFactory factory, HttpResponseMessage[] responses)
    {
        var errors = string.Join("\n", factory.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).Select(l => l.Length > 600 ? l[..600] : l));
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"a decision answered {r.StatusCode}; server errors:\n{errors}"));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.Contains((string)(await refused.ReadObjectAsync())["rule"]!, new[] { "item-changed", "item-resolved" });
        }
    }
}
