using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Ins;
using IdentityRef.Insi.Simulator;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Jobs;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Qualification;

/// <summary>
/// Issue 12, through the HTTP API of the real server and a teleservice speaking SOAP over HTTP: no path may qualify or
/// share a wrong INS. One test per reproduction of the issue, each failing on the code before it.
/// </summary>
public sealed class IdentitySafetyTests
{
    private static readonly TimeSpan PastMaxAge = TimeSpan.FromDays(400);

    /// <summary>Another person entirely, known to the teleservice: what the wrong line of a family carte Vitale brings back.</summary>
    private static readonly SimulatedIdentity Martinez = Person("MARTINEZ", "PAUL", 'M', "1950-03-04", "75056", "1500375056123");

    private static SimulatedIdentity Person(string birthName, string firstNames, char sex, string birthDate, string birthPlace, string matricule13) =>
        new(birthName, firstNames, sex, birthDate, birthPlace, new SimulatedIns(matricule13, Key(matricule13), InsOids.Nir), []);

    private static string Key(string matricule13) => PatientJson.InsKey(matricule13);

    private static Task<JobsTestHost> StartAsync(IDictionary<string, string?>? settings = null, params SimulatedIdentity[] extra) =>
        StartWithAsync(settings, extra);

    private static async Task<JobsTestHost> StartWithAsync(IDictionary<string, string?>? settings, IEnumerable<SimulatedIdentity> extra)
    {
        var host = await JobsTestHost.StartAsync(settings);
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Concat(extra));
        return host;
    }

    private static Task<JsonObject> OkAsync(HttpResponseMessage response) => response.ReadOkObjectAsync();

    private static async Task<(string Rule, string? Reason)> ConflictAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.ReadObjectAsync();
        return ((string)problem["rule"]!, (string?)problem["reason"]);
    }

    private static Task<HttpResponseMessage> CheckPassportAsync(HttpClient client, string ipp) =>
        client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA", ["number"] = "19AB12345" }.Content());

    /// <summary>Every outgoing message of the identity, oldest first, as (event, ER7 text).</summary>
    private static Task<List<(string Event, string Text)>> OutboxAsync(JobsTestHost host, string ipp) => host.WithScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<IdentityRefDbContext>();
        var id = await db.Identities.Where(i => i.Ipp == ipp).Select(i => i.Id).SingleAsync();
        return (await db.Outbox.AsNoTracking().Where(m => m.IdentityId == id).OrderBy(m => m.Id).Select(m => new { m.Event, m.Payload }).ToListAsync())
            .Select(m => (m.Event, Encoding.UTF8.GetString(m.Payload))).ToList();
    });

    private static async Task SubscribeAsync(JobsTestHost host) =>
        // A downstream system that is not listening: its messages stay in the outbox, where the tests read them.
        Assert.Equal(HttpStatusCode.Created, (await host.Client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = 9, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content())).StatusCode);

    // 1. A mismatched INSi answer becomes QUAL.
    [Fact]
    public async Task WrongBeneficiaryOfACarteVitale_ValidatedIdentity_AnswerIsRefused409_TheCellGetsTheCollision_NothingShared()
    {
        await using var host = await StartAsync(null, Martinez);
        await SubscribeAsync(host);
        var ipp = await host.CreateAsync(JobsTestHost.Person("Other", "Beatrice", "2002-05-14", "F"));
        Assert.Equal("VALI", (string)(await OkAsync(await CheckPassportAsync(host.Client, ipp)))["status"]!);

        // The agent picks the wrong line of the card: the reader sends that line (Martinez: matricule, birth date, name).
        var search = await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", new JsonObject
        {
            ["vitale"] = new JsonObject
            {
                ["beneficiaryNumber"] = Martinez.Ins.Matricule, ["beneficiaryKey"] = Martinez.Ins.Key, ["birthRank"] = "1",
                ["beneficiaryBirthDate"] = Martinez.BirthDate, ["beneficiaryBirthName"] = Martinez.BirthName,
            },
        }.Content()));
        Assert.Equal("00", (string)search["code"]!);
        Assert.Equal(("different-person", "sex-differs", false),
            ((string)search["verdict"]!["kind"]!, (string)search["verdict"]!["rule"]!, (bool)search["verdict"]!["mayBeAccepted"]!));

        var (rule, reason) = await ConflictAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null));
        Assert.Equal(("insi-different-person", "sex-differs"), (rule, reason));

        var patient = await OkAsync(await host.Client.GetAsync($"/api/patients/{ipp}"));
        Assert.Equal(("OTHER", "VALI"), ((string)patient["birthName"]!, (string)patient["status"]!));
        Assert.Null(patient["ins"]);
        var item = (await OkAsync(await host.Client.GetAsync("/api/duplicates?kind=collision&state=open")))["items"]!.AsArray().Single()!;
        Assert.Equal(("insi-contradiction", ipp), ((string)item["class"]!, (string)item["ippA"]!));
        Assert.DoesNotContain(await OutboxAsync(host, ipp), m => m.Text.Contains(Martinez.Ins.Matricule, StringComparison.Ordinal));
    }

    // 1 bis. The same with first names only (TCHITCHI): the passport attested OLA CATARINA, the answer says CATARINA BELLA.
    [Fact]
    public async Task AnswerThatCorrectsTheFirstNames_AfterAPassportCheck_IsRecupNotQual_UntilTheDocumentIsCheckedAgain()
    {
        await using var host = await StartAsync();
        var ipp = await host.CreateAsync(JobsTestHost.Person("Tchitchi", "Ola Catarina", "1936-06-21", "F"));
        await OkAsync(await CheckPassportAsync(host.Client, ipp));

        var search = await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", null));
        Assert.Equal(("spelling-only", true), ((string)search["verdict"]!["kind"]!, (bool)search["verdict"]!["mayBeAccepted"]!));
        var accepted = await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null));

        Assert.Equal(("CATARINA BELLA", "RECUP"), ((string)accepted["firstNames"]!, (string)accepted["status"]!));
        Assert.Null(accepted["ins"]);
        Assert.Null(accepted["document"]);
        Assert.Contains(accepted["warnings"]!.AsArray(), w => (string)w!["code"]! == "document-check-voided");
        // The agent checks the passport against the INS traits: now qualified.
        Assert.Equal("QUAL", (string)(await OkAsync(await CheckPassportAsync(host.Client, ipp)))["status"]!);
    }

    // A stale INSi call: the answer was read, then another desk corrected a strict trait before this desk accepted.
    // If-Match is optional on accept, so the answer is judged again against the identity as it is now, never as it was.
    [Fact]
    public async Task AcceptingAnAnswerAfterAnotherDeskChangedTheBirthDate_IsJudgedOnTheCurrentTraits_AndRefused()
    {
        await using var host = await StartAsync();
        var ipp = await host.CreateAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"));
        var search = await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", null));
        Assert.True((bool)search["verdict"]!["mayBeAccepted"]!); // as the traits were at the search
        var etagAtSearch = (await host.Client.GetAsync($"/api/patients/{ipp}")).Headers.ETag!.Tag;

        // The other desk: the birth date was wrong, the person was born years apart (for INSi, another person).
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}")
        {
            Content = JobsTestHost.Person("Adrtrois", "Dominique", "1990-05-13", "F").Content(),
        };
        put.Headers.IfMatch.ParseAdd(etagAtSearch);
        await OkAsync(await host.Client.SendAsync(put));
        var etagAfterCorrection = (await host.Client.GetAsync($"/api/patients/{ipp}")).Headers.ETag!.Tag;

        // With the ETag read at the search: 412, the desk reloads.
        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/patients/{ipp}/insi/accept");
        stale.Headers.IfMatch.ParseAdd(etagAtSearch);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await host.Client.SendAsync(stale)).StatusCode);

        // Without If-Match: the answer no longer describes this identity, refused by name; nothing of it was taken.
        var (rule, reason) = await ConflictAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null));
        Assert.Equal(("insi-different-person", "birth-date-differs"), (rule, reason));
        var after = await host.Client.GetAsync($"/api/patients/{ipp}");
        var identity = await after.ReadObjectAsync();
        Assert.Equal(etagAfterCorrection, after.Headers.ETag!.Tag);
        Assert.Equal(("PROV", "1990-05-13"), ((string)identity["status"]!, (string)identity["birthDate"]!));
        Assert.Null(identity["ins"]);
    }

    // 2. A failed re-verification keeps sharing.
    [Fact]
    public async Task FailedReverification_ByDefault_DowngradesToRecup_WithdrawsTheInsFromReceivers_AndRaisesACollision()
    {
        await using var host = await StartAsync();
        await SubscribeAsync(host);
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: true);
        var ins = (string)(await OkAsync(await host.Client.GetAsync($"/api/patients/{ipp}")))["ins"]!["value"]!;
        // Meanwhile at the teleservice: these traits now lead to another INS.
        var other = "2751263220" + "888";
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities()
            .Select(p => p.BirthName == "ADRUN" ? p with { Ins = new SimulatedIns(other, Key(other), InsOids.Nir), History = [] } : p));
        host.Clock.Advance(PastMaxAge);
        var before = (await OutboxAsync(host, ipp)).Count;

        await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRef.Application.Jobs.InsReverifier>().RunAsync(default)).WaitAsync(TimeSpan.FromSeconds(60));

        var patient = await OkAsync(await host.Client.GetAsync($"/api/patients/{ipp}"));
        Assert.Equal("RECUP", (string)patient["status"]!);
        Assert.Null(patient["ins"]);
        var sent = (await OutboxAsync(host, ipp)).Skip(before).ToList();
        var a47 = Assert.Single(sent);
        Assert.Equal("A47", a47.Event); // qualified → recovered: the INS leaves the receivers
        Assert.Contains(ins, a47.Text, StringComparison.Ordinal);
        Assert.NotEmpty((await OkAsync(await host.Client.GetAsync("/api/duplicates?kind=collision&state=open")))["items"]!.AsArray());
        Assert.Equal(ins, (await host.IdentityAsync(ipp)).InsValue); // kept locally, never deleted by a job
    }

    // 3. The history shows a withdrawn INS.
    [Fact]
    public async Task History_ShowsAnInsOnlyToTheVigilanceCell_EvenAfterTheIdentityIsQualifiedAgain()
    {
        await using var host = await StartAsync();
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: true);
        await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/ins/withdraw", new JsonObject { ["reason"] = "wrongly-attributed" }.Content()));
        await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", null));
        await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null));
        Assert.Equal("QUAL", (string)(await OkAsync(await CheckPassportAsync(host.Client, ipp)))["status"]!);

        foreach (var role in new[] { Roles.Accueil, Roles.Integrateur })
        {
            var history = await (await host.Factory.CreateClient(role).GetAsync($"/api/patients/{ipp}/history")).Content.ReadAsStringAsync();
            Assert.DoesNotContain("110086322083060", history, StringComparison.Ordinal);
            Assert.Contains("(masqu", history, StringComparison.Ordinal);
        }
        var cell = await (await host.Factory.CreateClient(Roles.Identitovigilance).GetAsync($"/api/patients/{ipp}/history")).Content.ReadAsStringAsync();
        Assert.Contains("110086322083060", cell, StringComparison.Ordinal);
    }

    // 4. Test and demonstration INS are accepted as real ones.
    [Fact]
    public async Task ProductionServer_RefusesTestInsEverywhere_AndAnInsWithoutOid()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["Insi:Environment"] = "Production" });
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities(), new InsiSimulatorOptions { AnswerOid = InsOids.TestNir });

        var declared = JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F");
        declared["ins"] = new JsonObject { ["value"] = "275126322074974", ["oid"] = InsOids.TestNir };
        var refused = await host.Client.PostAsync("/api/patients", declared.Content());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("ins.oid", await refused.ErrorFieldsAsync());

        declared["ins"] = new JsonObject { ["value"] = "275126322074974" };
        var withoutOid = await host.Client.PostAsync("/api/patients", declared.Content());
        Assert.Equal(HttpStatusCode.BadRequest, withoutOid.StatusCode);
        Assert.Contains("ins.oid", await withoutOid.ErrorFieldsAsync());

        var ipp = await host.CreateAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"));
        var search = await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", null));
        Assert.Equal(("answer-invalid", "insi-answer-invalid"), ((string)search["verdict"]!["kind"]!, (string)search["verdict"]!["rule"]!));
        Assert.Equal("insi-answer-invalid", (await ConflictAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null))).Rule);
        Assert.Equal("PROV", (string)(await OkAsync(await host.Client.GetAsync($"/api/patients/{ipp}")))["status"]!);
    }

    // 5. The first birth first name can be a fragment; names out of the INS alphabet.
    [Fact]
    public async Task FirstBirthFirstName_IsAWholeFirstNameOfTheList_AndNamesAreTransliteratedOrRefused()
    {
        await using var host = await StartAsync();
        var fragment = JobsTestHost.Person("Dupont", "Jean-Christophe Pierre", "1980-01-01", "M");
        fragment["firstName"] = "Jean";
        var refused = await host.Client.PostAsync("/api/patients", fragment.Content());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["firstName"], await refused.ErrorFieldsAsync());

        var spaced = JobsTestHost.Person("Đorđević", "Jean-Christophe Pierre", "1980-01-01", "M");
        spaced["firstName"] = "Jean Christophe";
        var created = await OkAsync(await host.Client.PostAsync("/api/patients", spaced.Content()));
        Assert.Equal(("DORDEVIC", "JEAN-CHRISTOPHE"), ((string)created["birthName"]!, (string)created["firstName"]!));

        var truncated = await host.Client.PostAsync("/api/patients", JobsTestHost.Person("D'", "Jean", "1980-01-01", "M").Content());
        Assert.Equal(["birthName"], await truncated.ErrorFieldsAsync());
    }

    // 6. Removing douteuse re-qualifies.
    [Fact]
    public async Task RemovingDouteuse_LeavesTheIdentityRecup_ItsInsUnshared_UntilANewDocumentCheck()
    {
        await using var host = await StartAsync();
        await SubscribeAsync(host);
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: true);
        Assert.Equal("PROV", (string)(await OkAsync(await host.Client.PutAsync($"/api/patients/{ipp}/attributes",
            new JsonObject { ["attributes"] = new JsonArray("douteuse") }.Content())))["status"]!);
        var before = (await OutboxAsync(host, ipp)).Count;

        var lifted = await OkAsync(await host.Client.PutAsync($"/api/patients/{ipp}/attributes", new JsonObject { ["attributes"] = new JsonArray() }.Content()));

        Assert.Equal("RECUP", (string)lifted["status"]!);
        Assert.Null(lifted["ins"]);
        Assert.All((await OutboxAsync(host, ipp)).Skip(before), m => Assert.DoesNotContain("110086322083060", m.Text, StringComparison.Ordinal));
        Assert.Equal("QUAL", (string)(await OkAsync(await CheckPassportAsync(host.Client, ipp)))["status"]!);
    }

    // 7. The INS change of a qualified identity: the A47 first, no earlier message carrying the new INS.
    [Fact]
    public async Task NewNirOfAQualifiedIdentity_TravelsAsOneA47_NoA31CarriesTheNewInsBeforeIt()
    {
        await using var host = await StartAsync();
        var renewed = "2751263220" + "777";

        var (ipp, old, before, counters) = await ReverifyAdrunAnsweringAsync(host, new SimulatedIns(renewed, Key(renewed), InsOids.Nir));

        Assert.Equal(1, counters["replaced"]);
        var sent = Assert.Single((await OutboxAsync(host, ipp)).Skip(before));
        Assert.Equal("A47", sent.Event);
        Assert.Contains(renewed + Key(renewed), sent.Text, StringComparison.Ordinal); // PID-3: the new INS
        Assert.Contains("MRG|" + old, sent.Text, StringComparison.Ordinal);           // MRG-1: the old one
    }

    [Fact]
    public async Task Reverification_AnsweringANiaForAnIdentityHoldingANir_IsAMismatchForTheCell_NeverAReplacement()
    {
        await using var host = await StartAsync();
        var nia = "2751263220" + "555";

        var (ipp, nir, before, counters) = await ReverifyAdrunAnsweringAsync(host, new SimulatedIns(nia, Key(nia), InsOids.Nia));

        Assert.Equal(0, counters["replaced"]);
        Assert.Equal(0, counters["refused-by-rule"]);
        var identity = await host.IdentityAsync(ipp);
        Assert.Equal(nir, identity.InsValue); // kept locally; by the default policy no longer shared (RECUP)
        Assert.Equal(Domain.Identities.IdentityStatus.Recup, identity.Status);
        Assert.Contains(await host.WorkItemsAsync(), w => w.Kind == IdentityRef.Application.Jobs.WorkItemKinds.ReverificationMismatch && w.Details!.Contains("nia-after-nir", StringComparison.Ordinal));
        var sent = (await OutboxAsync(host, ipp)).Skip(before).ToList();
        Assert.DoesNotContain(sent, m => m.Text.Contains(nia, StringComparison.Ordinal));
    }

    /// <summary>
    /// ADRUN ZOE qualified (a subscriber listening), then INSi answers <paramref name="answered"/> for her, her INS in its
    /// history, and the re-verification runs once past the maximum age: her IPP, the INS she held, the outbox's count before
    /// the run, and the run's counters.
    /// </summary>
    private static async Task<(string Ipp, string Held, int SentBefore, IdentityRef.Application.Jobs.JobCounters Counters)> ReverifyAdrunAnsweringAsync(
        JobsTestHost host, SimulatedIns answered)
    {
        await SubscribeAsync(host);
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: true);
        var held = (await host.IdentityAsync(ipp)).InsValue!;
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Select(p => p.BirthName == "ADRUN"
            ? p with { Ins = answered, History = [p.Ins] }
            : p));
        host.Clock.Advance(PastMaxAge);
        var before = (await OutboxAsync(host, ipp)).Count;
        var counters = await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRef.Application.Jobs.InsReverifier>().RunAsync(default))
            .WaitAsync(TimeSpan.FromSeconds(60));
        return (ipp, held, before, counters);
    }
}
