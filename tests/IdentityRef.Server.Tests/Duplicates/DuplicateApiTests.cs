using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>Check-before-create, the vigilance cell's work queue and every decision, through the real HTTP API.</summary>
public sealed class DuplicateApiTests
{
    private const string InsA = "180037511234548";
    private const string InsB = "180037511234647";

    /// <summary>A person with distinctive traits (names unique to the test run, so that nothing else in the base looks like them).</summary>
    private static JsonObject Person(string? birthName = null) => new()
    {
        ["birthName"] = birthName ?? "LEFEBVRE" + PatientJson.UniqueLetters(),
        ["firstNames"] = "Jean-Pierre Louis",
        ["birthDate"] = "1980-03-04",
        ["sex"] = "M",
        ["birthPlaceCode"] = "75112",
        ["address"] = "3 rue des Ormes",
        ["postcode"] = "69003",
        ["city"] = "Lyon",
    };

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Admission_DayMonthInversionAndHyphenVariant_Is409WithAnExplainedCandidate_UnlessConfirmed(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider);
        var client = factory.CreateClient();
        var original = Person();
        var ipp = await CreateAsync(client, original);

        var again = original.With("firstNames", "Jean Pierre Louis").With("birthDate", "1980-04-03");
        var refused = await client.PostAsync("/api/patients", again.Content());
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.ReadObjectAsync();
        Assert.Equal("probable-duplicate", (string)problem["rule"]!);
        var candidate = problem["candidates"]!.AsArray()[0]!;
        Assert.Equal(ipp, (string)candidate["ipp"]!);
        Assert.Equal("probable", (string)candidate["class"]!);
        var traits = candidate["explanation"]!["traits"]!.AsArray();
        var date = traits.Single(t => (string)t!["trait"]! == "birthDate")!;
        Assert.Equal("DayMonthSwapped", (string)date["levelName"]!);
        Assert.Equal("1980-04-03", (string)date["valueA"]!);
        Assert.Equal("1980-03-04", (string)date["valueB"]!);
        Assert.True((double)date["weight"]! > 0);
        Assert.Equal(1, await CountAsync(client, original));

        var confirmed = await client.PostAsync("/api/patients", again.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
        var newIpp = (string)(await confirmed.ReadObjectAsync())["ipp"]!;
        var history = await (await client.GetAsync($"/api/patients/{newIpp}/history")).ReadArrayAsync();
        Assert.True((bool)history[0]!["details"]!["confirmDuplicate"]!);
        Assert.Contains(ipp, history[0]!["details"]!["candidates"]!.AsArray().Select(c => (string)c!));
    }

    [Fact]
    public async Task Match_RanksTheCandidates_AndCreatesNothing()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        var original = Person();
        var ipp = await CreateAsync(client, original);
        await CreateAsync(client, Person("DURANDAL" + PatientJson.UniqueLetters()).With("firstNames", "Paulette").With("sex", "F").With("birthDate", "1950-01-01"));

