using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Broadcast;

/// <summary>
/// Deliveries that go wrong, against receivers on real sockets: one that never answers, one that answers something
/// other than an ACK, one that refuses a message for ever. Each message stays in the outbox, in order, until it is
/// acknowledged or parked after <c>Hl7:MaxAttempts</c>.
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

    private static async Task SubscribeAsync(HttpClient client, int port)
    {
        var response = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "RIS", ["host"] = "127.0.0.1", ["port"] = port, ["receivingApplication"] = "RIS", ["receivingFacility"] = "HOPITAL",
        }.Content());
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task CreatePatientAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Polls the outbox (through the API) until a message matches, or fails at the deadline.</summary>
    private static async Task<JsonObject> WaitForMessageAsync(HttpClient client, Func<JsonObject, bool> condition, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var items = (await (await client.GetAsync("/api/messages?pageSize=100")).ReadObjectAsync())["items"]!.AsArray();
            if (items.Select(i => i!.AsObject()).FirstOrDefault(condition) is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, "no message reached the expected state in time: " + items.ToJsonString());
            await Task.Delay(50);
        }
    }
}
