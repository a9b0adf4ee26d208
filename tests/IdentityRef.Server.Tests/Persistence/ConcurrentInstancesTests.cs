using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Patients;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using IdentityRef.Hl7.Mllp;

namespace IdentityRef.Server.Tests.Persistence;

/// <summary>
/// Races across connections and instances on one PostgreSQL (found by the review of December 8, 2026): each test forces one
/// interleaving with an interceptor, a fake clock or a held row lock (no sleeps) and states the behaviour the product promises.
/// </summary>
public sealed class ConcurrentInstancesTests
{
    private static readonly Dictionary<string, string?> NoDispatcher = new() { ["Hl7:DispatcherEnabled"] = "false" };

    private const string Nir = "297022A02077878";

    /// <summary>
    /// A resend (instance A, message monitor) checks "no later message about this patient, the INS still shareable" and then
    /// inserts its copy, with nothing holding the identity in between. A withdrawal of the INS (instance B) that commits in
    /// that gap queues its A47; the copy is then queued after it and gives the receivers the withdrawn INS back with VALI
    /// (docs/broadcast.md, "Resend": a copy is queued only when it cannot tell the receivers anything older than what they
    /// were told since; RNIV EXI SI 08: no INS on the wire for a non-qualified identity).
    /// </summary>
    [PostgresFact]
    public async Task Resend_RacingAnInsWithdrawalOnAnotherInstance_NeverQueuesTheWithdrawnInsAfterTheA47()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.PostgreSql, NoDispatcher);
        var client = factory.CreateClient();
        await SubscribeAsync(client, "DPI", 9);
        var ipp = await CreateAsync(client, new JsonObject { ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F" });
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/insi/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA" }.Content())).StatusCode);
        var qualifiedA31 = (await OutboxAsync(factory)).Last();
        Assert.Contains(Hl7Parser.Parse(qualifiedA31.Payload).Message!.Pid()!.Value.Identifiers, i => i.IdentifierTypeCode == "INS" && i.Id == Nir);

        // Instance A's resend, on a connection of its own: just before it saves its copy, instance B withdraws the INS.
        var withdrawal = new BeforeSave(async () =>
        {
            var withdrawn = await client.PostAsync($"/api/patients/{ipp}/ins/withdraw", new JsonObject { ["reason"] = "document-invalid" }.Content());
            Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        });
        await using (var db = new PostgresIdentityRefDbContext(new DbContextOptionsBuilder<PostgresIdentityRefDbContext>()
                         .UseNpgsql(factory.ConnectionString).AddInterceptors(withdrawal).Options))
        {
            var resend = new MessageService(db, factory.Clock, new OutboxSignal(), factory.Services.GetRequiredService<IOptions<IdentityOptions>>());
            await resend.ResendAsync(qualifiedA31.Id, CancellationToken.None);
        }
        Assert.True(withdrawal.Ran);

        var queue = await OutboxAsync(factory);
        var a47 = queue.Last(m => m.Event == "A47");
        var after = queue.Where(m => m.Id > a47.Id).ToList();
        Assert.DoesNotContain(after, m => Hl7Parser.Parse(m.Payload).Message!.Pids().Any(p => p.Identifiers.Any(i => i.Id == Nir)));
    }

    /// <summary>
    /// Instance A renews its delivery lease before a send only once half of it has gone by (KeepLeaseAsync). A send that
    /// starts just before that half waits for its ACK up to AckTimeoutSeconds (after a connect of up to 10 s), so with a lease
    /// above the ACK timeout, as docs/deployment.md asks (here 45 s against 30 s, even above connect + ACK), the lease runs
    /// out while A still awaits the answer and instance B takes it and sends the head of the queue (the very messages A
    /// sent in this pass and has not recorded yet) in parallel: the receiver gets the stream twice, interleaved, older
    /// messages of a patient after newer ones. Expected: a lease checked before a send covers that send's whole wait.
    /// </summary>
    [PostgresFact]
    public async Task DeliveryLease_KeptBeforeASend_IsNotTakenByAnotherInstanceWhileThatSendAwaitsItsAck()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.PostgreSql, new Dictionary<string, string?>(NoDispatcher)
        {
            ["Hl7:DeliveryLeaseSeconds"] = "45", ["Hl7:AckTimeoutSeconds"] = "30",
        });
        var client = factory.CreateClient();
        var subscription = Guid.Parse(await SubscribeAsync(client, "DPI", 9));
        var options = factory.Services.GetRequiredService<IOptions<Hl7Options>>();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dbA = Databases.Context(DatabaseProvider.PostgreSql, factory.ConnectionString);
        await using var dbB = Databases.Context(DatabaseProvider.PostgreSql, factory.ConnectionString);
        var a = new OutboxDelivery(dbA, options, clock, NullLogger<OutboxDelivery>.Instance);
        var b = new OutboxDelivery(dbB, options, clock, NullLogger<OutboxDelivery>.Instance);

        Assert.True(await a.TryLeaseAsync(subscription, "instance-a", CancellationToken.None));
        clock.Advance(TimeSpan.FromSeconds(22)); // earlier sends of the pass took 22 s
        Assert.True(await a.KeepLeaseAsync(subscription, "instance-a", CancellationToken.None)); // A sends the next message now…
        var sendStarted = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromSeconds(24)); // …and still awaits its ACK (the timeout is 30 s): the send has not ended

        Assert.True(clock.GetUtcNow() - sendStarted < TimeSpan.FromSeconds(options.Value.AckTimeoutSeconds));
        Assert.False(await b.TryLeaseAsync(subscription, "instance-b", CancellationToken.None),
            "instance B took the delivery lease while instance A's send, started under it, could still be waiting for its ACK");
    }

    /// <summary>
    /// The fence of a pass (SaveAsync, and KeepLeaseAsync before each send) only asks "may I take the lease now?", which is
    /// also true when the lease passed to instance B meanwhile and B's lease has run out in turn (B stopped or crashed after
    /// its takeover). Instance A, stalled since before the takeover, then records its stale pass over what B recorded: a
    /// message B delivered and recorded AA is put back in error and sent again after the messages that followed it (one
    /// patient's A28 after its A31). Expected (docs/deployment.md, broadcast row): an instance that lost the lease records
    /// nothing and stops, so it never overwrites what the instance that took over recorded.
    /// </summary>
    [PostgresFact]
    public async Task StalePass_OfAnInstanceThatLostTheLease_RecordsNothing_EvenOnceTheNewHoldersLeaseRanOut()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.PostgreSql, NoDispatcher);
        var client = factory.CreateClient();
        var subscription = Guid.Parse(await SubscribeAsync(client, "DPI", 9));
        var ipp = await CreateAsync(client, PatientJson.Valid("DUPONT"));
        var read = await client.GetAsync($"/api/patients/{ipp}");
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = PatientJson.Valid("DURAND").Content() };
        put.Headers.IfMatch.Add(read.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(put)).StatusCode);

        var options = factory.Services.GetRequiredService<IOptions<Hl7Options>>();
        var lease = TimeSpan.FromSeconds(options.Value.DeliveryLeaseSeconds);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var dbA = Databases.Context(DatabaseProvider.PostgreSql, factory.ConnectionString);
        await using var dbB = Databases.Context(DatabaseProvider.PostgreSql, factory.ConnectionString);
        var a = new OutboxDelivery(dbA, options, clock, NullLogger<OutboxDelivery>.Instance);
        var b = new OutboxDelivery(dbB, options, clock, NullLogger<OutboxDelivery>.Instance);

        // A's pass: the A28 sent, no answer (A stalls: a long pause, the database out of reach…)
        Assert.True(await a.TryLeaseAsync(subscription, "instance-a", CancellationToken.None));
        var batchA = await a.NextBatchAsync(subscription, CancellationToken.None);
        Assert.Equal(["A28", "A31"], batchA.Select(m => m.Event));
        a.Record(batchA[0], new MllpSendResult(MllpSendStatus.Timeout, Detail: "no answer"), clock.GetUtcNow());

        // B takes over once A's lease ran out, delivers both (AA) and records them; then B stops.
        clock.Advance(lease + TimeSpan.FromSeconds(1));
        Assert.True(await b.TryLeaseAsync(subscription, "instance-b", CancellationToken.None));
        var batchB = await b.NextBatchAsync(subscription, CancellationToken.None);
        foreach (var message in batchB)
        {
            b.Record(message, new MllpSendResult(MllpSendStatus.Acknowledged, Ack(message.ControlId)), clock.GetUtcNow());
        }
        Assert.True(await b.SaveAsync(subscription, "instance-b", CancellationToken.None));

        // B's lease runs out too; A wakes up and records its pass.
        clock.Advance(lease + TimeSpan.FromSeconds(1));
        var recorded = await a.SaveAsync(subscription, "instance-a", CancellationToken.None);

        var queue = await OutboxAsync(factory);
        Assert.Equal([OutboxStates.Acknowledged, OutboxStates.Acknowledged], queue.Select(m => m.State)); // not the A28 back in error
        Assert.False(recorded);
    }

    private static byte[] Ack(string controlId) =>
        System.Text.Encoding.ASCII.GetBytes($"MSH|^~\\&|DPI|HOPITAL|IDENTITYREF|HOPITAL|20261208000000||ACK^A31^ACK|{Guid.NewGuid():N}|P|2.5\rMSA|AA|{controlId}\r");

    /// <summary>
    /// A link (A24) changes neither identity: Identity.Link only raises the event, so the save carries no version-checked
    /// update of either row and nothing stops a link built from identities read before a concurrent change (another desk,
    /// another instance) committed. Here the INS of the second identity is withdrawn (A47) between the link's read and its
    /// save: the A24 is encoded from the stale identity, queued after the A47, and gives the receivers the withdrawn INS
    /// back with VALI (RNIV EXI SI 08; docs/deployment.md: one identity's messages are delivered in their order). Expected:
    /// the link answers a concurrent change (as a correction does), or tells the identities as they are at its commit.
    /// </summary>
    [PostgresFact]
    public async Task Link_SavedAfterAConcurrentInsWithdrawal_NeverQueuesTheWithdrawnInsAfterTheA47()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.PostgreSql, NoDispatcher);
        var client = factory.CreateClient();
        var subscribed = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = 9, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
            ["events"] = new JsonArray("A28", "A31", "A40", "A47", "A24", "A37"),
        }.Content());
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        var first = await CreateAsync(client, PatientJson.Valid("DUPONT"));
        var second = await CreateAsync(client, new JsonObject { ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F" });
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{second}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{second}/insi/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{second}/documents", new JsonObject { ["type"] = "PA" }.Content())).StatusCode);

        // Desk A (its own scope and connection) reads both identities to link them…
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var one = await db.Identities.SingleAsync(i => i.Ipp == first);
        var two = await db.Identities.SingleAsync(i => i.Ipp == second);
        // …desk B (another instance) withdraws the second one's INS and commits…
        var withdrawn = await client.PostAsync($"/api/patients/{second}/ins/withdraw", new JsonObject { ["reason"] = "document-invalid" }.Content());
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        // …then desk A saves its link.
        try
        {
            await scope.ServiceProvider.GetRequiredService<IdentityRef.Application.Links.LinkService>()
                .LinkAsync(one, two, new IdentityRef.Application.Audit.Actor("desk-a", "review"), null, null, CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // refusing the stale link is a correct outcome
        }

        var queue = await OutboxAsync(factory);
        var a47 = queue.Last(m => m.Event == "A47");
        Assert.DoesNotContain(queue.Where(m => m.Id > a47.Id), m => Hl7Parser.Parse(m.Payload).Message!.Pids().Any(p => p.Identifiers.Any(i => i.Id == Nir)));
    }

    /// <summary>
    /// Two feed messages meet on one sender identifier: an A31 of a known patient that brings a second identifier (OTH E2),
    /// on the update path (no admission lock), and an A28 of a patient known by that identifier only, on the creation path.
    /// Sequentially both are AA (the later one finds E2 and skips or updates). Interleaved, the identifiers' unique index
    /// (System, Value) fails one of them; the unique violation is neither turned into a concurrent change nor retried, so
    /// the message is answered AE ("refused by the rule database"), which tells the sender never to send it again as is: the
    /// patient's update is lost. Expected (docs/deployment.md, inbound row): a message that meets a concurrent change is
    /// applied again before an AR, never an AE. The interleaving is forced by holding the known identity's row lock.
    /// </summary>
    [PostgresFact]
    public async Task FeedMessagesMeetingOnOneSenderIdentifier_AreNeverAnsweredAe()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.PostgreSql, NoDispatcher);
        factory.CreateClient();
        var known = "E1" + PatientJson.UniqueLetters();
        var other = "E2" + PatientJson.UniqueLetters();
        await using var c0 = await Inbound.InboundCheckBeforeCreateTests.ConnectAsync(factory);
        await using var c1 = await Inbound.InboundCheckBeforeCreateTests.ConnectAsync(factory);
        await using var c2 = await Inbound.InboundCheckBeforeCreateTests.ConnectAsync(factory);
        var a28 = Inbound.InboundCheckBeforeCreateTests.A28(known, "FEEDRACE", "LUCIE", new DateOnly(1988, 3, 4), "F", "13055", control: "C0");
        Assert.Equal("AA", (await Inbound.InboundCheckBeforeCreateTests.SendAsync(c0, a28)).Msa()!.Value.AcknowledgmentCode);
        Guid x;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            x = await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Identifiers.Where(i => i.Value == known).Select(i => i.IdentityId).SingleAsync();
        }
        var a31 = a28.Replace("ADT^A28^ADT_A05", "ADT^A31^ADT_A05", StringComparison.Ordinal).Replace("|C0|", "|C1|", StringComparison.Ordinal)
            .Replace($"{known}^^^LAB&1.2.250.1.999.77&ISO^PI", $"{known}^^^LAB&1.2.250.1.999.77&ISO^PI~{other}^^^OTH&1.2.250.1.999.78&ISO^PI", StringComparison.Ordinal);
        var newcomer = Inbound.InboundCheckBeforeCreateTests.A28(other, "AUTREPERS", "MARC", new DateOnly(1960, 7, 1), "M", "75056", control: "C2")
            .Replace($"{other}^^^LAB&1.2.250.1.999.77&ISO^PI", $"{other}^^^OTH&1.2.250.1.999.78&ISO^PI", StringComparison.Ordinal);

        await using var holder = new Npgsql.NpgsqlConnection(factory.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new Npgsql.NpgsqlCommand("SELECT 1 FROM identities WHERE \"Id\" = @x FOR UPDATE", holder, hold))
        {
            lockRow.Parameters.AddWithValue("x", x);
            await lockRow.ExecuteScalarAsync();
        }
        var update = Inbound.InboundCheckBeforeCreateTests.SendAsync(c1, a31);
        await WaitForLockWaitersAsync(factory.ConnectionString, 1); // the A31 waits for the known identity's row
        var creation = Inbound.InboundCheckBeforeCreateTests.SendAsync(c2, newcomer);
        using (var stop = new CancellationTokenSource())
        {
            var waiting = WaitForLockWaitersAsync(factory.ConnectionString, 2, stop.Token);
            await Task.WhenAny(creation, waiting); // answered, or waiting for the A31's uncommitted identifier
            await stop.CancelAsync();
            await waiting.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await hold.RollbackAsync();

        var acks = new[] { await update, await creation };
        Assert.All(acks, ack => Assert.True(ack.Msa()!.Value.AcknowledgmentCode != "AE", ack.ToString()));
    }

    private static async Task WaitForLockWaitersAsync(string connectionString, int count, CancellationToken cancellationToken = default)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await using var command = new Npgsql.NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()", connection);
            if ((long)(await command.ExecuteScalarAsync(cancellationToken))! >= count)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} transactions waited for a lock in time");
            await Task.Delay(20, cancellationToken);
        }
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

    private static async Task<string> SubscribeAsync(HttpClient client, string name, int port)
    {
        var response = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = name, ["host"] = "127.0.0.1", ["port"] = port, ["receivingApplication"] = name, ["receivingFacility"] = "HOPITAL",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["id"]!;
    }
}
