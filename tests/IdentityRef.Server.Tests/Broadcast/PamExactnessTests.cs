using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Broadcast;

/// <summary>
/// What a receiving system gets, checked as a receiver would (issue 14): erased values, time stamps, the ACK it
/// answers, the characters its character set cannot carry. Every message goes through a real MLLP socket.
/// </summary>
public sealed class PamExactnessTests
{
    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Hl7:RetryMinSeconds"] = "0.1",
        ["Hl7:RetryMaxSeconds"] = "0.2",
        ["Hl7:AckTimeoutSeconds"] = "2",
    };

    [Fact]
    public async Task RemovedValues_ReachTheReceiverAsHl7Null_InTheA31_NotInTheA28()
    {
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, FastRetries);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", downstream.Port);

        var body = PatientJson.Valid().With("phone", "06 12.34-56 78").With("usedFirstName", "Pierrot");
        var ipp = (string)(await (await client.PostAsync("/api/patients", body.Content())).ReadObjectAsync())["ipp"]!;
        var a28 = (await downstream.WaitForAsync(1))[0];
        var created = a28.Pid()!.Value.Segment;
        Assert.DoesNotContain("\"\"", created.ToString(), StringComparison.Ordinal); // a creation erases nothing
        // phones without spaces, a mobile typed CP, the e-mail sent
        Assert.Equal("^PRN^CP^^^^^^^^^0612345678~^NET^Internet^jp@example.org", created.Field(13).Raw);

        // the used name, used first name, address, phone and e-mail are removed
        await PutAsync(client, ipp, body.With("usedName", null).With("usedFirstName", null).With("address", null).With("postcode", null)
            .With("city", null).With("phone", null).With("email", null));
        var a31 = (await downstream.WaitForAsync(2))[1];
        Assert.Equal("A31", a31.TriggerEvent);
        var pid = a31.Pid()!.Value.Segment;
        Assert.Equal("\"\"^\"\"^^^M.^^D", pid.Field(5).Repetition(2).Raw);
        Assert.Equal("\"\"^^\"\"^^\"\"^^H", pid.Field(11).Repetition(1).Raw);
        Assert.Equal("^PRN^^^^^^^^^^\"\"~^NET^Internet^\"\"", pid.Field(13).Raw);

        // what is still held is sent as a value, not erased: only the address comes back
        await PutAsync(client, ipp, body.With("usedName", null).With("usedFirstName", null).With("phone", null).With("email", null));
        var again = (await downstream.WaitForAsync(3))[2].Pid()!.Value.Segment;
        Assert.StartsWith("12 rue des Lilas^^PARIS^^75012^^H", again.Field(11).Raw.Replace("Paris", "PARIS", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeStamps_AreTheHospitalsLocalTime_WithItsOffset_InTheMessagesAndTheInboundAcks()
    {
        await using var downstream = new FakeDownstream();
        // Tokyo has no summer time: the offset is always +0900, whatever day the test runs
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>(FastRetries) { ["Hl7:TimeZone"] = "Asia/Tokyo" });
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", downstream.Port);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await client.PostAsync("/api/patients", PatientJson.Valid().Content());
        var a28 = (await downstream.WaitForAsync(1))[0];

        foreach (var stamp in new[] { a28.Header!.Get(7), a28.First("EVN")!.Get(2) })
        {
            Assert.Matches(@"^\d{14}\+0900$", stamp);
            var instant = new DateTimeOffset(DateTime.ParseExact(stamp[..14], "yyyyMMddHHmmss", CultureInfo.InvariantCulture), TimeSpan.FromHours(9));
            Assert.InRange(instant, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        }

        // the ACK of the inbound listener comes from the same clock and zone
        var port = await factory.Services.GetRequiredService<IdentityRef.Server.Inbound.InboundFeed>().Port;
        await using var sender = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });
        var answer = await sender.SendAsync(System.Text.Encoding.UTF8.GetBytes(
            "MSH|^~\\&|LAB|HOP|IDENTITYREF|HOPITAL|20260101120000+0100||ADT^A28^ADT_A05|T1|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR\rEVN||20260101120000\rPID|1||77^^^LAB&1.2.3&ISO^PI||TEST^JEAN^JEAN^^M.^^L||19750412|M\rPV1||N\r"));
        var ack = Hl7Parser.Parse(answer.Response!).Message!;
        Assert.Matches(@"^\d{14}\+0900$", ack.Header!.Get(7));
    }

    [Fact]
    public async Task AnAckForAnotherMessage_IsNotAnAcknowledgement_TheMessageIsRetriedThenParkedWithTheReason()
    {
        var received = new List<string>();
        await using var liar = new MllpServer(new MllpServerOptions { Address = IPAddress.Loopback, Port = 0 }, (bytes, _) =>
        {
            var message = Hl7Parser.Parse(bytes.Span).Message!;
            lock (received)
            {
                received.Add(message.ControlId);
            }
            // AA, but for a message we never got
            var ack = Hl7Ack.Build(message, Hl7AckCode.Accept);
            var wrong = new Hl7Message([ack.Segments[0], Hl7Segment.FromRaw("MSA", ack.Delimiters, "AA", "SOMETHING-ELSE")]);
            return ValueTask.FromResult<byte[]?>(wrong.ToBytes());
        });
        liar.Start();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>(FastRetries) { ["Hl7:MaxAttempts"] = "3" });
        var client = factory.CreateClient();
        await SubscribeAsync(client, "EAI", liar.Port);
        await client.PostAsync("/api/patients", PatientJson.Valid().Content());

        JsonObject? parked = null;
        await WaitUntilAsync(async () =>
        {
            var items = (await (await client.GetAsync("/api/messages?state=parked")).ReadObjectAsync())["items"]!.AsArray();
            parked = items.Count > 0 ? items[0]!.AsObject() : null;
            return parked is not null;
        });
        Assert.Equal(0, (int)(await (await client.GetAsync("/api/messages?state=acknowledged")).ReadObjectAsync())["total"]!);
        Assert.Contains("MSA-2 'SOMETHING-ELSE'", (string)parked!["lastError"]!, StringComparison.Ordinal);
        Assert.Equal(3, (int)parked["attempts"]!);
        lock (received)
        {
            Assert.Equal(3, received.Count);
            Assert.Single(received.Distinct()); // the same message, sent again
        }
    }

    [Fact]
    public async Task ACharacterTheSubscribersCharsetCannotCarry_RefusesTheMessageForThatSubscriberOnly_WithTheReason()
    {
        await using var latin9 = new FakeDownstream();
        await using var utf8 = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, FastRetries);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "LAB", latin9.Port, "8859/15");
        await SubscribeAsync(client, "DPI", utf8.Port);

        // Ł (U+0141) is not in ISO 8859-15; the city is free text, kept as typed
        await client.PostAsync("/api/patients", PatientJson.Valid().With("city", "Łódź").Content());
        var delivered = (await utf8.WaitForAsync(1))[0];
        Assert.Equal("Łódź", delivered.Pid()!.Value.Addresses[0].City);

        JsonObject? parked = null;
        await WaitUntilAsync(async () =>
        {
            var items = (await (await client.GetAsync("/api/messages?state=parked")).ReadObjectAsync())["items"]!.AsArray();
            parked = items.Count > 0 ? items[0]!.AsObject() : null;
            return parked is not null;
        });
        var reason = (string)parked!["lastError"]!;
        Assert.Contains("U+0141", reason, StringComparison.Ordinal);
        Assert.Contains("PID^1^11", reason, StringComparison.Ordinal);
        Assert.Contains("8859/15", reason, StringComparison.Ordinal);

        // an accent that Latin-9 carries goes through, as a byte of that set, never as '?'
        await client.PostAsync("/api/patients", PatientJson.Valid().With("city", "Saint-Étienne").Content());
        var sent = (await latin9.WaitForAsync(1))[0];
        Assert.Equal("8859/15", sent.Msh()!.Value.CharacterSet);
        Assert.Equal("Saint-Étienne", sent.Pid()!.Value.Addresses[0].City);
        Assert.Single(latin9.Received); // the refused one never reached it
    }

    private static async Task PutAsync(HttpClient client, string ipp, JsonObject body)
    {
        var read = await client.GetAsync($"/api/patients/{ipp}");
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = body.Content() };
        put.Headers.IfMatch.Add(read.Headers.ETag!);
        var response = await client.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task SubscribeAsync(HttpClient client, string name, int port, string charset = "UNICODE UTF-8")
    {
        var response = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = name, ["host"] = "127.0.0.1", ["port"] = port, ["receivingApplication"] = name, ["receivingFacility"] = "HOPITAL",
            ["charset"] = charset,
        }.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
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
