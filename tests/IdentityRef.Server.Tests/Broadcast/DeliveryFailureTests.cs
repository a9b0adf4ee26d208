using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Broadcast;

/// <summary>
/// Deliveries that go wrong, against receivers on real sockets: one that never answers, one that answers something
/// other than an ACK, one that refuses a message for ever, one that answers an ACK for another message and then the right
/// one, and a system moved or disabled while connected. Each message stays in the outbox, in order, until it is
/// acknowledged or parked after <c>Hl7:MaxAttempts</c>, and goes only to the address its subscription names now.
/// </summary>
public sealed class DeliveryFailureTests
{
    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Hl7:RetryMinSeconds"] = "0.1",
            ["Hl7:RetryMaxSeconds"] = "0.2",
            ["Hl7:AckTimeoutSeconds"] = "0.5",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    [Fact]
    public async Task SilentReceiver_TimesOut_StaysInErrorAndIsResent_UntilTheReceiverAnswers()
    {
        var silent = 1;
        await using var downstream = new FakeDownstream(answer: _ => Volatile.Read(ref silent) == 1 ? null : Hl7AckCode.Accept);
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings());
        var client = factory.CreateClient();
        await SubscribeAsync(client, downstream.Port);
        await CreatePatientAsync(client);

        var waiting = await WaitForMessageAsync(client, m => (string)m["state"]! == "error" && (int)m["attempts"]! >= 2);
        Assert.StartsWith("Timeout", (string)waiting["lastError"]!, StringComparison.Ordinal);
        Assert.Null((string?)waiting["ackCode"]);

