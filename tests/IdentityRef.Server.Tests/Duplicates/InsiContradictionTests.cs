using IdentityRef.Application.Jobs;
using IdentityRef.Application.Security;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Insi.Simulator;
using IdentityRef.Persistence;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Jobs;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>
/// Collisions raised by INSi answers, through the real server and a teleservice speaking SOAP over HTTP: INSi contradictions
/// (one identity against the answer) from the re-verification job and from a rejected search, same-INS pairs when INSi answers
/// an INS another identity holds, and every decision of the cell on them.
/// </summary>
public sealed class InsiContradictionTests
{
    private static readonly TimeSpan PastMaxAge = TimeSpan.FromDays(400); // re-verification after 365 days by default

    /// <summary>TCHITCHI as admission typed her: INSi knows her as CATARINA BELLA (public test identity).</summary>
    private static JsonObject Tchitchi() => new()
    {
        ["birthName"] = "Tchitchi", ["firstNames"] = "Ola Catarina", ["birthDate"] = "1936-06-21", ["sex"] = "F", ["confirmDuplicate"] = true,
    };

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Reverification_TraitsChangedAtInsi_RaisesOneContradiction_NotTwo_AndAcceptingTheAnswerResolvesIt(DatabaseProvider provider)
    {
        await using var host = await JobsTestHost.StartAsync(provider: provider);
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: false);
        // Meanwhile at the teleservice: the same INS now carries a longer list of first names.
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Select(p => p.BirthName == "ADRUN" ? p with { FirstNames = "ZOE MARIE" } : p));
        host.Clock.Advance(PastMaxAge);

        var counters = await ReverifyAsync(host);

        Assert.Equal((1, 1), (counters["mismatch"], counters["insi-contradiction"]));
        Assert.DoesNotContain(await host.WorkItemsAsync(), w => w.Kind == WorkItemKinds.ReverificationMismatch); // the collision item replaces it
        var item = await SingleAsync(host.Client, "?kind=collision&state=open");
        Assert.Equal(("insi-contradiction", ipp, null), ((string)item["class"]!, (string)item["ippA"]!, (string?)item["ippB"]));
        var id = (long)item["id"]!;

        var detail = await (await host.Client.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync();
        Assert.Null(detail["identityB"]);
        Assert.Equal("ZOE MARIE", (string)detail["insi"]!["traits"]!["firstNames"]!);
        Assert.Equal(["firstNames"], detail["insi"]!["contradictingNow"]!.AsArray().Select(t => (string)t!));
        Assert.True((bool)detail["insi"]!["rows"]!.AsArray().Single(r => (string)r!["field"]! == "firstNames")!["differs"]!);
        var firstNames = detail["explanation"]!["traits"]!.AsArray().Single(t => (string)t!["trait"]! == "firstNames")!;
        Assert.Equal(("ZOE", "ZOE MARIE"), ((string)firstNames["valueA"]!, (string)firstNames["valueB"]!));
        // The matcher's level and weight are shown as they are (it may find the people alike: the contradiction is the written list).
        Assert.False(string.IsNullOrEmpty((string?)firstNames["levelName"]));
        Assert.NotNull(firstNames["weight"]);

        // Not asked again while the cell has it, even much later: still one item.
        host.Clock.Advance(PastMaxAge);
        Assert.Equal(0, (await ReverifyAsync(host))["due"]);
        Assert.Single((await ListAsync(host.Client, "?kind=collision"))["items"]!.AsArray());

        // Declared corrected while the identity still says ZOE: refused, the item stays open.
        var refused = await host.Client.PostAsync($"/api/duplicates/{id}/traits-corrected", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("contradiction-remains", (string)(await refused.ReadObjectAsync())["rule"]!);

        // The answer the item is about cannot be accepted at the desk: the action that created the risk never closes it.
        var atTheDesk = await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null);
        Assert.Equal(HttpStatusCode.Conflict, atTheDesk.StatusCode);
        Assert.Equal("collision-pending", (string)(await atTheDesk.ReadObjectAsync())["rule"]!);
        // The cell takes it, explicitly and saying why: the INS traits replace the local ones, the passport check is voided.
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.PostAsync($"/api/duplicates/{id}/accept-answer", null)).StatusCode);
        var taken = await host.Client.PostAsync($"/api/duplicates/{id}/accept-answer", new JsonObject { ["comment"] = "Acte de naissance : ZOE MARIE." }.Content());
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        var resolved = (await (await host.Client.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!;
        Assert.Equal(("resolved", "answer-accepted"), ((string)resolved["state"]!, (string)resolved["resolution"]!));
        var patient = await (await host.Client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync();
        Assert.Equal(("ZOE MARIE", "RECUP"), ((string)patient["firstNames"]!, (string)patient["status"]!));
        var audit = (await (await host.Client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync()).Last()!;
        Assert.Equal(("insi.accepted", "Acte de naissance : ZOE MARIE."), ((string)audit["action"]!, (string)audit["details"]!["comment"]!));
        Assert.Equal("item-resolved", await RuleAsync(await host.Client.PostAsync($"/api/duplicates/{id}/traits-corrected", null)));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task SearchThenReject_RaisesAContradiction_ThatTraitsCorrectedClosesOnlyOnceTheIdentityAgrees(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider);
        var client = factory.CreateClient();
        var ipp = await CreateAsync(client, Tchitchi());

        await SearchAndRejectAsync(client, ipp);
        var item = await SingleAsync(client, "?kind=collision&state=open");
        Assert.Equal(("insi-contradiction", ipp), ((string)item["class"]!, (string)item["ippA"]!));
        var id = (long)item["id"]!;
        Assert.NotNull(item["insiCallId"]);
        var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        var rejected = history.Last(h => (string)h!["action"]! == "insi.rejected")!;
        Assert.Equal("insi-contradiction", (string)rejected["details"]!["collision"]!); // audited with the decision that raised it

        // Decisions for pairs do not apply; the traits still differ.
        Assert.Equal("not-a-pair", await RuleAsync(await client.PostAsync($"/api/duplicates/{id}/merge", new JsonObject { ["survivorIpp"] = ipp }.Content())));
        Assert.Equal("not-a-pair", await RuleAsync(await client.PostAsync($"/api/duplicates/{id}/not-duplicate", null)));
        Assert.Equal("contradiction-remains", await RuleAsync(await client.PostAsync($"/api/duplicates/{id}/traits-corrected", null)));

        // The same contradiction found again: recorded on the open item, not queued twice.
        await SearchAndRejectAsync(client, ipp);
        Assert.Equal(id, (long)(await SingleAsync(client, "?kind=collision"))["id"]!);

        // Admission corrects the first names as the teleservice knows them: now the decision is accepted.
        await PatientJson.UpdateAsync(client, ipp, body => body.With("firstNames", "Catarina Bella"));
        var corrected = await client.PostAsync($"/api/duplicates/{id}/traits-corrected", new JsonObject { ["comment"] = "checked on the passport" }.Content());
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        var detail = await corrected.ReadObjectAsync();
        Assert.Equal("traits-corrected", (string)detail["item"]!["resolution"]!);
        Assert.Empty(detail["insi"]!["contradictingNow"]!.AsArray());
        Assert.Equal(["detected", "detected-again", "traits-corrected"], detail["decisions"]!.AsArray().Select(d => (string)d!["action"]!));
        Assert.Equal("insi.contradiction-resolved", (await HistoryAsync(client, ipp)).Last());
    }

    [Fact]
    public async Task OtherPerson_OnARecoveredIdentity_DeletesTheWronglyAttributedIns_AndRejectsTheAnswer()
    {
        await using var host = await JobsTestHost.StartAsync();
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: false);
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities()
            .Select(p => p.BirthName == "NESSI" ? p with { FirstNames = "MICHELANGELO LUIGI", BirthPlace = "75056" } : p));
        host.Clock.Advance(PastMaxAge);
        Assert.Equal(1, (await ReverifyAsync(host))["insi-contradiction"]);
        var id = (long)(await SingleAsync(host.Client, "?kind=collision&state=open"))["id"]!;

        var decided = await host.Client.PostAsync($"/api/duplicates/{id}/other-person", null);

        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        var detail = await decided.ReadObjectAsync();
        Assert.Equal("other-person", (string)detail["item"]!["resolution"]!);
        Assert.Equal("rejected", (string)detail["insi"]!["decision"]!);
        var identity = await host.IdentityAsync(ipp);
        Assert.Equal((IdentityStatus.Prov, null), (identity.Status, identity.InsValue));
        Assert.Equal("ins.withdrawn", (await host.HistoryActionsAsync(ipp)).Last());
        Assert.Equal("item-resolved", await RuleAsync(await host.Client.PostAsync($"/api/duplicates/{id}/other-person", null)));
    }

    [Fact]
    public async Task OtherPerson_OnAProvisionalIdentity_RejectsTheAnswer_AndLeavesTheIdentityAsItIs()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        var ipp = await CreateAsync(client, Tchitchi());
        await SearchAndRejectAsync(client, ipp);
        var id = (long)(await SingleAsync(client, "?kind=collision&state=open"))["id"]!;
        var before = await (await client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync();

        var decided = await client.PostAsync($"/api/duplicates/{id}/other-person", new JsonObject { ["comment"] = "another woman of the same name" }.Content());

        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("other-person", (string)(await decided.ReadObjectAsync())["item"]!["resolution"]!);
        var after = await (await client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync();
        Assert.Equal(((string)before["status"]!, (string)before["firstNames"]!), ((string)after["status"]!, (string)after["firstNames"]!));
        Assert.Equal("insi.contradiction-resolved", (await HistoryAsync(client, ipp)).Last());
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task InsiAnswersAnInsAnotherIdentityHolds_ASameInsPairIsRaisedAtOnce(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider);
        var client = factory.CreateClient();
        // Someone else was recorded with ADRTROIS DOMINIQUE's INS (declared, e.g. received from another system).
        var holder = await CreateAsync(client, new JsonObject
        {
            ["birthName"] = "Autrenom" + PatientJson.UniqueLetters(), ["firstNames"] = "Claire", ["birthDate"] = "1990-05-06", ["sex"] = "F", ["confirmDuplicate"] = true,
            ["ins"] = new JsonObject { ["value"] = "297022A02077878", ["oid"] = "1.2.250.1.213.1.4.8" },
        });
        var ipp = await CreateAsync(client, new JsonObject
        {
            ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F", ["confirmDuplicate"] = true,
        });

        var search = await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        Assert.Equal("00", (string)(await search.ReadObjectAsync())["code"]!);

        var item = await SingleAsync(client, "?kind=collision&state=open");
        Assert.Equal("same-ins", (string)item["class"]!);
        Assert.Equal(new[] { ipp, holder }.Order(), new[] { (string)item["ippA"]!, (string)item["ippB"]! }.Order());
        var id = (long)item["id"]!;

        // Accepting the answer is refused; the pair is already before the cell, and is not recorded twice.
        Assert.Equal("ins-collision", await RuleAsync(await client.PostAsync($"/api/patients/{ipp}/insi/accept", null)));
        var detail = await (await client.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync();
        Assert.Equal(["detected"], detail["decisions"]!.AsArray().Select(d => (string)d!["action"]!));
        Assert.NotNull(detail["identityB"]);
        Assert.Null(detail["insi"]);
        Assert.Equal("not-an-insi-contradiction", await RuleAsync(await client.PostAsync($"/api/duplicates/{id}/traits-corrected", null)));
    }

    [Fact]
    public async Task Reverification_NewInsHeldByAnotherIdentity_RaisesASameInsPair_AndKeepsTheIns()
    {
        await using var host = await JobsTestHost.StartAsync();
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: true);
        var insBefore = (await host.IdentityAsync(ipp)).InsValue!;
        var newNir = insBefore[..10] + "777";
        newNir += InsNumber.ComputeKey(newNir).ToString("00", CultureInfo.InvariantCulture);
        var holder = await host.CreateAsync(JobsTestHost.Person("Autrenom" + PatientJson.UniqueLetters(), "Paul", "1970-01-02", "M")
            .With("ins", new JsonObject { ["value"] = newNir, ["oid"] = InsOids.Nir }));
        // At the teleservice, NESSI's INS was replaced by a new NIR: one that a local identity already holds.
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities()
            .Select(p => p.BirthName == "NESSI" ? p with { Ins = new SimulatedIns(newNir[..13], newNir[13..], InsOids.Nir), History = [p.Ins] } : p));
        host.Clock.Advance(PastMaxAge);

        var counters = await ReverifyAsync(host);

        Assert.Equal((1, 1), (counters["mismatch"], counters["same-ins-collision"]));
        Assert.Empty(await host.WorkItemsAsync());
        var item = await SingleAsync(host.Client, "?kind=collision&state=open");
        Assert.Equal("same-ins", (string)item["class"]!);
        Assert.Equal(new[] { ipp, holder }.Order(), new[] { (string)item["ippA"]!, (string)item["ippB"]! }.Order());
        Assert.Equal(insBefore, (await host.IdentityAsync(ipp)).InsValue); // never dropped by the job
        Assert.Equal(0, (await ReverifyAsync(host))["due"]); // not asked again while the cell has the pair
    }

    [Fact]
    public async Task ContradictionDecisions_AreTheVigilanceCellsOnly()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var ipp = await CreateAsync(factory.CreateClient(), Tchitchi());
        await SearchAndRejectAsync(factory.CreateClient(Roles.Accueil), ipp); // admission rejects; the cell decides
        var id = (long)(await SingleAsync(factory.CreateClient(), "?kind=collision&state=open"))["id"]!;

        foreach (var role in new[] { Roles.Accueil, Roles.Integrateur })
        {
            var client = factory.CreateClient(role);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/duplicates/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/duplicates/{id}/traits-corrected", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync($"/api/duplicates/{id}/other-person", null)).StatusCode);
        }
        var cell = factory.CreateClient(Roles.Identitovigilance);
        Assert.Equal("contradiction-remains", await RuleAsync(await cell.PostAsync($"/api/duplicates/{id}/traits-corrected", null)));
        var decided = await cell.PostAsync($"/api/duplicates/{id}/other-person", null);
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("test-identitovigilance", (string)(await decided.ReadObjectAsync())["item"]!["resolvedBy"]!);
    }

    [Fact]
    public async Task PatientData_OfAContradiction_NeverReachesTheLogs()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        var ipp = await CreateAsync(client, Tchitchi());
        await SearchAndRejectAsync(client, ipp);
        var id = (long)(await SingleAsync(client, "?kind=collision"))["id"]!;
        await client.GetAsync($"/api/duplicates/{id}");
        await client.GetAsync("/api/duplicates?kind=collision");
        await client.PostAsync($"/api/duplicates/{id}/traits-corrected", null); // refused: its message names traits, never values
        await client.PostAsync($"/api/duplicates/{id}/merge", new JsonObject { ["survivorIpp"] = ipp }.Content());
        await client.PostAsync($"/api/duplicates/{id}/other-person", null);

        var lines = factory.Logs.Lines;
        Assert.Contains(lines, l => l.Contains("/api/duplicates", StringComparison.Ordinal));
        foreach (var secret in new[] { "TCHITCHI", "CATARINA", "BELLA", "OLA CATARINA", "1936-06-21", "19360621", "236066322083656", "2360663220836" })
        {
            var leaks = lines.Where(l => l.Contains(secret, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(leaks.Count == 0, $"'{secret}' reached the logs: {string.Join(Environment.NewLine, leaks)}");
        }
    }

    [Fact]
    public async Task VigilanceScreens_ShowTheIdentityAndTheInsiAnswerSideBySide_InFrench_AndDecide()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var admin = factory.CreateClient();
        var ipp = await CreateAsync(admin, Tchitchi());
        await SearchAndRejectAsync(admin, ipp);
        var id = (long)(await SingleAsync(admin, "?kind=collision&state=open"))["id"]!;
        var client = await Web.IntegrationPagesTests.SignedInAsAsync(factory, Roles.Identitovigilance);

        var queue = WebUtility.HtmlDecode(await client.GetStringAsync("/identitovigilance?kind=collision"));
        Assert.Contains($"Contradiction INSi n° {id}", queue);
        Assert.Contains("traits INSi contradictoires", queue);
        Assert.Contains("réponse INSi", queue);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/{id}"));
        Assert.Contains("L'identité et la réponse INSi", page);
        Assert.Contains("OLA CATARINA", page);
        Assert.Contains("CATARINA BELLA", page);
        Assert.Contains("Explication du score", page);
        Assert.Contains("Traits encore en contradiction aujourd'hui", page);
        Assert.Contains("Traits corrigés", page);
        Assert.DoesNotContain("Fusionner", page);

        var refused = await WebForms.PostAsync(client, $"/identitovigilance/{id}", new Dictionary<string, string>(), $"/identitovigilance/{id}?handler=TraitsCorrected");
        Assert.Contains("contredisent encore la réponse INSi", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));

        var decided = await WebForms.PostAsync(client, $"/identitovigilance/{id}", new Dictionary<string, string>(), $"/identitovigilance/{id}?handler=OtherPerson");
        var after = WebUtility.HtmlDecode(await decided.Content.ReadAsStringAsync());
        Assert.Contains("la réponse INSi est une autre personne ; elle est rejetée.", after);
        Assert.Contains("décision : autre personne", after.Replace("<strong>", "", StringComparison.Ordinal).Replace("</strong>", "", StringComparison.Ordinal));
        Assert.Equal("other-person", (string)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["resolution"]!);
    }

    [Fact]
    public async Task QualificationScreen_RejectingAContradictingAnswer_TellsAdmissionTheCellHasIt()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var admin = factory.CreateClient();
        var ipp = await CreateAsync(admin, Tchitchi());
        var callId = (long)(await (await admin.PostAsync($"/api/patients/{ipp}/insi/search", null)).ReadObjectAsync())["callId"]!;
        var client = await Web.IntegrationPagesTests.SignedInAsAsync(factory, Roles.Accueil);

        var page = $"/identites/{ipp}/qualification";
        var rejected = await WebForms.PostAsync(client, page, new Dictionary<string, string> { ["callId"] = callId.ToString(CultureInfo.InvariantCulture) }, page + "?handler=Reject");

        Assert.Contains("la cellule d'identitovigilance en est saisie", WebUtility.HtmlDecode(await rejected.Content.ReadAsStringAsync()));
        Assert.Equal(ipp, (string)(await SingleAsync(admin, "?kind=collision&state=open"))["ippA"]!);
    }

    private static async Task<JobCounters> ReverifyAsync(JobsTestHost host) =>
        await host.WithScopeAsync(sp => sp.GetRequiredService<InsReverifier>().RunAsync(default)).WaitAsync(TimeSpan.FromSeconds(60));

    private static async Task SearchAndRejectAsync(HttpClient client, string ipp)
    {
        var search = await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Equal("00", (string)(await search.ReadObjectAsync())["code"]!);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/api/patients/{ipp}/insi/reject", null)).StatusCode);
    }

    private static async Task<string> CreateAsync(HttpClient client, JsonObject body)
    {
        var response = await client.PostAsync("/api/patients", body.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    private static async Task<JsonObject> ListAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/duplicates" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadObjectAsync();
    }

    private static async Task<JsonObject> SingleAsync(HttpClient client, string query) =>
        Assert.Single((await ListAsync(client, query))["items"]!.AsArray())!.AsObject();

    private static async Task<string?> RuleAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (string?)(await response.ReadObjectAsync())["rule"];
    }

    private static async Task<List<string>> HistoryAsync(HttpClient client, string ipp) =>
        (await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync()).Select(h => (string)h!["action"]!).ToList();

}
