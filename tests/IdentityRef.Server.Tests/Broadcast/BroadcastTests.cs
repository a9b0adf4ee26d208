using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Patients;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Tests.Broadcast;

/// <summary>Subscriptions, the transactional outbox and its dispatcher, against downstream systems on real sockets.</summary>
public sealed class BroadcastTests
{
    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Hl7:RetryMinSeconds"] = "0.1",
        ["Hl7:RetryMaxSeconds"] = "0.3",
        ["Hl7:AckTimeoutSeconds"] = "2",
    };

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Subscription_ReceivesA28_ThenA31_ThenTheQualifiedInsWithVali(DatabaseProvider provider)
    {
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(provider, FastRetries);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", downstream.Port);

        var ipp = (string)(await (await client.PostAsync("/api/patients", new JsonObject
        {
            ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F",
        }.Content())).ReadObjectAsync())["ipp"]!;
        var a28 = (await downstream.WaitForAsync(1))[0];
        Assert.Equal(("ADT", "A28", "ADT_A05"), (a28.MessageType, a28.TriggerEvent, a28.MessageStructure));
        var msh = a28.Header!;
        Assert.Equal(("2.5", "FRA", "2.11"), (msh.Get(12, 1, 1), msh.Get(12, 1, 2), msh.Get(12, 1, 3)));
        Assert.Equal(("2.11", "IHE_FRANCE-2.11-PAM"), (msh.Get(21, 1, 1), msh.Get(21, 1, 2)));
        Assert.Equal("UNICODE UTF-8", a28.Msh()!.Value.CharacterSet);
        Assert.Equal("DPI", a28.Msh()!.Value.ReceivingApplication.NamespaceId);
        var pid = a28.Pid()!.Value;
        Assert.Equal(ipp, pid.Identifiers.Single().Id);
        Assert.Equal("PROV", pid.IdentityReliability[0]);

        await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        await client.PostAsync($"/api/patients/{ipp}/insi/accept", null);
        await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA" }.Content());

        var messages = await downstream.WaitForAsync(3);
        Assert.All(messages.Skip(1), m => Assert.Equal(("A31", "ADT_A05"), (m.TriggerEvent, m.MessageStructure)));
        var recovered = messages[1].Pid()!.Value;
        Assert.Equal("PROV", recovered.IdentityReliability[0]); // RECUP travels as PROV, without its INS
        Assert.DoesNotContain(recovered.Identifiers, i => i.IdentifierTypeCode == "INS");
        var qualified = messages[2].Pid()!.Value;
        Assert.Equal("VALI", qualified.IdentityReliability[0]);
        var ins = Assert.Single(qualified.Identifiers, i => i.IdentifierTypeCode == "INS");
        Assert.Equal("297022A02077878", ins.Id);
        Assert.Equal("1.2.250.1.213.1.4.8", ins.AssigningAuthority!.UniversalId);

        // the ACK states are recorded once the dispatcher's batch completes
        await WaitUntilAsync(async () => (int)(await (await client.GetAsync("/api/messages?state=acknowledged")).ReadObjectAsync())["total"]! == 3);
    }

    [Fact]
    public async Task ConsumerDownForAWhile_GetsEverythingInOrderWhenItComesBack()
    {
        // The consumer's port is held from the start (bound, not listening: connections refused), so no test running
        // in parallel can take it while the consumer is down; the consumer then comes back on that very port.
        var down = new IdentityRef.Tests.ReservedPort();
        var port = down.Port;
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, FastRetries);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "LAB", port);
        var ipps = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            // PatientJson.Valid() people differ by birth name only: look-alikes, created on purpose.
            ipps.Add((string)(await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadObjectAsync())["ipp"]!);
        }
        await WaitUntilAsync(async () => (int)(await (await client.GetAsync("/api/messages?state=error")).ReadObjectAsync())["total"]! > 0);

        await using var downstream = new FakeDownstream(port); // binds beside the reserved socket (both reuse the address; neither listened)
        down.Dispose();
        var received = await downstream.WaitForAsync(6);
        Assert.Equal(ipps, received.Select(m => m.Pid()!.Value.Identifiers[0].Id));
        Assert.All(received, m => Assert.Equal("A28", m.TriggerEvent));
    }

    [Fact]
    public async Task ApplicationError_IsParkedWithTheAckText_AndTheQueueGoesOn_RejectIsRetried()
    {
        var answers = new Queue<Hl7AckCode?>([Hl7AckCode.Error, Hl7AckCode.Reject, Hl7AckCode.Accept, Hl7AckCode.Accept]);
        await using var downstream = new FakeDownstream(answer: _ => answers.Count > 0 ? answers.Dequeue() : Hl7AckCode.Accept);
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, FastRetries);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "PACS", downstream.Port);
        // PatientJson.Valid() people differ by birth name only: look-alikes, created on purpose.
        await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
        await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());

        var received = await downstream.WaitForAsync(3); // AE (parked), AR (retried), AA
        Assert.Equal(received[1].ControlId, received[2].ControlId); // the rejected one came again
        var parked = (await (await client.GetAsync("/api/messages?state=parked")).ReadObjectAsync())["items"]!.AsArray();
        var item = Assert.Single(parked)!;
        Assert.Equal("AE", (string)item["ackCode"]!);
        Assert.Contains("MSA|AE", (string)item["lastError"]!, StringComparison.Ordinal);

        var resent = await client.PostAsync($"/api/messages/{(long)item["id"]!}/resend", null);
        Assert.Equal(HttpStatusCode.Created, resent.StatusCode);
        var again = (await downstream.WaitForAsync(4))[3];
        Assert.Equal(received[0].Pid()!.Value.Identifiers[0].Id, again.Pid()!.Value.Identifiers[0].Id);
        Assert.NotEqual(received[0].ControlId, again.ControlId);
    }

    [Fact]
    public async Task MessagesQueuedBeforeARestart_AreDeliveredAfterIt()
    {
        await using var downstream = new FakeDownstream();
        using var file = new TempSqliteFile("restart");
        var connection = $"Data Source={file.Path}";
        var ipps = new List<string>();
        using (var stopped = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Hl7:DispatcherEnabled"] = "false" }, connectionString: connection))
        {
            var client = stopped.CreateClient();
            await SubscribeAsync(client, "EAI", downstream.Port);
            for (var i = 0; i < 4; i++)
            {
                // PatientJson.Valid() people differ by birth name only: look-alikes, created on purpose.
                ipps.Add((string)(await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadObjectAsync())["ipp"]!);
            }
            Assert.Equal(4, (int)(await (await client.GetAsync("/api/messages?state=pending")).ReadObjectAsync())["total"]!);
        }
        Assert.Empty(downstream.Received);

        using var restarted = new IdentityRefFactory(DatabaseProvider.Sqlite, FastRetries, connectionString: connection);
        restarted.CreateClient();
        var received = await downstream.WaitForAsync(4);
        Assert.Equal(ipps, received.Select(m => m.Pid()!.Value.Identifiers[0].Id));
    }

    [Fact]
    public async Task Subscription_BadInput_Is400NamingTheFields_AndUpdateDisable()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        var bad = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "X", ["host"] = "bad host!", ["port"] = 70000, ["receivingApplication"] = "A|B", ["charset"] = "EBCDIC", ["events"] = new JsonArray("A99"),
        }.Content());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["charset", "events", "host", "port", "receivingApplication", "receivingFacility"], (await bad.ErrorFieldsAsync()).Order());

        var id = await SubscribeAsync(client, "DPI", 2576);
        var updated = await (await client.PutAsync($"/api/subscriptions/{id}", new JsonObject { ["events"] = new JsonArray("A31", "a40"), ["charset"] = "8859/15" }.Content())).ReadObjectAsync();
        Assert.Equal(["A31", "A40"], updated["events"]!.AsArray().Select(e => (string)e!));
        Assert.Equal("DPI", (string)updated["name"]!);
        var disabled = await (await client.PostAsync($"/api/subscriptions/{id}/disable", null)).ReadObjectAsync();
        Assert.False((bool)disabled["enabled"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/subscriptions/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/messages?state=lost")).StatusCode);
    }

    [Fact]
    public async Task EventFilter_SendsOnlyTheChosenEvents_InTheChosenCharset()
    {
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, FastRetries);
        var client = factory.CreateClient();
        var created = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "LAB", ["host"] = "127.0.0.1", ["port"] = downstream.Port, ["receivingApplication"] = "LAB", ["receivingFacility"] = "HOP",
            ["events"] = new JsonArray("A31"), ["charset"] = "8859/15",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var response = await client.PostAsync("/api/patients", PatientJson.Valid("Lefèvre-Œdipe").Content());
        var ipp = (string)(await response.ReadObjectAsync())["ipp"]!;
        var read = await client.GetAsync($"/api/patients/{ipp}");
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = PatientJson.Valid("LEFEVRE-OEDIPE").With("usedName", "Zoé").Content() };
        put.Headers.IfMatch.Add(read.Headers.ETag!);
        await client.SendAsync(put);

        var message = Assert.Single(await downstream.WaitForAsync(1));
        Assert.Equal("A31", message.TriggerEvent);
        Assert.Equal("8859/15", message.Msh()!.Value.CharacterSet);
        Assert.Equal("ZOE", message.Pid()!.Value.NameOfType("D")!.FamilyName);
    }

    // ---- Resend from the message monitor (docs/broadcast.md, "Resend") ----

    private static readonly Dictionary<string, string?> NoDispatcher = new() { ["Hl7:DispatcherEnabled"] = "false" };

    private const string Nir = "297022A02077878";

    /// <summary>
    /// Found by review (InsWireReviewTests): an A31 carrying the INS with VALI, resent after the INS was withdrawn (A47), joined the
    /// queue after the A47 and gave the receivers the withdrawn INS back. Refused now: the A47 is a later message about the patient.
    /// </summary>
    [Fact]
    public async Task Resend_OfAnOldA31_AfterTheInsWasWithdrawn_IsRefusedNamingTheA47_AndQueuesNothing()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, NoDispatcher);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", 9);
        var ipp = await CreateAsync(client, new JsonObject { ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F" });
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/insi/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA" }.Content())).StatusCode);
        var qualifiedA31 = (await OutboxAsync(factory)).Where(m => m.Event == "A31")
            .Last(m => Hl7Parser.Parse(m.Payload).Message!.Pid()!.Value.Identifiers.Any(i => i.IdentifierTypeCode == "INS" && i.Id == Nir)).Id;
        var withdrawn = await client.PostAsync($"/api/patients/{ipp}/ins/withdraw", new JsonObject { ["reason"] = "document-invalid" }.Content());
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.Equal("RECUP", (string)(await withdrawn.ReadObjectAsync())["status"]!);
        var before = await OutboxAsync(factory);
        var a47 = before.Last();
        Assert.Equal("A47", a47.Event);

        var resent = await client.PostAsync($"/api/messages/{qualifiedA31}/resend", null);

        Assert.Equal(HttpStatusCode.Conflict, resent.StatusCode);
        var body = await resent.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Nir, body, StringComparison.Ordinal); // the refusal names messages, never patient data
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("resend-superseded", (string)problem["rule"]!);
        Assert.Equal(a47.Id, (long)problem["laterMessageId"]!);
        Assert.Contains($"Message {a47.Id}", (string)problem["detail"]!, StringComparison.Ordinal);
        var after = await OutboxAsync(factory);
        Assert.Equal(before.Select(m => m.Id), after.Select(m => m.Id)); // nothing queued
        Assert.Equal("A47", after.Last().Event);
    }

    /// <summary>The latest message about a patient can still be sent again: the copy is queued with the same content, a new MSH-10.</summary>
    [Fact]
    public async Task Resend_OfTheLatestMessageAboutAPatient_QueuesACopyWithTheSamePayloadAndANewControlId()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, NoDispatcher);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", 9);
        var first = await CreateAsync(client, PatientJson.Valid());
        await CreateAsync(client, PatientJson.Valid()); // a later message about another patient does not matter
        var a28 = (await OutboxAsync(factory)).First();

        var resent = await client.PostAsync($"/api/messages/{a28.Id}/resend", null);

        Assert.Equal(HttpStatusCode.Created, resent.StatusCode);
        var copyId = (long)(await resent.ReadObjectAsync())["id"]!;
        var copy = (await OutboxAsync(factory)).Single(m => m.Id == copyId);
        Assert.Equal(OutboxStates.Pending, copy.State);
        Assert.Equal((a28.SubscriptionId, a28.IdentityId, "A28"), (copy.SubscriptionId, copy.IdentityId, copy.Event));
        Assert.NotEqual(a28.ControlId, copy.ControlId);
        var original = Hl7Parser.Parse(a28.Payload).Message!;
        var again = Hl7Parser.Parse(copy.Payload).Message!;
        Assert.Equal(copy.ControlId, again.ControlId);
        Assert.Equal(first, again.Pid()!.Value.Identifiers[0].Id);
        Assert.Equal(original.Segments.Skip(1).Select(s => s.ToString()), again.Segments.Skip(1).Select(s => s.ToString()));
        Assert.Equal(original.Segments[0].WithValue(10, copy.ControlId).ToString(), again.Segments[0].ToString());

        // the copy is now the latest message about that patient: the original is superseded by it
        var twice = await client.PostAsync($"/api/messages/{a28.Id}/resend", null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(copyId, (long)(await twice.ReadObjectAsync())["laterMessageId"]!);
    }

    /// <summary>No INS involved: an old A31 resent after a later change of traits would put the old birth name back at the receivers.</summary>
    [Fact]
    public async Task Resend_OfAnOldA31_AfterALaterChangeOfTraits_IsRefused()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, NoDispatcher);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", 9);
        var ipp = await CreateAsync(client, PatientJson.Valid("DUPONT"));
        await UpdateAsync(client, ipp, PatientJson.Valid("DURAND"));
        await UpdateAsync(client, ipp, PatientJson.Valid("DUVAL"));
        var updates = (await OutboxAsync(factory)).Where(m => m.Event == "A31").ToList();
        Assert.Equal(2, updates.Count);
        Assert.Equal("DURAND", Hl7Parser.Parse(updates[0].Payload).Message!.Pid()!.Value.NameOfType("L")!.FamilyName);
        Assert.DoesNotContain(updates, m => Hl7Parser.Parse(m.Payload).Message!.Pid()!.Value.Identifiers.Any(i => i.IdentifierTypeCode == "INS"));
        var count = (await OutboxAsync(factory)).Count;

        var stale = await client.PostAsync($"/api/messages/{updates[0].Id}/resend", null);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.ReadObjectAsync();
        Assert.Equal("resend-superseded", (string)problem["rule"]!);
        Assert.Equal(updates[1].Id, (long)problem["laterMessageId"]!);
        Assert.Equal(count, (await OutboxAsync(factory)).Count);

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/messages/{updates[1].Id}/resend", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/messages/987654321/resend", null)).StatusCode);
    }

    /// <summary>
    /// An A40 is stored under the survivor and names the merged identity only in MRG-1: it still supersedes the merged identity's
    /// older messages. The A40 itself, the latest message about both, can be sent again.
    /// </summary>
    [Fact]
    public async Task Resend_OfTheMergedIdentitysOldA28_AfterTheA40_IsRefusedNamingTheA40_TheA40ItselfCanBeResent()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, NoDispatcher);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", 9);
        var mergedIpp = await CreateAsync(client, PatientJson.Valid("MERGEDUN"));
        var survivorIpp = await CreateAsync(client, PatientJson.Valid("SURVIVANT"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var survivor = await db.Identities.SingleAsync(i => i.Ipp == survivorIpp);
            var merged = await db.Identities.SingleAsync(i => i.Ipp == mergedIpp);
            await scope.ServiceProvider.GetRequiredService<MergeService>().MergeAsync(survivor, merged,
                new Actor("test", Guid.NewGuid().ToString("N")), null, CancellationToken.None);
        }
        var outbox = await OutboxAsync(factory);
        var mergedA28 = outbox.First(m => m.Event == "A28" && Hl7Parser.Parse(m.Payload).Message!.Pid()!.Value.Identifiers[0].Id == mergedIpp);
        var a40 = outbox.Single(m => m.Event == "A40");
        Assert.NotEqual(mergedA28.IdentityId, a40.IdentityId); // stored under the survivor: the merged IPP is in MRG-1 only
        Assert.Equal(mergedIpp, Hl7Parser.Parse(a40.Payload).Message!.Mrg()!.Value.PriorIdentifiers[0].Id);
        Assert.Equal(a40.Id, outbox.Last().Id);

        var stale = await client.PostAsync($"/api/messages/{mergedA28.Id}/resend", null);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.ReadObjectAsync();
        Assert.Equal("resend-superseded", (string)problem["rule"]!);
        Assert.Equal(a40.Id, (long)problem["laterMessageId"]!); // found through MRG-1, not through the stored identity
        Assert.Equal(outbox.Count, (await OutboxAsync(factory)).Count);

        // the A40 is the latest message about both: it can be sent again
        var resendA40 = await client.PostAsync($"/api/messages/{a40.Id}/resend", null);
        Assert.Equal(HttpStatusCode.Created, resendA40.StatusCode);
        Assert.Equal("A40", (string)(await resendA40.ReadObjectAsync())["event"]!);
    }

    /// <summary>
    /// Belt and braces: a system disabled while the INS was withdrawn got no A47, so no later message stands in the way; the old
    /// A31 still carries an INS its identity no longer holds as a qualified identity, and is refused for that.
    /// </summary>
    [Fact]
    public async Task Resend_OfAnA31CarryingAnInsTheIdentityNoLongerHoldsQualified_IsRefused_EvenWithNoLaterMessage()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, NoDispatcher);
        var client = factory.CreateClient();
        var subscription = await SubscribeAsync(client, "DPI", 9);
        var ipp = await CreateAsync(client, new JsonObject { ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F" });
        await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        await client.PostAsync($"/api/patients/{ipp}/insi/accept", null);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA" }.Content())).StatusCode);
        var qualifiedA31 = (await OutboxAsync(factory)).Last();
        Assert.Contains(Hl7Parser.Parse(qualifiedA31.Payload).Message!.Pid()!.Value.Identifiers, i => i.IdentifierTypeCode == "INS" && i.Id == Nir);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/subscriptions/{subscription}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/ins/withdraw", new JsonObject { ["reason"] = "document-invalid" }.Content())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/subscriptions/{subscription}/enable", null)).StatusCode);
        var before = await OutboxAsync(factory);
        Assert.Equal(qualifiedA31.Id, before.Last().Id); // the disabled system got no A47

        var resent = await client.PostAsync($"/api/messages/{qualifiedA31.Id}/resend", null);
        Assert.Equal(HttpStatusCode.Conflict, resent.StatusCode);
        var problem = await resent.ReadObjectAsync();
        Assert.Equal("resend-ins-not-shareable", (string)problem["rule"]!);
        Assert.Contains("qualified", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Equal(before.Count, (await OutboxAsync(factory)).Count);
    }

    /// <summary>
    /// An A24 and an A37 are stored under one identity of the pair and name the other only in their second PID: each still
    /// supersedes the other identity's older messages, the A37 supersedes the A24, and the latest of them can be sent again.
    /// </summary>
    [Fact]
    public async Task Resend_AfterALinkAndAnUnlink_TheSecondPidCounts_OnlyTheA37CanBeResent()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, NoDispatcher);
        var client = factory.CreateClient();
        await Subscriptions.CreateAsync(client, "DPI", 9, Subscriptions.AllEvents);
        var person = PatientJson.Valid("LIENRENVOI").With("birthPlaceCode", "75112");
        await CreateAsync(client, person);
        await CreateAsync(client, person.With("firstNames", "Jean Pierre Marie").With("birthDate", "1975-12-04"));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/duplicates/detect?full=true", null)).StatusCode);
        var item = (long)Assert.Single((await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync())["items"]!.AsArray())!["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/duplicates/{item}/link", null)).StatusCode);
        var a24 = (await OutboxAsync(factory)).Single(m => m.Event == "A24");
        var secondIpp = Hl7Parser.Parse(a24.Payload).Message!.Pids()[1].Identifiers.Single(c => c.IdentifierTypeCode == "PI").Id;
        var secondA28 = (await OutboxAsync(factory)).Single(m => m.Event == "A28" && m.IdentityId != a24.IdentityId);
        Assert.Equal(secondIpp, Hl7Parser.Parse(secondA28.Payload).Message!.Pid()!.Value.Identifiers[0].Id);

        async Task AssertSupersededAsync(long messageId, long laterId)
        {
            var refused = await client.PostAsync($"/api/messages/{messageId}/resend", null);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var problem = await refused.ReadObjectAsync();
            Assert.Equal(("resend-superseded", laterId), ((string)problem["rule"]!, (long)problem["laterMessageId"]!));
        }

        // the second identity's A28 is older than the A24 that names it in its second PID only
        await AssertSupersededAsync(secondA28.Id, a24.Id);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/duplicates/{item}/unlink", null)).StatusCode);
        var a37 = (await OutboxAsync(factory)).Single(m => m.Event == "A37");
        await AssertSupersededAsync(a24.Id, a37.Id);
        var count = (await OutboxAsync(factory)).Count;

        var resent = await client.PostAsync($"/api/messages/{a37.Id}/resend", null);
        Assert.Equal(HttpStatusCode.Created, resent.StatusCode);
        Assert.Equal("A37", (string)(await resent.ReadObjectAsync())["event"]!);
        Assert.Equal(count + 1, (await OutboxAsync(factory)).Count);
    }

    /// <summary>
    /// Two resends of one message at once (two people at the monitor, or two instances): exactly one copy is queued, the
    /// other is answered 409. SQLite serializes them (BEGIN IMMEDIATE); PostgreSQL's order is forced by the next test.
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Resend_TwiceAtOnce_QueuesOneCopy_TheOtherIsAnswered409(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider, NoDispatcher);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", 9);
        await CreateAsync(client, PatientJson.Valid());
        var a28 = (await OutboxAsync(factory)).Single();

        var answers = await Task.WhenAll(client.PostAsync($"/api/messages/{a28.Id}/resend", null), client.PostAsync($"/api/messages/{a28.Id}/resend", null));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        var copyId = (long)(await answers.Single(a => a.StatusCode == HttpStatusCode.Created).ReadObjectAsync())["id"]!;
        Assert.Equal([a28.Id, copyId], (await OutboxAsync(factory)).Select(m => m.Id));
    }

    /// <summary>
    /// PostgreSQL, the worst order: instance A has checked and is about to insert its copy when instance B's resend of the
    /// same message runs whole and commits. A waits on the identity's row, checks again, finds B's copy and queues nothing.
    /// </summary>
    [Fact]
    public async Task Resend_RacingAnotherResendOfTheSameMessage_OnPostgreSql_QueuesOneCopy_TheLaterIsRefused()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.PostgreSql, NoDispatcher);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", 9);
        await CreateAsync(client, PatientJson.Valid());
        var a28 = (await OutboxAsync(factory)).Single();
        long? otherCopy = null;
        var other = new BeforeSave(async () =>
        {
            var resent = await client.PostAsync($"/api/messages/{a28.Id}/resend", null);
            Assert.Equal(HttpStatusCode.Created, resent.StatusCode);
            otherCopy = (long)(await resent.ReadObjectAsync())["id"]!;
        });

        ResendOutcome outcome;
        await using (var db = new PostgresIdentityRefDbContext(new DbContextOptionsBuilder<PostgresIdentityRefDbContext>()
                         .UseNpgsql(factory.ConnectionString).AddInterceptors(other).Options))
        {
            var messages = new MessageService(db, factory.Clock, new OutboxSignal(), factory.Services.GetRequiredService<IOptions<IdentityOptions>>());
            outcome = await messages.ResendAsync(a28.Id, CancellationToken.None);
        }

        Assert.True(other.Ran);
        Assert.Null(outcome.Copy);
        Assert.Equal(ResendRefusal.Superseded, outcome.Refusal?.Rule);
        Assert.Equal(otherCopy, outcome.Refusal?.LaterMessageId);
        Assert.Equal([a28.Id, otherCopy!.Value], (await OutboxAsync(factory)).Select(m => m.Id));
    }

    private static async Task<List<OutboxMessage>> OutboxAsync(IdentityRefFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Outbox.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    private static async Task<string> CreateAsync(HttpClient client, JsonObject person)
    {
        var response = await client.PostAsync("/api/patients", person.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    private static async Task UpdateAsync(HttpClient client, string ipp, JsonObject person)
    {
        var read = await client.GetAsync($"/api/patients/{ipp}");
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = person.Content() };
        put.Headers.IfMatch.Add(read.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(put)).StatusCode);
    }

    private static async Task<string> SubscribeAsync(HttpClient client, string name, int port)
    {
        var response = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = name, ["host"] = "127.0.0.1", ["port"] = port, ["receivingApplication"] = name, ["receivingFacility"] = "HOPITAL",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["id"]!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition was not met in time");
            await Task.Delay(100);
        }
    }
}
