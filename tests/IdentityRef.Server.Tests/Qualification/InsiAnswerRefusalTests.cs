using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Qualification;

/// <summary>
/// An INSi answer that breaks the INS rules is never accepted: an INS whose key does not match, or traits that no
/// identity could hold. The answer is the real one from the simulator, then spoiled where it is kept (as a faulty
/// teleservice, or a row altered since, would leave it); accepting it must be refused by name with nothing written.
/// </summary>
public sealed class InsiAnswerRefusalTests(Databases databases) : IClassFixture<Databases>
{
    [Theory]
    [InlineData("insi-answer-invalid")]
    [InlineData("insi-traits-invalid")]
    public async Task Accept_OfAnAnswerThatBreaksTheInsRules_Is409ByName_AndChangesNothing(string rule)
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var client = factory.CreateClient();
        var created = await client.PostAsync("/api/patients", new JsonObject
        {
            ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F", ["confirmDuplicate"] = true,
        }.Content());
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/insi/search", null)).StatusCode);
        await SpoilTheAnswerAsync(factory, ipp, rule);
        var before = await (await client.GetAsync($"/api/patients/{ipp}")).Content.ReadAsStringAsync();

        var accept = await client.PostAsync($"/api/patients/{ipp}/insi/accept", null);

        Assert.Equal(HttpStatusCode.Conflict, accept.StatusCode);
        Assert.Equal(rule, (string)(await accept.ReadObjectAsync())["rule"]!);
        Assert.Equal(before, await (await client.GetAsync($"/api/patients/{ipp}")).Content.ReadAsStringAsync()); // still PROV, no INS, same version
        var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        Assert.DoesNotContain(history, h => (string)h!["action"]! == "insi.accepted");
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var identityId = await db.Identities.Where(i => i.Ipp == ipp).Select(i => i.Id).SingleAsync();
        Assert.Null(await db.InsiCalls.Where(c => c.IdentityId == identityId).Select(c => c.Decision).SingleAsync()); // still undecided
    }

    private static async Task SpoilTheAnswerAsync(IdentityRefFactory factory, string ipp, string rule)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var identityId = await db.Identities.Where(i => i.Ipp == ipp).Select(i => i.Id).SingleAsync();
        var call = await db.InsiCalls.Where(c => c.IdentityId == identityId).SingleAsync();
        Assert.Equal("297022A02077878", call.InsValue); // the simulator's answer, valid as it came
        if (rule == "insi-answer-invalid")
        {
            // the same NIR with another control key: not a valid INS
            await db.InsiCalls.Where(c => c.Id == call.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.InsValue, "297022A02077879"));
        }
        else
        {
            // a birth name with a digit: no INS trait can hold it
            var traits = JsonNode.Parse(call.Traits!)!.AsObject();
            var birthName = traits.Select(p => p.Key).Single(k => k.Equals("birthName", StringComparison.OrdinalIgnoreCase));
            traits[birthName] = "ADRTROIS3";
            var spoiled = traits.ToJsonString();
            await db.InsiCalls.Where(c => c.Id == call.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Traits, spoiled));
        }
    }
}
