using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

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
