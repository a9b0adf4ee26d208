using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>
/// A creation forced past a probable duplicate (<c>confirmDuplicate: true</c>) puts the pair in the vigilance cell's queue in
/// the creation's own transaction, naming who forced it; the next detection run finds the item and adds nothing.
/// </summary>
public sealed class ForcedCreationTests
{
    private static JsonObject Person() => new()
    {
        ["birthName"] = "FORCEVILLE" + PatientJson.UniqueLetters(),
        ["firstNames"] = "Marie-Claire Anne",
        ["birthDate"] = "1975-06-12",
        ["sex"] = "F",
        ["birthPlaceCode"] = "75112",
        ["postcode"] = "69003",
        ["city"] = "Lyon",
    };

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task ForcedCreation_QueuesThePairAtOnce_WithWhoForcedIt(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider);
        var client = factory.CreateClient();
        var original = Person();
        var first = await client.PostAsync("/api/patients", original.Content());
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var ippA = (string)(await first.ReadObjectAsync())["ipp"]!;
        Assert.Empty(await OpenItemsAsync(client));

        var again = original.With("firstNames", "Marie Claire Anne").With("birthDate", "1975-12-06");
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/patients", again.Content())).StatusCode);
        // Refused: nothing queued.
        Assert.Empty(await OpenItemsAsync(client));

        // Forced by an admission desk (its own API key): the item names it.
        var desk = factory.CreateClient(Roles.Accueil);
        var forced = await desk.PostAsync("/api/patients", again.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, forced.StatusCode);
        var ippB = (string)(await forced.ReadObjectAsync())["ipp"]!;

        // No detection run: the item is there already, for that pair, with who forced it.
        var item = Assert.Single(await OpenItemsAsync(client))!;
        Assert.Equal("duplicate", (string)item["kind"]!);
        Assert.Equal("probable", (string)item["class"]!);
        var detail = await (await client.GetAsync($"/api/duplicates/{(long)item["id"]!}")).ReadObjectAsync();
        var ipps = new[] { (string)detail["item"]!["ippA"]!, (string)detail["item"]!["ippB"]! };
        Assert.Equal(new[] { ippA, ippB }.Order(), ipps.Order());
        var decision = Assert.Single(detail["decisions"]!.AsArray())!;
        Assert.Equal("forced-creation", (string)decision["action"]!);
        Assert.Contains("test-accueil", (string)decision["by"]!, StringComparison.Ordinal);
        Assert.Contains(ippB, (string)decision["detail"]!, StringComparison.Ordinal);
        Assert.Contains(ippA, (string)decision["detail"]!, StringComparison.Ordinal);
        // The explanation is oriented as the item (a, b): the birth date values are those of each side.
        var date = detail["explanation"]!["traits"]!.AsArray().Single(t => (string)t!["trait"]! == "birthDate")!;
        var dateOf = new Dictionary<string, string> { [ippA] = "1975-06-12", [ippB] = "1975-12-06" };
        Assert.Equal(dateOf[ipps[0]], (string)date["valueA"]!);
        Assert.Equal(dateOf[ipps[1]], (string)date["valueB"]!);

        // The next detection runs find the same item and add none.
        foreach (var full in new[] { false, true })
        {
            var run = await client.PostAsync($"/api/duplicates/detect?full={(full ? "true" : "false")}", null);
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        }
        var after = Assert.Single(await OpenItemsAsync(client))!;
        Assert.Equal((long)item["id"]!, (long)after["id"]!);
    }

    private static async Task<JsonArray> OpenItemsAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync())["items"]!.AsArray();
}
