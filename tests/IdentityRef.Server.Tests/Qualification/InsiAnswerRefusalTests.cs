using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Domain.Ins;
using IdentityRef.Insi.Simulator;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Jobs;
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

    // The contract lets TIQ/Sexe be any capital letter, but an INS sex is M or F. An answer with U (or I, X) is not a spelling
    // correction of a local M: accepting it would make the identity's sex U, an identity INSi can no longer even be asked for.
    [Theory]
    [InlineData('U')]
    [InlineData('I')]
    [InlineData('X')]
    public async Task AnswerWithASexOtherThanMOrF_IsInvalidTraits_NotASpellingCorrection_TheIdentityKeepsItsSex(char sex)
    {
        var matricule = "1800475056" + "123";
        var key = InsNumber.ComputeKey(matricule).ToString("00", CultureInfo.InvariantCulture);
        var sexless = new SimulatedIdentity("MARTIN", "LUC", sex, "1980-04-05", "75056", new SimulatedIns(matricule, key, InsOids.Nir), []);
        await using var host = await JobsTestHost.StartAsync();
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Append(sexless));
        var ipp = await host.CreateAsync(JobsTestHost.Person("Martin", "Luc", "1980-04-05", "M"));

        var searched = await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", new JsonObject
        {
            ["vitale"] = new JsonObject
            {
                ["beneficiaryNumber"] = matricule, ["beneficiaryKey"] = key, ["birthRank"] = "1",
                ["beneficiaryBirthDate"] = "1980-04-05", ["beneficiaryBirthName"] = "MARTIN",
            },
        }.Content());
        Assert.Equal(HttpStatusCode.OK, searched.StatusCode);
        var search = await searched.ReadObjectAsync();
        Assert.Equal("00", (string)search["code"]!);
        // What the desk sees: the answer breaks the INS rules, it may not be accepted.
        Assert.Equal(("answer-invalid", "insi-traits-invalid", false),
            ((string)search["verdict"]!["kind"]!, (string)search["verdict"]!["rule"]!, (bool)search["verdict"]!["mayBeAccepted"]!));
        var before = await (await host.Client.GetAsync($"/api/patients/{ipp}")).Content.ReadAsStringAsync();

        var accept = await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null);

        Assert.Equal(HttpStatusCode.Conflict, accept.StatusCode);
        Assert.Equal("insi-traits-invalid", (string)(await accept.ReadObjectAsync())["rule"]!);
        var after = await (await host.Client.GetAsync($"/api/patients/{ipp}")).Content.ReadAsStringAsync();
        var patient = JsonNode.Parse(after)!.AsObject();
        Assert.Equal(("M", "PROV"), ((string)patient["sex"]!, (string)patient["status"]!));
        Assert.Equal(before, after); // same traits, no INS, same version
        var history = await (await host.Client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        Assert.DoesNotContain(history, h => (string)h!["action"]! == "insi.accepted");
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
