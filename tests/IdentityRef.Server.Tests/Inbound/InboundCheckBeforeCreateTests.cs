using System.Globalization;
using System.Net;
using System.Text;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Inbound;

/// <summary>
/// Check-before-create on the inbound feed (A28/A31 of a patient not known here), over real MLLP sockets on both
/// providers: a probable duplicate does not stop the feed but reaches the cell's queue with the creation, naming the
/// sender; one patient sent on several connections at once is created once, the other messages update it.
/// </summary>
public sealed class InboundCheckBeforeCreateTests(Databases databases) : IClassFixture<Databases>
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task AnA28OfAPersonAlreadyHere_IsIntegrated_AndThePairIsInTheCellsQueueAtOnce_NamingTheSender(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var api = factory.CreateClient();
        var person = PatientJson.Valid();
        var created = await api.PostAsync("/api/patients", person.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        var stranger = PatientJson.Valid(); // same traits but a name of its own: no candidate

        await using var sender = await ConnectAsync(factory);
        var ext = "LAB" + PatientJson.UniqueLetters();
        var ack = await SendAsync(sender, A28(ext, (string)person["birthName"]!, "JEAN-PIERRE MARIE", new DateOnly(1975, 4, 12), "M", "75112"));
        Assert.Equal("AA", ack.Msa()!.Value.AcknowledgmentCode);
        var lone = "LAB" + PatientJson.UniqueLetters();
        Assert.Equal("AA", (await SendAsync(sender, A28(lone, (string)stranger["birthName"]!, "ANNE", new DateOnly(1990, 1, 2), "F", "69123"))).Msa()!.Value.AcknowledgmentCode);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var first = await db.Identities.AsNoTracking().SingleAsync(i => i.Ipp == ipp);
        var fed = await IdentityOfAsync(db, ext);
        Assert.NotEqual(first.Id, fed.Id); // the feed is not stopped: its source holds this patient
        var pairs = await db.DuplicateItems.AsNoTracking()
            .Where(d => (d.IdentityA == first.Id && d.IdentityB == fed.Id) || (d.IdentityA == fed.Id && d.IdentityB == first.Id)).ToListAsync();
        var pair = Assert.Single(pairs);
        Assert.Equal("open", pair.State);
        Assert.Contains("\"by\":\"hl7:LAB\"", pair.Decisions, StringComparison.Ordinal);
        Assert.Contains("forced-creation", pair.Decisions, StringComparison.Ordinal);
        Assert.Contains("received from another identity source", pair.Decisions, StringComparison.Ordinal);
        var audit = await db.AuditTrail.AsNoTracking().SingleAsync(a => a.IdentityId == fed.Id && a.Action == "identity.created");
        Assert.Equal("hl7:LAB", audit.Actor);
        Assert.Contains(ipp, audit.Details, StringComparison.Ordinal);

        var alone = await IdentityOfAsync(db, lone);
        Assert.False(await db.DuplicateItems.AnyAsync(d => d.IdentityA == alone.Id || d.IdentityB == alone.Id));
        Assert.DoesNotContain("probableDuplicates", (await db.AuditTrail.AsNoTracking().SingleAsync(a => a.IdentityId == alone.Id && a.Action == "identity.created")).Details, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task OnePatientSentOnFourConnectionsAtOnce_IsCreatedOnce_EveryMessageAnsweredAa(DatabaseProvider provider)
    {
        var factory = databases[provider];
        factory.CreateClient();
        const int Patients = 8;
        const int Connections = 4;
        var people = Enumerable.Range(0, Patients)
            .Select(i => (Ext: "LAB" + PatientJson.UniqueLetters(), Name: "FEED" + PatientJson.UniqueLetters())).ToList();
        var senders = new List<MllpClient>();
        for (var c = 0; c < Connections; c++)
        {
            senders.Add(await ConnectAsync(factory));
        }
        try
        {
            // every connection sends every patient, the same message but its own control id, in its own order
            var acks = await Task.WhenAll(senders.Select(async (sender, c) =>
            {
                var codes = new List<string>();
                foreach (var (ext, name) in c % 2 == 0 ? people : Enumerable.Reverse(people))
                {
                    codes.Add((await SendAsync(sender, A28(ext, name, "LUCIE", new DateOnly(1988, 3, 4), "F", "13055", control: $"C{c}-{ext}"))).Msa()!.Value.AcknowledgmentCode);
                }
                return codes;
            }));
            Assert.Equal(string.Join(",", acks.SelectMany(a => a).Select(_ => "AA")), string.Join(",", acks.SelectMany(a => a)));
        }
        finally
        {
            foreach (var sender in senders)
            {
                await sender.DisposeAsync();
            }
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        foreach (var (ext, name) in people)
        {
            Assert.Equal(1, await db.Identifiers.CountAsync(i => i.Value == ext));
            Assert.Equal(1, await db.Identities.CountAsync(i => i.BirthName == name));
            var id = (await IdentityOfAsync(db, ext)).Id;
            var actions = await db.AuditTrail.AsNoTracking().Where(a => a.IdentityId == id).Select(a => a.Action).ToListAsync();
            Assert.Equal(1, actions.Count(a => a == "identity.created"));
            Assert.Equal(Connections - 1, actions.Count(a => a == "identity.updated"));
        }
    }

    /// <summary>An A28 of the PAM FR shape (docs/hl7.md), from the sending application LAB whose identifier domain is LAB.</summary>
    internal static string A28(string ext, string birthName, string firstNames, DateOnly birthDate, string sex, string birthPlace, string? control = null)
    {
        var now = "20260115103000+0100";
        var first = firstNames.Split(' ')[0];
        return $"MSH|^~\\&|LAB|LABFAC|IDENTITYREF|HOPITAL|{now}||ADT^A28^ADT_A05|{control ?? ext}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM\r"
            + $"EVN||{now}\r"
            + $"PID|1||{ext}^^^LAB&1.2.250.1.999.77&ISO^PI||{birthName}^{first}^{firstNames}^^^^L||{birthDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}|{sex}|||^^^^^FRA^BDL^^{birthPlace}\r"
            + "PV1|1|N\r";
    }

    private static async Task<Domain.Identities.Identity> IdentityOfAsync(IdentityRefDbContext db, string ext)
    {
        var id = await db.Identifiers.Where(i => i.Value == ext).Select(i => i.IdentityId).SingleAsync();
        return await db.Identities.AsNoTracking().SingleAsync(i => i.Id == id);
    }

    internal static async Task<MllpClient> ConnectAsync(IdentityRefFactory factory)
    {
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        return new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(30) });
    }

    internal static async Task<Hl7Message> SendAsync(MllpClient client, string text)
    {
        var result = await client.SendAsync(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsAcknowledged, result.Detail);
        return Hl7Parser.Parse(result.Response!).Message!;
    }
}