        var probe = original.With("birthName", ((string)original["birthName"]!).Replace("LEFEBVRE", "LEFEVRE", StringComparison.Ordinal));
        var response = await client.PostAsync("/api/patients/match", probe.Content());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObjectAsync();
        Assert.True((bool)body["probableDuplicate"]!);
        var candidates = body["candidates"]!.AsArray();
        Assert.Equal(ipp, (string)candidates[0]!["ipp"]!);
        Assert.All(candidates, c => Assert.NotEqual("distinct", (string)c!["class"]!));
        // The candidate is shown from the check's one read of the candidates: exactly the identity as stored.
        var stored = await (await client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync();
        foreach (var field in new[] { "status", "birthName", "firstNames", "birthDate", "sex" })
        {
            Assert.Equal((string?)stored[field], (string?)candidates[0]![field]);
        }
        Assert.Equal(0, await CountAsync(client, probe));

        var bad = await client.PostAsync("/api/patients/match", probe.With("birthDate", "1980-13-40").Content());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("birthDate", await bad.ErrorFieldsAsync());
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task NotDuplicate_Sticks_ThenReopensWhenAStrictTraitChanges(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider);
        var client = factory.CreateClient();
        var (ippA, ippB) = await LookAlikesAsync(client);
        await DetectAsync(client, full: true);
        var item = await SingleOpenItemAsync(client);
        Assert.Equal("duplicate", (string)item["kind"]!);
        Assert.Equal(new[] { ippA, ippB }.Order(), new[] { (string)item["ippA"]!, (string)item["ippB"]! }.Order());
        var id = (long)item["id"]!;

        var detail = await (await client.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync();
        Assert.NotNull(detail["identityA"]!["birthName"]);
        Assert.NotNull(detail["identityB"]!["birthName"]);
        Assert.Equal(9, detail["explanation"]!["traits"]!.AsArray().Count);

        Assert.Equal("in-review", (string)(await (await client.PostAsync($"/api/duplicates/{id}/review", null)).ReadObjectAsync())["item"]!["state"]!);
        var decided = await client.PostAsync($"/api/duplicates/{id}/not-duplicate", new JsonObject { ["comment"] = "twins, checked with the family" }.Content());
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("not-duplicate", (string)(await decided.ReadObjectAsync())["item"]!["resolution"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/duplicates/{id}/not-duplicate", null)).StatusCode);

        // Detection again, full and incremental after a change of a complementary trait: the decision sticks.
        await DetectAsync(client, full: true);
        await PatientJson.UpdateAsync(client, ippB, body => body.With("phone", "0102030405"));
        await DetectAsync(client, full: false);
        Assert.Equal(0, (int)(await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync())["total"]!);

        // A strict trait changes: the pair must be looked at again.
        await PatientJson.UpdateAsync(client, ippB, body => body.With("birthPlaceCode", "75113"));
        var summary = await DetectAsync(client, full: false);
        Assert.Equal("incremental", (string)summary["kind"]!);
        Assert.Equal(1, (int)summary["reopened"]!);
        var reopened = await SingleOpenItemAsync(client);
        Assert.Equal(id, (long)reopened["id"]!);
        var decisions = (await (await client.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["decisions"]!.AsArray().Select(d => (string)d!["action"]!);
        // The look-alike was created past the admission check: the pair was queued at that moment, not by the run.
        Assert.Equal(["forced-creation", "in-review", "not-duplicate", "reopened"], decisions);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Merge_ThenUndo_RestoresBothIdentitiesExactly_AndReopensTheItem(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider);
        var client = factory.CreateClient();
        var (ippA, ippB) = await LookAlikesAsync(client);
        await DetectAsync(client, full: false); // no run before: the first incremental run is a full one
        var id = (long)(await SingleOpenItemAsync(client))["id"]!;
        // A downstream system that is not listening: what the merge and its undo send stays in the outbox.
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = 9, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content())).StatusCode);
        var beforeA = await GetAsync(client, ippA);
        var beforeB = await GetAsync(client, ippB);

        var notInPair = await client.PostAsync($"/api/duplicates/{id}/merge", new JsonObject { ["survivorIpp"] = "999999999" }.Content());
        Assert.Equal(HttpStatusCode.BadRequest, notInPair.StatusCode);
        Assert.Equal(["survivorIpp"], await notInPair.ErrorFieldsAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/duplicates/999999/merge", new JsonObject { ["survivorIpp"] = ippA }.Content())).StatusCode);

        var merged = await client.PostAsync($"/api/duplicates/{id}/merge", new JsonObject { ["survivorIpp"] = ippA }.Content());
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        var mergedItem = (await merged.ReadObjectAsync())["item"]!;
        Assert.Equal("merged", (string)mergedItem["resolution"]!);
        var mergeId = (long)mergedItem["mergeId"]!;
        var gone = await GetAsync(client, ippB);
        Assert.False((bool)gone["active"]!);
        Assert.Equal(ippA, (string)gone["mergedInto"]!);
        Assert.Equal(0, (int)(await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync())["total"]!);
        // The merged identity has no blocking key left: check-before-create proposes only the survivor.
        var candidates = (await (await client.PostAsync("/api/patients/match", PatientJson.TraitsOf(beforeB).Content())).ReadObjectAsync())["candidates"]!.AsArray();
        Assert.Equal([ippA], candidates.Select(c => (string)c!["ipp"]!));

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/merges/{mergeId}/undo", null)).StatusCode);
        Assert.Equal(Comparable(beforeA), Comparable(await GetAsync(client, ippA)));
        Assert.Equal(Comparable(beforeB), Comparable(await GetAsync(client, ippB)));
        var reopened = await SingleOpenItemAsync(client);
        Assert.Equal(id, (long)reopened["id"]!);
        // Receivers made the merged IPP an alias of the survivor: the undo re-creates it (A28), after the A40.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var revivedId = await db.Identities.Where(i => i.Ipp == ippB).Select(i => i.Id).SingleAsync();
        var sent = await db.Outbox.AsNoTracking().OrderBy(m => m.Id).Select(m => new { m.Event, m.IdentityId }).ToListAsync();
        var a40 = sent.FindIndex(m => m.Event == "A40");
        var a28 = sent.FindLastIndex(m => m.Event == "A28" && m.IdentityId == revivedId);
        Assert.True(a40 >= 0 && a28 > a40, string.Join(", ", sent.Select(m => m.Event)));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task DifferentIns_MergeIsRefused_AndTheItemBecomesACollision(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider);
        var client = factory.CreateClient();
        var person = Person();
        var ippA = await CreateAsync(client, person.With("ins", Ins(InsA)));
        var ippB = await CreateAsync(client, person.With("firstNames", "Jean Pierre Louis").With("ins", Ins(InsB)).With("confirmDuplicate", true));
        await DetectAsync(client, full: true);
        var id = (long)(await SingleOpenItemAsync(client))["id"]!;

        var refused = await client.PostAsync($"/api/duplicates/{id}/merge", new JsonObject { ["survivorIpp"] = ippA }.Content());
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("ins-collision", (string)(await refused.ReadObjectAsync())["rule"]!);
        var detail = await (await client.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync();
        Assert.Equal("collision", (string)detail["item"]!["kind"]!);
        Assert.Equal("open", (string)detail["item"]!["state"]!);
        Assert.True((bool)(await GetAsync(client, ippB))["active"]!);
        // Neither identity is qualified: their INS never leave the server, not even in an explanation.
        var ins = detail["explanation"]!["traits"]!.AsArray().Single(t => (string)t!["trait"]! == "ins")!;
        Assert.Equal("(masqué)", (string)ins["valueA"]!);
        Assert.DoesNotContain(InsA, detail.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameInsOnTwoActiveIdentities_IsAPotentialCollision()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        await CreateAsync(client, Person().With("ins", Ins(InsA)));
        await CreateAsync(client, Person("MOREAU" + PatientJson.UniqueLetters()).With("firstNames", "Marc").With("birthDate", "1980-03-14").With("ins", Ins(InsA)));
        var summary = await DetectAsync(client, full: false);
        Assert.Equal(1, (int)summary["collisions"]!);
        var items = (await (await client.GetAsync("/api/duplicates?state=open&kind=collision")).ReadObjectAsync())["items"]!.AsArray();
        Assert.Equal("same-ins", (string)Assert.Single(items)!["class"]!);
    }

    [Fact]
    public async Task Merge_ReachesTheSubscribersAsA40()
    {
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Hl7:RetryMinSeconds"] = "0.1", ["Hl7:RetryMaxSeconds"] = "0.3", ["Hl7:AckTimeoutSeconds"] = "2",
        });
        var client = factory.CreateClient();
        var subscribed = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = downstream.Port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        var (ippA, ippB) = await LookAlikesAsync(client);
        await DetectAsync(client, full: true);
        var id = (long)(await SingleOpenItemAsync(client))["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/duplicates/{id}/merge", new JsonObject { ["survivorIpp"] = ippA }.Content())).StatusCode);

        var received = await downstream.WaitForAsync(3); // A28, A28, then the merge
        var a40 = Assert.Single(received, m => m.TriggerEvent == "A40");
        Assert.Equal(ippA, a40.Pid()!.Value.Identifiers[0].Id);
        Assert.Contains(ippB, a40.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadQueries_Are400NamingTheField_UnknownItemIs404()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        Assert.Equal(["state"], await (await client.GetAsync("/api/duplicates?state=closed")).ErrorFieldsAsync());
        Assert.Equal(["pageSize"], await (await client.GetAsync("/api/duplicates?pageSize=0")).ErrorFieldsAsync());
        Assert.Equal(["page"], await (await client.GetAsync("/api/duplicates?page=10737420&pageSize=200")).ErrorFieldsAsync()); // offset past an int
        Assert.Equal(["full"], await (await client.PostAsync("/api/duplicates/detect?full=yes", null)).ErrorFieldsAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/duplicates/42")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/duplicates/42/not-duplicate", null)).StatusCode);
    }