        Interlocked.Exchange(ref silent, 0);
        var delivered = await WaitForMessageAsync(client, m => (string)m["state"]! == "acknowledged");
        Assert.Equal("AA", (string)delivered["ackCode"]!);
        Assert.True((int)delivered["attempts"]! >= 3);
        Assert.All(downstream.Received, m => Assert.Equal((string)delivered["controlId"]!, m.ControlId)); // the same message, resent
    }

    [Theory]
    [InlineData("echo")]    // an HL7 message, but not an ACK (no MSA)
    [InlineData("garbage")] // not HL7 at all
    public async Task AnswerThatIsNotAnAck_IsAFailure_RetriedUntilARealAck(string kind)
    {
        var nonsense = 2;
        await using var downstream = new FakeDownstream();
        downstream.RawAnswer = message => Interlocked.Decrement(ref nonsense) >= 0
            ? kind == "echo" ? message.ToBytes() : "HELLO, WORLD"u8.ToArray()
            : null;
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings());
        var client = factory.CreateClient();
        await SubscribeAsync(client, downstream.Port);
        await CreatePatientAsync(client);

        var delivered = await WaitForMessageAsync(client, m => (string)m["state"]! == "acknowledged");
        Assert.Equal(3, (int)delivered["attempts"]!); // two answers that were not ACKs, then the AA
        Assert.Equal(3, downstream.Received.Count);
        var retried = factory.Logs.Lines.Where(l => l.Contains("[1401]", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, retried.Count);
    }

    [Fact]
    public async Task AlwaysRejected_IsParkedAfterMaxAttempts_AndTheQueueGoesOn()
    {
        string? refused = null;
        await using var downstream = new FakeDownstream(answer: m => (refused ??= m.ControlId) == m.ControlId ? Hl7AckCode.Reject : Hl7AckCode.Accept);
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings(("Hl7:MaxAttempts", "3")));
        var client = factory.CreateClient();
        await SubscribeAsync(client, downstream.Port);
        await CreatePatientAsync(client);
        await CreatePatientAsync(client);

        var parked = await WaitForMessageAsync(client, m => (string)m["state"]! == "parked");
        Assert.Equal(refused, (string)parked["controlId"]!);
        Assert.Equal(3, (int)parked["attempts"]!);
        Assert.Equal("AR", (string)parked["ackCode"]!);
        Assert.StartsWith("AR:", (string)parked["lastError"]!, StringComparison.Ordinal);
        Assert.Contains(factory.Logs.Lines, l => l.Contains("[1400]", StringComparison.Ordinal) && l.Contains("persistent failure", StringComparison.Ordinal));

        var next = await WaitForMessageAsync(client, m => (string)m["state"]! == "acknowledged"); // the one behind it goes
        Assert.NotEqual(refused, (string)next["controlId"]!);
        Assert.Equal(3, downstream.Received.Count(m => m.ControlId == refused)); // never sent a fourth time
    }

    /// <summary>
    /// An integrator moves a system to a new address (PUT /api/subscriptions/{id}, new port) while the dispatcher holds a
    /// connection to the old one: the next message goes to the new address, and the old connection is closed (patient data
    /// never goes to a system the subscription no longer names).
    /// </summary>
    [Fact]
    public async Task SubscriptionMovedToANewAddress_NextMessagesGoToTheNewAddress_AndTheOldConnectionIsClosed()
    {
        await using var oldSystem = new FakeDownstream();
        await using var newSystem = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings());
        var client = factory.CreateClient();
        var id = await SubscribeAsync(client, oldSystem.Port);
        await CreatePatientAsync(client);
        await WaitForMessageAsync(client, m => (string)m["state"]! == "acknowledged");
        Assert.Equal(1, oldSystem.ActiveConnections);

        var moved = await client.PutAsync($"/api/subscriptions/{id}", new JsonObject { ["port"] = newSystem.Port }.Content());
        Assert.Equal(newSystem.Port, (int)(await moved.ReadOkObjectAsync())["port"]!);
        await CreatePatientAsync(client);

        await WaitUntilAsync(async () => (await MessagesAsync(client)).Count(m => (string)m!["state"]! == "acknowledged") == 2, "both messages acknowledged");
        var controlIds = (await MessagesAsync(client)).OrderBy(m => (long)m!["id"]!).Select(m => (string)m!["controlId"]!).ToList();
        Assert.Equal([controlIds[0]], oldSystem.Received.Select(m => m.ControlId));
        Assert.Equal([controlIds[1]], newSystem.Received.Select(m => m.ControlId));
        await WaitUntilAsync(() => Task.FromResult(oldSystem.ActiveConnections == 0), "the connection to the old address closed");
    }

    /// <summary>A disabled subscription's connection is closed, not kept open to a system that no longer receives anything.</summary>
    [Fact]
    public async Task SubscriptionDisabled_ItsConnectionIsClosed()
    {
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings());
        var client = factory.CreateClient();
        var id = await SubscribeAsync(client, downstream.Port);
        await CreatePatientAsync(client);
        await WaitForMessageAsync(client, m => (string)m["state"]! == "acknowledged");
        Assert.Equal(1, downstream.ActiveConnections);

        (await client.PostAsync($"/api/subscriptions/{id}/disable", null)).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => Task.FromResult(downstream.ActiveConnections == 0), "the disabled subscription's connection closed");
        Assert.Single(downstream.Received);
    }

    /// <summary>
    /// A receiver answers the first message with an ACK naming another MSH-10, then (late, a second frame) with the right
    /// one. The first answer acknowledges nothing, and the connection is closed with it: were it kept, the late ACK would be
    /// read as the answer to the retry, and from then on every message against the previous one's answer (each later
    /// message sent twice). The first message is sent twice (the retry on a new connection), every later one once.
    /// </summary>
    [Fact]
    public async Task AckForAnotherControlId_ThenTheLateRightOne_TheConnectionIsDropped_LaterMessagesAreSentOnce()
    {
        await using var downstream = new FakeDownstream();
        downstream.RawAnswer = WrongThenRightAckForTheFirstMessage();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings());
        var client = factory.CreateClient();
        await SubscribeAsync(client, downstream.Port);
        await CreatePatientAsync(client);
        var first = await WaitForMessageAsync(client, m => (string)m["state"]! == "acknowledged");
        Assert.Equal(2, (int)first["attempts"]!);

        for (var i = 0; i < 3; i++)
        {
            await CreatePatientAsync(client);
        }
        await WaitUntilAsync(async () => (await MessagesAsync(client)).Count(m => (string)m!["state"]! == "acknowledged") == 4, "four messages acknowledged");
        var messages = await MessagesAsync(client);
        Assert.All(messages, m => Assert.Equal("AA", (string)m!["ackCode"]!));
        var sends = downstream.Received.GroupBy(m => m.ControlId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(messages.Select(m => (string)m!["controlId"]!).Order(), sends.Keys.Order());
        Assert.All(sends, s => Assert.Equal(s.Key == (string)first["controlId"]! ? 2 : 1, s.Value));
    }

    /// <summary>
    /// The same answers on the last attempt allowed (<c>Hl7:MaxAttempts</c> 1): the first message is parked and the queue
    /// goes on, on a new connection, so the late ACK is not read as the next message's answer (which would park it too).
    /// </summary>
    [Fact]
    public async Task AckForAnotherControlId_OnTheLastAttempt_IsParked_AndTheLateAckDoesNotAnswerTheNextMessage()
    {
        await using var downstream = new FakeDownstream();
        downstream.RawAnswer = WrongThenRightAckForTheFirstMessage();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings(("Hl7:MaxAttempts", "1")));
        var client = factory.CreateClient();
        await SubscribeAsync(client, downstream.Port);
        await CreatePatientAsync(client);
        var parked = await WaitForMessageAsync(client, m => (string)m["state"]! == "parked");
        Assert.Contains("SOMETHING-ELSE", (string)parked["lastError"]!, StringComparison.Ordinal);

        await CreatePatientAsync(client);
        var next = await WaitForMessageAsync(client, m => (string)m["state"]! is "acknowledged" or "parked" && (string)m["controlId"]! != (string)parked["controlId"]!);
        Assert.Equal("acknowledged", (string)next["state"]!);
        Assert.Equal(1, (int)next["attempts"]!);
    }

    /// <summary>
    /// The first message is answered by two frames: an AA naming another MSH-10, then the right AA; every later one by a
    /// plain AA.
    /// </summary>
    private static Func<Hl7Message, byte[]?> WrongThenRightAckForTheFirstMessage()
    {
        var first = 1;
        return message =>
        {
            if (Interlocked.Exchange(ref first, 0) == 0)
            {
                return null; // a plain AA
            }
            var right = Encoding.UTF8.GetString(Hl7Ack.Build(message, Hl7AckCode.Accept).ToBytes(Hl7Charset.Utf8));
            var wrong = right.Replace("MSA|AA|" + message.ControlId, "MSA|AA|SOMETHING-ELSE", StringComparison.Ordinal);
            Assert.NotEqual(right, wrong);
            // two frames on the wire: the server frames the whole, so close the first frame and open the second inside it
            return [.. Encoding.UTF8.GetBytes(wrong), MllpFraming.EndBlock, MllpFraming.CarriageReturn, MllpFraming.StartBlock, .. Encoding.UTF8.GetBytes(right)];
        };
    }

    private static async Task<string> SubscribeAsync(HttpClient client, int port)
    {
        var response = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "RIS", ["host"] = "127.0.0.1", ["port"] = port, ["receivingApplication"] = "RIS", ["receivingFacility"] = "HOPITAL",
        }.Content());
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadOkObjectAsync())["id"]!;
    }

    private static async Task CreatePatientAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<JsonArray> MessagesAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/messages?pageSize=100")).ReadObjectAsync())["items"]!.AsArray();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out: " + what);
            await Task.Delay(50);
        }
    }

    /// <summary>Polls the outbox (through the API) until a message matches, or fails at the deadline.</summary>
    private static async Task<JsonObject> WaitForMessageAsync(HttpClient client, Func<JsonObject, bool> condition, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var items = await MessagesAsync(client);
            if (items.Select(i => i!.AsObject()).FirstOrDefault(condition) is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, "no message reached the expected state in time: " + items.ToJsonString());
            await Task.Delay(50);
        }
    }
}
