using IdentityRef.Application.Inbound;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Identities;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Inbound;

/// <summary>The inbound ITI-30 listener end to end, over a real MLLP socket.</summary>
public sealed class InboundFeedTests
{
    private static readonly string Examples = Path.Combine(Repository.Root, "..", "shared", "data", "pam-fr-examples");

    private static IdentityRefFactory Receiver(string? insiEnvironment = null) => new(DatabaseProvider.Sqlite, new Dictionary<string, string?>
    {
        ["Hl7:ReceivingApplication"] = "PatientManager",
        ["Hl7:ReceivingFacility"] = "PAM_FR",
        ["Insi:Environment"] = insiEnvironment ?? "Qualification", // the shipped appsettings' value
    });

    [Fact]
    public async Task SpecExamples_AreAcknowledgedAndIntegrated_InsLifeCycleIncluded()
    {
        using var factory = Receiver();
        await using var sender = await ConnectAsync(factory);

        // §4.4.1 A31 for an unknown patient inserts it, with the NIR (qualified: VALI)
        var ack = await SendAsync(sender, "01_PAMFR-2.11.2_s4.4.1_ADT-A31_INS-NIA-to-INS-NIR.hl7");
        Assert.Equal("AA", ack.Msa()!.Value.AcknowledgmentCode);
        var identity = await IdentityByCrossReferenceAsync(factory, "1900068");
        Assert.Equal(("DARK", "JEANNE MARIE CECILE", new DateOnly(1960, 5, 30)), (identity.BirthName, identity.FirstNames, identity.BirthDate));
        Assert.Equal("MARIE-CECILE", identity.UsedFirstName);
        Assert.Equal("260058815400233", identity.InsValue); // the NIR, whose key is valid, kept as declared
        Assert.Equal(Domain.Identities.InsSource.Declared, identity.InsSource);

        // §4.4.2 A47 with a new INS whose key is invalid (the example's 260058815400244): integrated, INS dropped, warned
        var changed = await SendAsync(sender, "02_PAMFR-2.11.2_s4.4.2_ADT-A47_modify-INS-NIR.hl7");
        Assert.Equal("AA", changed.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("W", changed.Errs()[0].Segment.Get(4));
        Assert.Equal("260058815400233", (await IdentityByCrossReferenceAsync(factory, "1900068")).InsValue);

        // §4.4.3 A47: INS deleted
        Assert.Equal("AA", (await SendAsync(sender, "03_PAMFR-2.11.2_s4.4.3_ADT-A47_delete-INS.hl7")).Msa()!.Value.AcknowledgmentCode);
        Assert.Null((await IdentityByCrossReferenceAsync(factory, "1900068")).InsValue);

        // A01 is not part of this feed: rejected with 201
        ack = await SendAsync(sender, "05_ANS_PAMFR-2.11.1_ADT-A01_INS-VALI_ZFA-ZFD.hl7", receivingApplication: "PatientManager", receivingFacility: "PAM_FR");
        Assert.Equal("AR", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("201", ack.Errs()[0].Segment.Get(3, 1, 1));
    }

    [Fact]
    public async Task WrongReceiver_IsRejected_BadTraits_GetAeWithTheLocation_AndWriteNothing()
    {
        using var factory = Receiver();
        await using var sender = await ConnectAsync(factory);

        var wrong = await SendAsync(sender, "01_PAMFR-2.11.2_s4.4.1_ADT-A31_INS-NIA-to-INS-NIR.hl7", receivingApplication: "SomeoneElse");
        Assert.Equal("AR", wrong.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("MSH^1^5", wrong.Errs()[0].Segment.Get(2).Length > 0 ? Location(wrong) : "");

        var text = Read("01_PAMFR-2.11.2_s4.4.1_ADT-A31_INS-NIA-to-INS-NIR.hl7").Replace("|19600530|", "|19601332|", StringComparison.Ordinal);
        var bad = await SendTextAsync(sender, text);
        Assert.Equal("AE", bad.Msa()!.Value.AcknowledgmentCode);
        Assert.StartsWith("PID^1^7", Location(bad), StringComparison.Ordinal);

        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Identities.CountAsync());
    }

    [Fact]
    public async Task Garbage_GetsAnAckWithErr_NeverACrash()
    {
        using var factory = Receiver();
        await using var sender = await ConnectAsync(factory);
        var answer = await sender.SendAsync(Encoding.UTF8.GetBytes("MSH|^~\\&|X|Y|PatientManager|PAM_FR|2024||ADT^A28^ADT_A05|1|P|2.5\rPID|1||\r"));
        Assert.True(answer.IsAcknowledged);
        var ack = Hl7Parser.Parse(answer.Response!).Message!;
        Assert.Equal("AE", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.NotEmpty(ack.Errs());
    }

    [Fact]
    public async Task AnA47ChangingAnIdentifier_IsAuditedWithTheIdentifiersAddedAndRemoved()
    {
        using var factory = Receiver();
        await using var sender = await ConnectAsync(factory);
        const string authority = "URG&1.2.250.1.999.77&ISO";
        var created = await SendTextAsync(sender, Feed("A28", "C1", $"OLD7^^^{authority}^PI", "AUDITA", "LUC", "19800101", "M", "PROV"));
        Assert.Equal("AA", created.Msa()!.Value.AcknowledgmentCode);
        var identityId = (await IdentityByCrossReferenceAsync(factory, "OLD7")).Id;

        var a47 = string.Join('\r',
            "MSH|^~\\&|URG|HOP|PatientManager|PAM_FR|20250101120000+0100||ADT^A47^ADT_A30|C2|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
            "EVN||20250101120000+0100",
            $"PID|1||NEW7^^^{authority}^PI||AUDITA^LUC^LUC^^^^L||19800101|M",
            $"MRG|OLD7^^^{authority}^PI") + "\r";
        var changed = await SendTextAsync(sender, a47);
        Assert.Equal("AA", changed.Msa()!.Value.AcknowledgmentCode);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        Assert.Equal(["NEW7"], await db.Identifiers.Where(i => i.IdentityId == identityId).Select(i => i.Value).ToListAsync());
        var line = await db.AuditTrail.AsNoTracking().SingleAsync(a => a.IdentityId == identityId && a.Action == "identity.identifier-changed");
        var identifiers = System.Text.Json.Nodes.JsonNode.Parse(line.Details!)!["identifiers"]!;
        Assert.Equal("hl7:URG|NEW7", Single(identifiers["added"]!));
        Assert.Equal("hl7:URG|OLD7", Single(identifiers["removed"]!));

        static string Single(System.Text.Json.Nodes.JsonNode list) =>
            Assert.Single(list.AsArray().Select(i => $"{(string)i!["system"]!}|{(string)i["value"]!}"));
    }

    private const string Nir = "297022A02077878";

    /// <summary>An A28/A31 of the URG system with the given PID-3, birth traits (PID-5, 7, 8), PID-32 and, if given, PID-11.</summary>
    private static string Feed(string trigger, string controlId, string pid3, string birthName, string firstName, string birthDate, string sex, string status,
        string address = "")
    {
        var pid = new string[33];
        Array.Fill(pid, "");
        pid[0] = "PID";
        pid[1] = "1";
        pid[3] = pid3;
        pid[5] = $"{birthName}^{firstName}^{firstName}^^^^L";
        pid[7] = birthDate;
        pid[8] = sex;
        pid[11] = address;
        pid[32] = status;
        return string.Join('\r',
            $"MSH|^~\\&|URG|HOP|PatientManager|PAM_FR|20250101120000+0100||ADT^{trigger}^ADT_A05|{controlId}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
            "EVN||20250101120000+0100",
            string.Join('|', pid),
            "PV1||N") + "\r";
    }

    /// <summary>
    /// Review: an A28 carrying the NIR in PID-3 under the INS authority but with the type code NH, and PID-32 PROV, was
    /// stored as a cross-reference of domain <c>hl7:1.2.250.1.213.1.4.8</c> that FHIR then handed on for a provisional identity.
    /// </summary>
    [Fact]
    public async Task AnInsSentWithAnotherTypeCode_IsNeverHandedOnForAProvisionalIdentity()
    {
        using var factory = Receiver();
        await using var sender = await ConnectAsync(factory);

        var ack = await SendTextAsync(sender, Feed("A28", "MSG42", $"EXT42^^^URG&1.2.250.1.999.77&ISO^PI~{Nir}^^^&1.2.250.1.213.1.4.8&ISO^NH",
            "ADRTROIS", "DOMINIQUE", "19970226", "F", "PROV"));
        Assert.Equal("AA", ack.Msa()!.Value.AcknowledgmentCode);
        // read as the INS (a W for its type code) and dropped (a W for PID-32 PROV)
        Assert.Contains(ack.Errs(), e => e.Code == "103" && e.Severity == "W" && e.Segment.Field(2).Raw == "PID^1^3^2^5");
        Assert.Contains(ack.Errs(), e => e.Code == "103" && e.Severity == "W" && e.Segment.Field(2).Raw == "PID^1^32^1");

        var identity = await IdentityByCrossReferenceAsync(factory, "EXT42");
        Assert.Equal("PROV", identity.Status.Code());
        Assert.Null(identity.InsValue);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            Assert.False(await db.Identifiers.AnyAsync(i => i.Value == Nir), "the INS was kept as a cross-reference");
        }
        var fhir = await (await factory.CreateClient(Roles.Consultation).GetAsync($"/fhir/Patient/{identity.Ipp}")).Content.ReadAsStringAsync();
        Assert.Contains(identity.Ipp, fhir, StringComparison.Ordinal);
        Assert.False(fhir.Contains(Nir, StringComparison.Ordinal), "the INS of a provisional identity is handed on by FHIR: " + fhir);
    }

    [Theory]
    [InlineData("INS")]
    [InlineData("NH")]
    public async Task ATestInsAuthority_IsRefusedOnProduction_WhateverTheTypeCode(string typeCode)
    {
        using var factory = Receiver(insiEnvironment: "Production");
        await using var sender = await ConnectAsync(factory);

        var ack = await SendTextAsync(sender, Feed("A28", "MSG43", $"EXT43^^^URG&1.2.250.1.999.77&ISO^PI~{Nir}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^{typeCode}",
            "ADRTROIS", "DOMINIQUE", "19970226", "F", "VALI"));

        Assert.Equal("AE", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Contains(ack.Errs(), e => e.Code == "103" && e.Severity == "E" && e.Segment.Field(2).Raw.StartsWith("PID^1^3^", StringComparison.Ordinal));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        Assert.False(await db.Identifiers.AnyAsync(i => i.Value == "EXT43" || i.Value == Nir), "a refused message wrote an identifier");
        Assert.False(await db.Identities.AnyAsync(i => i.BirthName == "ADRTROIS"), "a refused message created an identity");
    }

    /// <summary>
    /// Hostile: an A31 for a known provisional patient X carries another person's INS (Y's, held here from INSi) with the type
    /// code NH and PID-32 PROV. Nothing attaches it: not to X as its INS, not as X's cross-reference; Y keeps it, alone.
    /// </summary>
    [Fact]
    public async Task AnA31CarryingAnotherPersonsInsWithAnotherTypeCode_AttachesItNowhere()
    {
        using var factory = Receiver();
        var admin = factory.CreateClient();
        var created = await admin.PostAsync("/api/patients", new JsonObject
        {
            ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F", ["confirmDuplicate"] = true,
        }.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var y = (string)(await created.ReadObjectAsync())["ipp"]!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{y}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{y}/insi/accept", null)).StatusCode);
        await using var sender = await ConnectAsync(factory);
        Assert.Equal("AA", (await SendTextAsync(sender, Feed("A28", "X1", "EXT77^^^URG&1.2.250.1.999.77&ISO^PI", "DUVAL", "LUC", "19750412", "M", "PROV")))
            .Msa()!.Value.AcknowledgmentCode);

        var ack = await SendTextAsync(sender, Feed("A31", "X2", $"EXT77^^^URG&1.2.250.1.999.77&ISO^PI~{Nir}^^^&1.2.250.1.213.1.4.8&ISO^NH",
            "DUVAL", "LUC", "19750412", "M", "PROV"));

        Assert.Equal("AA", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Contains(ack.Errs(), e => e.Severity == "W" && e.Segment.Field(2).Raw == "PID^1^3^2^5");
        var x = await IdentityByCrossReferenceAsync(factory, "EXT77");
        Assert.Equal(("DUVAL", "PROV"), (x.BirthName, x.Status.Code()));
        Assert.Null(x.InsValue);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            Assert.False(await db.Identifiers.AnyAsync(i => i.Value == Nir), "the other person's INS was kept as a cross-reference");
            var holders = await db.Identities.AsNoTracking().Where(i => i.InsValue == Nir).Select(i => new { i.Ipp, i.BirthName }).ToListAsync();
            Assert.Equal(y, Assert.Single(holders).Ipp); // Y keeps it, alone, with its own traits
            Assert.Equal("ADRTROIS", holders[0].BirthName);
        }
        var fhir = await (await factory.CreateClient(Roles.Consultation).GetAsync($"/fhir/Patient/{x.Ipp}")).Content.ReadAsStringAsync();
        Assert.Contains(x.Ipp, fhir, StringComparison.Ordinal);
        Assert.DoesNotContain(Nir, fhir, StringComparison.Ordinal);
    }

    /// <summary>
    /// Another installation named its IPP domain like ours (the default <c>IDENTITYREF</c>) but under its own OID, and IPPs
    /// start at the same number everywhere: its IPP 100000001 is another person. The universal id decides whose IPP a CX is;
    /// a CX naming our domain's name with another OID designates nobody here and is refused (AE, ERR at CX-4.2), never read
    /// as our IPP nor kept as a cross-reference that would go out under our name. Our OID under another name is ours.
    /// </summary>
    [Fact]
    public async Task AnIppOfAnotherAuthorityNamedLikeOurs_NeverDesignatesOurPatient_OurOidUnderAnotherNameDoes()
    {
        using var factory = Receiver();
        var admin = factory.CreateClient();
        var created = await admin.PostAsync("/api/patients", new JsonObject
        {
            ["birthName"] = "Martin", ["firstNames"] = "Claire", ["birthDate"] = "1980-03-14", ["sex"] = "F",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        await using var sender = await ConnectAsync(factory);

        var ack = await SendTextAsync(sender, Feed("A31", "OTHER1", $"{ipp}^^^IDENTITYREF&1.2.250.1.999.9.9&ISO^PI", "DUVAL", "LUC", "19750412", "M", "PROV"));

        Assert.Equal("AE", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Contains(ack.Errs(), e => e.Severity == "E" && e.Segment.Field(2).Raw == "PID^1^3^1^4^2");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var ours = await db.Identities.AsNoTracking().SingleAsync(i => i.Ipp == ipp);
            Assert.Equal(("MARTIN", "CLAIRE"), (ours.BirthName, ours.FirstName));
            Assert.False(await db.Identities.AnyAsync(i => i.BirthName == "DUVAL"), "a refused message created an identity");
            Assert.False(await db.Identifiers.AnyAsync(), "a refused message kept a cross-reference");
        }

        ack = await SendTextAsync(sender, Feed("A31", "OURS1", $"{ipp}^^^HOPITAL&1.2.250.1.999.1.1&ISO^PI", "MARTIN", "CLAIRE", "19800314", "F", "PROV",
            address: "10 RUE DES LILAS^^PARIS^^75011^FRA^H"));
        Assert.Equal("AA", ack.Msa()!.Value.AcknowledgmentCode);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            Assert.Equal("10 RUE DES LILAS", (await db.Identities.AsNoTracking().SingleAsync(i => i.Ipp == ipp)).Address);
            Assert.Equal(1, await db.Identities.CountAsync());
        }
    }

    /// <summary>ERR-2 of the first error (warnings, e.g. the missing pseudo PV1 of the spec example, come before it).</summary>
    private static string Location(Hl7Message ack) => ack.Errs().First(e => e.Segment.Get(4) == "E").Segment.Field(2).Repetition(1).ToString();

    private static async Task<MllpClient> ConnectAsync(IdentityRefFactory factory)
    {
        factory.CreateClient();
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        return new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });
    }

    private static Task<Hl7Message> SendAsync(MllpClient client, string file, string? receivingApplication = null, string? receivingFacility = null)
    {
        var text = Read(file);
        if (receivingApplication is not null || receivingFacility is not null)
        {
            var msh = Hl7Parser.Parse(text).Message!.Segments[0];
            var fields = text.Split('\r')[0].Split('|');
            fields[4] = receivingApplication ?? fields[4];
            fields[5] = receivingFacility ?? fields[5];
            text = string.Join('|', fields) + text[text.IndexOf('\r', StringComparison.Ordinal)..];
            Assert.NotNull(msh);
        }
        return SendTextAsync(client, text);
    }

    private static async Task<Hl7Message> SendTextAsync(MllpClient client, string text)
    {
        var result = await client.SendAsync(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsAcknowledged, result.Detail);
        IndependentHl7Check.AssertConform([result.Response!], "the ACK of the inbound listener");
        return Hl7Parser.Parse(result.Response!).Message!;
    }

    private static string Read(string file) =>
        File.ReadAllText(Path.Combine(Examples, file)).Replace("\r\n", "\r", StringComparison.Ordinal).Replace('\n', '\r');

    private static async Task<Domain.Identities.Identity> IdentityByCrossReferenceAsync(IdentityRefFactory factory, string id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var identityId = await db.Identifiers.Where(i => i.Value == id).Select(i => i.IdentityId).SingleAsync();
        return await db.Identities.AsNoTracking().SingleAsync(i => i.Id == identityId);
    }
}