    [Fact]
    public async Task TermFrequencies_FullRunAndAdmissionCheck_ScoreAPairAlike()
    {
        // Counts from a handful of identities are allowed here (the default minimum is 1,000): the full run counts the
        // base it scores and hands the counts on, so the admission check weighs the same name the same way.
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Matching:TermFrequencyMinRecords"] = "3" });
        var client = factory.CreateClient();
        var (a, b) = await LookAlikesAsync(client);
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(client, Person("DURANDAL" + PatientJson.UniqueLetters()).With("firstNames", "Paulette").With("sex", "F").With("birthDate", $"195{i}-01-01")
                .With("confirmDuplicate", true));
        }
        await DetectAsync(client, full: true);

        var items = (await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync())["items"]!.AsArray();
        var item = Assert.Single(items, i => new[] { (string)i!["ippA"]!, (string)i!["ippB"]! }.Order().SequenceEqual(new[] { a, b }.Order()))!;
        var detail = await (await client.GetAsync($"/api/duplicates/{(long)item["id"]!}")).ReadObjectAsync();
        var birthName = detail["explanation"]!["traits"]!.AsArray().Single(t => (string)t!["trait"]! == "birthName")!;
        Assert.True((double)birthName["frequencyAdjustment"]! != 0, "the birth name's weight is adjusted to its frequency");

