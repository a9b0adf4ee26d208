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

namespace IdentityRef.Server.Tests.Inbound;

/// <summary>
/// The inbound ZFD (PAM FR §6.18): ZFD-4 sets the birth date's corrected flag; ZFD-5/7/8 are kept as the sender's word
/// (never a document check made here), and ZFD-5 is handed on in our own messages instead of an empty or made-up mode.
/// </summary>
public sealed class ZfdInboundTests
{
    [Fact]
    public async Task TheSendersZfd_IsStoredAsItsWord_ItsCollectionModeIsForwarded_AndBadValuesAreWarnedOrRefused()
    {
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Hl7:ReceivingApplication"] = "IDENTITYREF", ["Hl7:ReceivingFacility"] = "HOPITAL",
        });
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = downstream.Port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content())).StatusCode);
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        await using var sender = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });

        Assert.Equal("AA", Code(await SendAsync(sender, Adt("A28", "ZFD||||Y|CV||PA|20300101"))));
        var identity = await IdentityAsync(factory);
        Assert.Equal(("CV", "PA", new DateOnly(2030, 1, 1)), (identity.ReceivedObtainingMode, identity.ReceivedDocumentType, identity.ReceivedDocumentExpires));
        Assert.True(identity.BirthDateCorrected);
        Assert.Null(identity.DocumentType); // the sender's document is not a check made here: the identity stays provisional
        Assert.Equal(Domain.Identities.IdentityStatus.Prov, identity.Status);
        var received = (await (await client.GetAsync($"/api/patients/{identity.Ipp}")).ReadObjectAsync())["received"]!;
        Assert.Equal(("CV", "PA", "2030-01-01"), ((string)received["obtainingMode"]!, (string)received["documentType"]!, (string)received["documentExpires"]!));
        var history = await (await client.GetAsync($"/api/patients/{identity.Ipp}/history")).ReadArrayAsync();
        Assert.Equal("CV", (string)history[0]!["after"]!["receivedObtainingMode"]!);

        // forwarded with the sender's collection mode, not SM; its document not handed on
        var a28 = (await downstream.WaitForAsync(1))[0].Zfd()!.Value;
        Assert.Equal(("Y", "CV", ""), (a28.BirthDateCorrected, a28.ObtainingMode, a28.DocumentType));

        // an A31 without ZFD changes none of it; ZFD-5 "" withdraws the mode, which then leaves our messages too
        Assert.Equal("AA", Code(await SendAsync(sender, Adt("A31", null))));
        Assert.Equal("CV", (await IdentityAsync(factory)).ReceivedObtainingMode);
        Assert.Equal("AA", Code(await SendAsync(sender, Adt("A31", "ZFD|||||\"\"||||"))));
        identity = await IdentityAsync(factory);
        Assert.Null(identity.ReceivedObtainingMode);
        Assert.Equal("PA", identity.ReceivedDocumentType);
        Assert.Equal("", (await downstream.WaitForAsync(3))[2].Zfd()?.ObtainingMode ?? "");

        // a value outside the PAM FR table is not taken (warned); a bad date is refused, nothing written
        var unknown = await SendAsync(sender, Adt("A31", "ZFD|||||XX||ZZ|"));
        Assert.Equal("AA", Code(unknown));
        Assert.Contains(unknown.Errs(), e => e.Segment.Get(4) == "W" && e.Segment.Field(2).Repetition(1).ToString() == "ZFD^1^5");
        Assert.Contains(unknown.Errs(), e => e.Segment.Get(4) == "W" && e.Segment.Field(2).Repetition(1).ToString() == "ZFD^1^7");
        Assert.Equal("PA", (await IdentityAsync(factory)).ReceivedDocumentType);
        var bad = await SendAsync(sender, Adt("A31", "ZFD|||||SM||CN|2030AB01"));
        Assert.Equal("AE", Code(bad));
        var err = bad.Errs().First(e => e.Segment.Get(4) == "E").Segment;
        Assert.Equal(("ZFD^1^8", "102"), (err.Field(2).Repetition(1).ToString(), err.Get(3, 1, 1)));
        identity = await IdentityAsync(factory);
        Assert.Equal((null, "PA"), (identity.ReceivedObtainingMode, identity.ReceivedDocumentType));
    }

    private static string Adt(string trigger, string? zfd) =>
        $"MSH|^~\\&|LAB|HOP|IDENTITYREF|HOPITAL|20260101120000+0100||ADT^{trigger}^ADT_A05|Z{Guid.NewGuid():N}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR\r"
        + "EVN||20260101120000\r"
        + "PID|1||701^^^LAB&1.2.250.1.999&ISO^PI||ZEDEFFE^LUC^LUC^^M.^^L||19700101|M\rPV1||N\r"
        + (zfd is null ? "" : zfd + "\r");

    private static string Code(Hl7Message ack) => ack.Msa()!.Value.AcknowledgmentCode;

    private static async Task<Hl7Message> SendAsync(MllpClient client, string text)
    {
        var result = await client.SendAsync(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsAcknowledged, result.Detail);
        IndependentHl7Check.AssertConform([result.Response!], "the ACK of the inbound listener");
        return Hl7Parser.Parse(result.Response!).Message!;
    }

    private static async Task<Domain.Identities.Identity> IdentityAsync(IdentityRefFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var id = await db.Identifiers.Where(i => i.Value == "701").Select(i => i.IdentityId).SingleAsync();
        return await db.Identities.AsNoTracking().SingleAsync(i => i.Id == id);
    }
}
