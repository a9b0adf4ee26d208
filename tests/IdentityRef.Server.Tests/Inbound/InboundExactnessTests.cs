using System.Text;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using IdentityRef.Hl7.Pam;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Inbound;

/// <summary>The inbound listener as a sending identity source meets it (issue 14), over a real MLLP socket.</summary>
public sealed class InboundExactnessTests
{
    private const string Msh = "MSH|^~\\&|GAM|EXT|IDENTITYREF|HOPITAL|20260309102840+0100||ADT^{0}^ADT_A05|{1}|P|2.5^FRA^2.11|||||FRA|{2}|FR||2.11^IHE_FRANCE-2.11-PAM\r";
    private const string Ipp = "4242^^^GAM&1.2.250.1.999.1&ISO^PI";

    private static string Message(string trigger, string pid, string controlId, string charset = "UNICODE UTF-8", string tail = "PV1||N\r") =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, Msh, trigger, controlId, charset) + "EVN||20260309102840+0100\r" + pid + tail;

    private const string FullPid = "PID|1||" + Ipp + "||DUVAL^LUC^LUC^^M.^^L~MARTIN^PAUL^^^M.^^D||19750412|M|||3 rue Haute^^LYON^^69001^FRA^H~^^^^^FRA^BDL^^69123||^PRN^PH^^^^^^^^^0472000000~^NET^Internet^luc@example.org\r";

    [Fact]
    public async Task AnUpdate_KeepsWhatItLeavesEmpty_AndErasesWhatItSendsAsHl7Null()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        await using var sender = await ConnectAsync(factory);
        Assert.Equal("AA", Code(await SendAsync(sender, Message("A28", FullPid, "C1"))));

        // an A31 with the birth name only: the used name, address, phone and e-mail stay
        Assert.Equal("AA", Code(await SendAsync(sender, Message("A31", "PID|1||" + Ipp + "||DUVAL^LUC^LUC^^M.^^L||19750412|M\r", "C2"))));
        var kept = await IdentityAsync(factory);
        Assert.Equal(("MARTIN", "3 rue Haute", "69001", "0472000000", "luc@example.org"), (kept.UsedName, kept.Address, kept.Postcode, kept.Phone, kept.Email));
        Assert.Equal("69123", kept.BirthPlaceCode);

        // "" erases: the used name (its first name stays), the address, the phone; the e-mail is left alone
        var erase = "PID|1||" + Ipp + "||DUVAL^LUC^LUC^^M.^^L~\"\"^^^^^^D||19750412|M|||\"\"^^\"\"^^\"\"^^H||^PRN^PH^^^^^^^^^\"\"\r";
        Assert.Equal("AA", Code(await SendAsync(sender, Message("A31", erase, "C3"))));
        var erased = await IdentityAsync(factory);
        Assert.Equal((null, "PAUL", null, null, null, null), (erased.UsedName, erased.UsedFirstName, erased.Address, erased.Postcode, erased.City, erased.Phone));
        Assert.Equal("luc@example.org", erased.Email);
        Assert.Equal("69123", erased.BirthPlaceCode);

        // a whole field "" erases every value it holds
        Assert.Equal("AA", Code(await SendAsync(sender, Message("A31", "PID|1||" + Ipp + "||DUVAL^LUC^LUC^^M.^^L||19750412|M|||||\"\"\r", "C4"))));
        Assert.Null((await IdentityAsync(factory)).Email);
    }

    [Fact]
    public async Task AnAck_GetsNoAnswer_AnotherMessageType_GetsAr200()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        await using var sender = await ConnectAsync(factory, TimeSpan.FromSeconds(1));
        var ack = await sender.SendAsync(Encoding.UTF8.GetBytes(
            "MSH|^~\\&|GAM|EXT|IDENTITYREF|HOPITAL|20260309102840+0100||ACK^A28^ACK|K1|P|2.5\rMSA|AA|C1\r"));
        Assert.Equal(MllpSendStatus.Timeout, ack.Status); // never acknowledged: two engines would answer each other forever

        await using var again = await ConnectAsync(factory);
        var oru = await again.SendAsync(Encoding.UTF8.GetBytes(
            "MSH|^~\\&|GAM|EXT|IDENTITYREF|HOPITAL|20260309102840+0100||ORU^R01^ORU_R01|O1|P|2.5\rPID|1||" + Ipp + "\r"));
        var answer = Hl7Parser.Parse(oru.Response!).Message!;
        Assert.Equal(("AR", "O1"), (answer.Msa()!.Value.AcknowledgmentCode, answer.Msa()!.Value.ControlId));
        Assert.Equal("200", answer.Errs()[0].Segment.Get(3));
    }

    [Fact]
    public async Task BytesThatDoNotDecodeUnderMsh18_GetAe102_AndHexEscapesAreReadInTheMessagesCharset()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        await using var sender = await ConnectAsync(factory);

        // "Hélène" in Latin-1 bytes under a UTF-8 MSH-18: refused, nothing stored as U+FFFD
        var text = Message("A28", "PID|1||" + Ipp + "||DUVAL^LUC^LUC^^M.^^L||19750412|M|||^^H\u00E9RISSON^^69001^^H\r", "L1");
        var latin1 = Encoding.Latin1.GetBytes(text);
        var refused = await SendBytesAsync(sender, latin1);
        Assert.Equal("AE", Code(refused));
        var err = refused.Errs().First(e => e.Segment.Get(4) == "E").Segment;
        Assert.Equal(("102", "PID"), (err.Get(3), err.Get(2)));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Identities.CountAsync());
        }

        // \XC3A9\ is "é" in UTF-8: read with the message's character set, not as Latin-1 "Ã©"
        var hex = Message("A28", "PID|1||" + Ipp + "||DUVAL^LUC^LUC^^M.^^L||19750412|M|||^^SAINT-\\XC389\\TIENNE^^42000^^H\r", "L2");
        Assert.Equal("AA", Code(await SendAsync(sender, hex)));
        Assert.Equal("SAINT-ÉTIENNE", (await IdentityAsync(factory)).City);
    }

    [Fact]
    public async Task Pv1BeforePid_IsAe100_AnotherVersion_IsAr203()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        await using var sender = await ConnectAsync(factory);
        var pid = "PID|1||" + Ipp + "||DUVAL^LUC^LUC^^M.^^L||19750412|M\r";

        var misplaced = string.Format(System.Globalization.CultureInfo.InvariantCulture, Msh, "A28", "S1", "UNICODE UTF-8") + "EVN||20260309102840\rPV1||N\r" + pid;
        var ae = await SendAsync(sender, misplaced);
        Assert.Equal("AE", Code(ae));
        var err = ae.Errs().First(e => e.Segment.Get(4) == "E").Segment;
        Assert.Equal(("100", "PV1"), (err.Get(3), err.Get(2)));
        Assert.Contains("PV1 must follow PID", err.Get(8), StringComparison.Ordinal);

        var old = Message("A28", pid, "S2").Replace("|2.5^FRA^2.11|", "|2.3.1|", StringComparison.Ordinal);
        var ar = await SendAsync(sender, old);
        Assert.Equal("AR", Code(ar));
        Assert.Equal(("203", "MSH^1^12^1^1"), (ar.Errs()[0].Segment.Get(3), ar.Errs()[0].Segment.Field(2).Raw));

        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Identities.CountAsync());
    }

    [Fact]
    public async Task AnIdentityReceivedFromAnotherSystem_IsNotForwardedAsAManualEntry_AndItsPhoneIsNormalised()
    {
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        var subscribed = await client.PostAsync("/api/subscriptions", new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = downstream.Port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content());
        Assert.Equal(System.Net.HttpStatusCode.Created, subscribed.StatusCode);
        await using var sender = await ConnectAsync(factory);
        var pid = FullPid.Replace("^PRN^PH^^^^^^^^^0472000000", "^PRN^PH^^^^^^^^^06 72 00 00 00", StringComparison.Ordinal);
        Assert.Equal("AA", Code(await SendAsync(sender, Message("A28", pid, "Z1"))));

        var forwarded = (await downstream.WaitForAsync(1))[0];
        Assert.Equal("A28", forwarded.TriggerEvent);
        // ZFD-5 would claim a manual entry here (SM): the sender collected it, we do not know how
        Assert.NotEqual("SM", forwarded.Zfd()?.ObtainingMode ?? string.Empty);
        Assert.Equal("^PRN^CP^^^^^^^^^0672000000", forwarded.Pid()!.Value.Segment.Field(13).Repetition(1).Raw);
    }

    private static string Code(Hl7Message ack) => ack.Msa()!.Value.AcknowledgmentCode;

    private static async Task<MllpClient> ConnectAsync(IdentityRefFactory factory, TimeSpan? timeout = null)
    {
        factory.CreateClient();
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        return new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = timeout ?? TimeSpan.FromSeconds(20) });
    }

    private static Task<Hl7Message> SendAsync(MllpClient client, string text) => SendBytesAsync(client, Encoding.UTF8.GetBytes(text));

    private static async Task<Hl7Message> SendBytesAsync(MllpClient client, byte[] bytes)
    {
        var result = await client.SendAsync(bytes);
        Assert.True(result.IsAcknowledged, result.Detail);
        IndependentHl7Check.AssertConform([result.Response!], "the ACK of the inbound listener");
        return Hl7Parser.Parse(result.Response!).Message!;
    }

    private static async Task<Domain.Identities.Identity> IdentityAsync(IdentityRefFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var id = await db.Identifiers.Where(i => i.Value == "4242").Select(i => i.IdentityId).SingleAsync();
        return await db.Identities.AsNoTracking().SingleAsync(i => i.Id == id);
    }
}