        var probe = PatientJson.TraitsOf(await GetAsync(client, b));
        var match = await (await client.PostAsync("/api/patients/match", probe.Content())).ReadObjectAsync();
        var candidate = match["candidates"]!.AsArray().Single(c => (string)c!["ipp"]! == a)!;
        Assert.Equal((double)detail["explanation"]!["score"]!, (double)candidate["explanation"]!["score"]!, 3);
    }

    [Fact]
    public void InvalidMatchingOptions_StopTheServerAtStart()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Matching:ProbableThreshold"] = "3", ["Matching:PossibleThreshold"] = "8",
        });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("PossibleThreshold", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Two records of one person: a hyphen variant of the first names and a day/month inversion.</summary>
    private static async Task<(string A, string B)> LookAlikesAsync(HttpClient client)
    {
        var person = Person();
        var a = await CreateAsync(client, person);
        var b = await CreateAsync(client, person.With("firstNames", "Jean Pierre Louis").With("birthDate", "1980-04-03").With("confirmDuplicate", true));
        return (a, b);
    }

    private static JsonObject Ins(string value) => new() { ["value"] = value, ["oid"] = "1.2.250.1.213.1.4.8" };

    private static async Task<string> CreateAsync(HttpClient client, JsonObject body)
    {
        var response = await client.PostAsync("/api/patients", body.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    private static async Task<JsonObject> GetAsync(HttpClient client, string ipp) => await (await client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync();

    /// <summary>Everything but the bookkeeping of a change (version, timestamps).</summary>
    private static string Comparable(JsonObject identity)
    {
        var copy = identity.DeepClone().AsObject();
        copy.Remove("version");
        copy.Remove("updatedAt");
        return copy.ToJsonString();
    }

    private static async Task<JsonObject> DetectAsync(HttpClient client, bool full)
    {
        var response = await client.PostAsync($"/api/duplicates/detect?full={(full ? "true" : "false")}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadObjectAsync();
    }

    private static async Task<JsonObject> SingleOpenItemAsync(HttpClient client)
    {
        var page = await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync();
        return Assert.Single(page["items"]!.AsArray())!.AsObject();
    }

    private static async Task<int> CountAsync(HttpClient client, JsonObject person) =>
        (int)(await (await client.GetAsync($"/api/patients?birthName={Uri.EscapeDataString((string)person["birthName"]!)}&includeMerged=true")).ReadObjectAsync())["total"]!;
}
