using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentityRef.Hl7;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Hosting;

/// <summary>
/// The server as its own process (the built <c>IdentityRef.Server.dll</c>, as <c>dotnet run</c> would start it) on a
/// SQLite file, killed with SIGKILL while it delivers a backlog: the receiver holds the ACK of one message, the
/// process dies with that message in flight and the rest queued behind it. Restarted on the same file, it delivers
/// everything, in order, none lost; what the killed process had sent without recording the ACK may arrive twice
/// (at-least-once, same control id), nothing else.
/// </summary>
public sealed partial class ProcessKillTests
{
    private const string Key = "kill-test-key-0123456789";
    private const int Changes = 30;
    private const int HeldAt = 8; // the receiver holds its answer to the 8th message it gets

    [Fact]
    public async Task ServerKilledMidBacklog_OnRestart_DeliversEveryMessageInOrder_NoneLost()
    {
        var work = Directory.CreateTempSubdirectory("identityref-kill-");
        var database = Path.Combine(work.FullName, "kill.db");
        using var held = new ManualResetEventSlim();
        var answered = 0;
        await using var downstream = new FakeDownstream(answer: _ =>
        {
            if (Interlocked.Increment(ref answered) == HeldAt)
            {
                held.Wait(TimeSpan.FromSeconds(120)); // the process is killed while this ACK is awaited
            }
            return Hl7AckCode.Accept;
        });
        ServingServer? first = null, second = null;
        try
        {
            first = await StartServerAsync(database);
            var api = first.Client;
            var subscribed = await api.PostAsync("/api/subscriptions", new JsonObject
            {
                ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = downstream.Port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
            }.Content());
            Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
            for (var i = 0; i < Changes; i++)
            {
                var created = await api.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
                Assert.Equal(HttpStatusCode.Created, created.StatusCode); // committed, with its message, before the kill
            }
            await downstream.WaitForAsync(HeldAt, timeoutSeconds: 120);

            first.Kill();
            var sentBeforeTheKill = downstream.Received.Select(m => m.ControlId!).ToHashSet();
            held.Set();
            second = await StartServerAsync(database);
            var messages = await AllAcknowledgedAsync(second.Client);

            var queued = messages.OrderBy(m => (long)m["id"]!).Select(m => (string)m["controlId"]!).ToList();
            var received = downstream.Received.Select(m => m.ControlId!).ToList();
            var firstSeen = received.Distinct().ToList();
            Assert.Equal(Changes, queued.Count);
            Assert.Equal(queued, firstSeen); // none lost, order kept
            // At least once: the dispatcher records the ACKs of a batch together, so what the killed process had sent
            // without recording its ACK comes again, with the same control id (MSH-10) for the receiver to spot.
            // Nothing sent after the restart comes twice.
            var twice = received.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.All(twice, id => Assert.Contains(id, sentBeforeTheKill));
            Assert.All(received.GroupBy(id => id), g => Assert.True(g.Count() <= 2, $"{g.Key} delivered {g.Count()} times"));
        }
        finally
        {
            held.Set();
            first?.Kill();
            second?.Kill();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }

    private static async Task<List<JsonObject>> AllAcknowledgedAsync(HttpClient api)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var page = await (await api.GetAsync("/api/messages?pageSize=100")).ReadObjectAsync();
            var items = page["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
            if (items.Count == Changes && items.All(m => (string)m["state"]! == "acknowledged"))
            {
                return items;
            }
            Assert.True(DateTime.UtcNow < deadline, "not every message was acknowledged after the restart: " + page.ToJsonString());
            await Task.Delay(100);
        }
    }

    /// <summary>The server started as a process on a SQLite file, on a port it chooses.</summary>
    private static Task<ServingServer> StartServerAsync(string database) => ServingServer.StartAsync(Key, new Dictionary<string, string>
        {
            ["ConnectionStrings__IdentityRef"] = $"Data Source={database}",
            ["Database__Provider"] = "Sqlite",
            ["Hl7__ListenPort"] = "-1",
            ["Hl7__RetryMinSeconds"] = "0.1",
            ["Hl7__RetryMaxSeconds"] = "0.5",
            ["Scheduler__Enabled"] = "false",
        });
}
