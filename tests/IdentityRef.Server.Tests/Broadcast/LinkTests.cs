using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Broadcast;

/// <summary>
/// Link/unlink (PAM FR's optional option, A24/A37): decided by the cell on the duplicate API, audited, broadcast to the
/// subscriptions that list the events (a real MLLP receiver, every message checked by the independent HL7 library), and
/// received from another identity source over a real MLLP socket.
/// </summary>
public sealed class LinkTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Hl7:RetryMinSeconds"] = "0.1",
        ["Hl7:RetryMaxSeconds"] = "0.2",
        ["Hl7:ReceivingApplication"] = "IDENTITYREF",
        ["Hl7:ReceivingFacility"] = "HOPITAL",
    };

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task TheCellLinksAPair_A24ToTheSubscribersThatTakeIt_ThenUnlinks_A37_BothAudited(DatabaseProvider provider)
    {
        await using var withLink = new FakeDownstream();
        await using var without = new FakeDownstream();
        using var factory = new IdentityRefFactory(provider, Settings);
        var client = factory.CreateClient();
        await Subscriptions.CreateAsync(client, "DPI", withLink.Port, Subscriptions.AllEvents);
        await Subscriptions.CreateAsync(client, "LAB", without.Port); // no list: the mandatory events only

        var person = PatientJson.Valid("LIENTEST" + PatientJson.UniqueLetters()).With("birthPlaceCode", "75112");
        var ippA = await CreateAsync(client, person);
        var ippB = await CreateAsync(client, person.With("firstNames", "Jean Pierre Marie").With("birthDate", "1975-12-04").With("confirmDuplicate", true));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/duplicates/detect?full=true", null)).StatusCode);
        var item = Assert.Single((await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync())["items"]!.AsArray())!;
        var id = (long)item["id"]!;
        var first = (string)item["ippA"]!;
        var second = (string)item["ippB"]!;

        var linked = await client.PostAsync($"/api/duplicates/{id}/link", new JsonObject { ["comment"] = "two INS in conflict, CNAM asked" }.Content());
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        var decided = (await linked.ReadObjectAsync())["item"]!;
        Assert.Equal(("resolved", "linked"), ((string)decided["state"]!, (string)decided["resolution"]!));

        var received = await withLink.WaitForAsync(3);
        var a24 = received[2];
        Assert.Equal("ADT^A24^ADT_A24", a24.Header!.Field(9).Raw);
        var pids = a24.Pids();
        Assert.Equal(2, pids.Count);
        Assert.Equal(first, pids[0].Identifiers.Single(c => c.IdentifierTypeCode == "PI").Id);
        Assert.Equal(second, pids[1].Identifiers.Single(c => c.IdentifierTypeCode == "PI").Id);
        Assert.DoesNotContain("\"\"", a24.ToString(), StringComparison.Ordinal); // a link erases nothing

        foreach (var ipp in new[] { ippA, ippB })
        {
            var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
            var line = history.Single(h => (string)h!["action"]! == "identity.linked")!;
            Assert.Contains(ippA, line["details"]!["ipps"]!.AsArray().Select(n => (string)n!));
            Assert.Contains(ippB, line["details"]!["ipps"]!.AsArray().Select(n => (string)n!));
        }

        // a linked pair stays linked when detection finds it again; it cannot be decided twice
        await client.PostAsync("/api/duplicates/detect?full=true", null);
        Assert.Equal(0, (int)(await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync())["total"]!);
        var twice = await client.PostAsync($"/api/duplicates/{id}/link", null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("item-resolved", (string)(await twice.ReadObjectAsync())["rule"]!);

        var unlinked = await client.PostAsync($"/api/duplicates/{id}/unlink", null);
        Assert.Equal(HttpStatusCode.OK, unlinked.StatusCode);
        Assert.Equal("open", (string)(await unlinked.ReadObjectAsync())["item"]!["state"]!);
        var a37 = (await withLink.WaitForAsync(4))[3];
        Assert.Equal("ADT^A37^ADT_A37", a37.Header!.Field(9).Raw);
        Assert.Equal(second, a37.Pids()[1].Identifiers.Single(c => c.IdentifierTypeCode == "PI").Id);
        var historyB = await (await client.GetAsync($"/api/patients/{ippB}/history")).ReadArrayAsync();
        Assert.Contains(historyB, h => (string)h!["action"]! == "identity.unlinked");

        // mistaken: unlinking a pair that is not linked, or an item that does not exist
        var notLinked = await client.PostAsync($"/api/duplicates/{id}/unlink", null);
        Assert.Equal(HttpStatusCode.Conflict, notLinked.StatusCode);
        Assert.Equal("not-linked", (string)(await notLinked.ReadObjectAsync())["rule"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/duplicates/999999/link", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"/api/duplicates/{id}/link",
            new JsonObject { ["comment"] = new string('x', 501) }.Content())).StatusCode);

        // the subscription without the Link option got the two creations and nothing else
        var lab = await without.WaitForAsync(2);
        Assert.All(lab, m => Assert.Equal("A28", m.TriggerEvent));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            Assert.Equal(0, await db.IdentityLinks.CountAsync());
            var labId = await db.Subscriptions.Where(s => s.Name == "LAB").Select(s => s.Id).SingleAsync();
            Assert.Equal(["A28", "A28"], await db.Outbox.Where(o => o.SubscriptionId == labId).OrderBy(o => o.Id).Select(o => o.Event).ToListAsync());
        }
    }

    [Fact]
    public async Task InboundA24_IsRecordedAsALink_A37_UndoesIt_AndA37ForALinkThatDoesNotExist_IsAe204()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings);
        factory.CreateClient();
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        await using var sender = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });

        Assert.Equal("AA", Code(await SendAsync(sender, A28("501", "DUPONT", "19700101"))));
        Assert.Equal("AA", Code(await SendAsync(sender, A28("502", "LEGRAND", "19851130"))));

        // A37 for two known patients that are not linked: the sender and we disagree → AE, nothing written
        var refused = await SendAsync(sender, TwoPids("A37", "501", "502"));
        Assert.Equal("AE", Code(refused));
        var err = refused.Errs().Single(e => e.Segment.Get(4) == "E").Segment;
        Assert.Equal("PID^2^3", err.Field(2).Repetition(1).ToString());
        Assert.Equal("204", err.Get(3, 1, 1));
        Assert.Equal("these two patients are not linked here: there is no link to undo", err.Get(8));

        var linked = await SendAsync(sender, TwoPids("A24", "501", "502"));
        Assert.Equal("AA", Code(linked));
        Assert.Equal(1, await CountAsync(factory, db => db.IdentityLinks));
        Assert.Equal(2, await CountAsync(factory, db => db.AuditTrail.Where(a => a.Action == "identity.linked" && a.Actor == "hl7:LAB")));
        Assert.Equal("AA", Code(await SendAsync(sender, TwoPids("A24", "502", "501")))); // linked already: nothing changes
        Assert.Equal(1, await CountAsync(factory, db => db.IdentityLinks));

        // ITI-30: a patient unknown here is no error; nothing is recorded and a warning says so
        var unknown = await SendAsync(sender, TwoPids("A24", "501", "999"));
        Assert.Equal("AA", Code(unknown));
        var warning = unknown.Errs().Single().Segment;
        Assert.Equal(("PID^2^3", "204", "W"), (warning.Field(2).Repetition(1).ToString(), warning.Get(3, 1, 1), warning.Get(4)));

        Assert.Equal("AA", Code(await SendAsync(sender, TwoPids("A37", "502", "501"))));
        Assert.Equal(0, await CountAsync(factory, db => db.IdentityLinks));
        Assert.Equal(2, await CountAsync(factory, db => db.AuditTrail.Where(a => a.Action == "identity.unlinked")));

        // hostile: a second PID without identifier, a single PID
        var noId = await SendAsync(sender, TwoPids("A24", "501", "502").Replace("PID|2||502^^^LAB&1.2.250.1.999&ISO^PI", "PID|2||", StringComparison.Ordinal));
        Assert.Equal("AE", Code(noId));
        Assert.Contains(noId.Errs(), e => e.Segment.Field(2).Repetition(1).ToString().StartsWith("PID^2^3", StringComparison.Ordinal));
        var onePid = await SendAsync(sender, TwoPids("A24", "501", "502").Split('\r')[..3].Aggregate((x, y) => x + "\r" + y) + "\r");
        Assert.Equal("AE", Code(onePid));
        Assert.Equal("100", onePid.Errs().First(e => e.Segment.Get(4) == "E").Segment.Get(3, 1, 1));
        Assert.Equal(0, await CountAsync(factory, db => db.IdentityLinks));
    }

    private static string A28(string id, string name, string birth) =>
        $"MSH|^~\\&|LAB|HOP|IDENTITYREF|HOPITAL|20260101120000+0100||ADT^A28^ADT_A05|C{id}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR\r"
        + "EVN||20260101120000\r"
        + $"PID|1||{id}^^^LAB&1.2.250.1.999&ISO^PI||{name}^JEAN^JEAN^^M.^^L||{birth}|M\rPV1||N\r";

    private static string TwoPids(string trigger, string first, string second) =>
        $"MSH|^~\\&|LAB|HOP|IDENTITYREF|HOPITAL|20260101120000+0100||ADT^{trigger}^ADT_{trigger}|L{Guid.NewGuid():N}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR\r"
        + "EVN||20260101120000\r"
        + $"PID|1||{first}^^^LAB&1.2.250.1.999&ISO^PI||MARTIN^JEAN^JEAN^^M.^^L||19700101|M\r"
        + $"PID|2||{second}^^^LAB&1.2.250.1.999&ISO^PI||MARTINE^JEAN^JEAN^^M.^^L||19700101|M\r";

    private static string Code(Hl7Message ack) => ack.Msa()!.Value.AcknowledgmentCode;

    private static async Task<Hl7Message> SendAsync(MllpClient client, string text)
    {
        var result = await client.SendAsync(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsAcknowledged, result.Detail);
        IndependentHl7Check.AssertConform([result.Response!], "the ACK of the inbound listener");
        return Hl7Parser.Parse(result.Response!).Message!;
    }

    private static async Task<int> CountAsync<T>(IdentityRefFactory factory, Func<IdentityRefDbContext, IQueryable<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>()).CountAsync();
    }

    private static async Task<string> CreateAsync(HttpClient client, JsonObject body)
    {
        var response = await client.PostAsync("/api/patients", body.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }
}
