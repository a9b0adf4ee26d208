using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Security;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Inbound;

/// <summary>PDQ (ITI-21) and PIX (ITI-9) over a real MLLP socket, on the listener of the inbound feed.</summary>
public sealed class PdqPixTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    [Fact]
    public async Task Pdq_ByNameStartAndBirthDate_PagesWithRcp2AndDsc_AndLeavesMergedIdentitiesOut()
    {
        var name = "PDQ" + PatientJson.UniqueLetters();
        var ipps = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ipps.Add(await CreateAsync(PatientJson.Valid(name).With("firstNames", "Anne" + (char)('A' + i))));
        }
        await MergeAsync(ipps[0], ipps[3]);
        await using var client = await ConnectAsync();

        var first = await SendAsync(client, Pdq("Q1", $"@PID.5.1.1^{name[..6]}*~@PID.7^19750412", limit: 2));
        Assert.Equal("RSP^K22^RSP_K21", first.Header!.Field(9).Raw);
        Assert.Equal("AA", first.Msa()!.Value.AcknowledgmentCode);
        var qak = first.First("QAK")!;
        Assert.Equal(("Q1", "OK", "3", "2", "1"), (qak.Get(1), qak.Get(2), qak.Get(4), qak.Get(5), qak.Get(6)));
        Assert.NotNull(first.First("QPD"));
        var pids = first.All("PID").ToList();
        Assert.Equal(2, pids.Count);
        var pid = pids[0];
        Assert.Equal("PI", pid.Get(3, 1, 5));
        Assert.Equal("IDENTITYREF", pid.Get(3, 1, 4, 1));
        Assert.Equal(name, pid.Get(5, 1, 1));
        Assert.Equal("PROV", pid.Get(32)); // PAM FR PID-32, and no INS for an identity that is not qualified
        Assert.Equal(1, pid.Field(3).RepetitionCount);
        var pointer = first.First("DSC")!.Get(1);

        var rest = await SendAsync(client, Pdq("Q1", $"@PID.5.1.1^{name[..6]}*~@PID.7^19750412", limit: 2, continuation: pointer));
        Assert.Single(rest.All("PID"));
        Assert.Null(rest.First("DSC"));
        Assert.Equal("0", rest.First("QAK")!.Get(6));
        var found = pids.Concat(rest.All("PID")).Select(p => p.Get(3, 1, 1)).Order().ToList();
        Assert.Equal(ipps.Take(3).Order(), found); // the merged identity is not a match

        // exact name without the wildcard: the same three; a name nobody has: NF
        Assert.Equal("3", (await SendAsync(client, Pdq("Q2", $"@PID.5.1.1^{name}~@PID.8^M"))).First("QAK")!.Get(4));
        var none = await SendAsync(client, Pdq("Q3", "@PID.5.1.1^PERSONNEXISTEPAS~@PID.7^19750412"));
        Assert.Equal(("AA", "NF"), (none.Msa()!.Value.AcknowledgmentCode, none.First("QAK")!.Get(2)));
        Assert.Empty(none.All("PID"));

        // audited: who asked (the sending application), how many
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        Assert.True(await db.AuditTrail.AnyAsync(a => a.Action == "query.pdq" && a.Actor == "hl7:LABO"));
        Assert.DoesNotContain(Factory.Logs.Lines, l => l.Contains(name, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Pix_ResolvesTheLabsIdentifierToOurIpp_AfterAMergeToTheSurvivor_AndEachErrorIsAnAeWithTheIti9Err()
    {
        await using var client = await ConnectAsync();
        var labId = "L" + PatientJson.UniqueLetters();
        var a28 = await SendAsync(client, string.Join('\r',
            $"MSH|^~\\&|LABO|LAB|IDENTITYREF|HOPITAL|20240101120000||ADT^A28^ADT_A05|{labId}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM",
            "EVN||20240101120000",
            $"PID|1||{labId}^^^LABO^PI||PIX{labId}^ANNE^ANNE^^^^L||19800101|F|||^^^^^^BDL^^75112",
            "PV1||N") + "\r");
        Assert.Equal("AA", a28.Msa()!.Value.AcknowledgmentCode);
        var created = (await SendAsync(client, Pix("P1", $"{labId}^^^LABO"))).First("PID")!.Get(3, 1, 1);
        var survivor = await CreateAsync(PatientJson.Valid());
        await MergeAsync(survivor, created);

        var answer = await SendAsync(client, Pix("P2", $"{labId}^^^LABO"));
        Assert.Equal("RSP^K23^RSP_K23", answer.Header!.Field(9).Raw);
        Assert.Equal(("AA", "OK"), (answer.Msa()!.Value.AcknowledgmentCode, answer.First("QAK")!.Get(2)));
        var identifiers = answer.First("PID")!.Field(3).Repetitions.Select(r => (r[1], r.Component(4).Subcomponent(1))).ToList();
        Assert.Contains((survivor, "IDENTITYREF"), identifiers);
        Assert.DoesNotContain(identifiers, i => i.Item1 == labId); // not the identifier asked about

        // from our IPP, restricted to the lab's domain (QPD-4)
        var toLab = await SendAsync(client, Pix("P3", $"{survivor}^^^IDENTITYREF", "^^^LABO"));
        Assert.Equal(labId, toLab.First("PID")!.Get(3, 1, 1));
        Assert.Equal(1, toLab.First("PID")!.Field(3).RepetitionCount);

        await AssertAeAsync(client, Pix("P4", "NOPE^^^LABO"), "QPD^1^3^1^1");
        await AssertAeAsync(client, Pix("P5", "X^^^NOWHERE"), "QPD^1^3^1^4");
        // our IPP's number under another authority's OID with our domain's name is not our IPP (the OID decides)
        await AssertAeAsync(client, Pix("P7", $"{survivor}^^^IDENTITYREF&1.2.250.1.999.9.9&ISO"), "QPD^1^3^1^4");
        await AssertAeAsync(client, Pix("P6", $"{survivor}^^^IDENTITYREF", "^^^NOWHERE"), "QPD^1^4^1^4");
        await AssertAeAsync(client, Pdq("Q9", $"@PID.5.1.1^X", domains: "^^^NOWHERE"), "QPD^1^8^1^4");
        var unsupported = await SendAsync(client, Pdq("Q8", "@PID.18^X"));
        Assert.Equal("AE", unsupported.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("103", unsupported.Errs().First().Segment.Get(3));
        var badDate = await SendAsync(client, Pdq("Q7", "@PID.7^1975"));
        Assert.Equal("AE", badDate.First("QAK")!.Get(2));
        // a limit too large, a continuation pointer that is not ours, a query without QPD: AE naming the place
        Assert.Equal("RCP^1^2", (await SendAsync(client, Pdq("Q6", "@PID.5.1.1^X", limit: 100000))).Errs().First().Segment.Field(2).Repetition(1).ToString());
        Assert.Equal("DSC^1^1", (await SendAsync(client, Pdq("Q5", "@PID.5.1.1^X", continuation: "'; DROP TABLE identities;--"))).Errs().First().Segment.Field(2).Repetition(1).ToString());
        var noQpd = await SendAsync(client, "MSH|^~\\&|LABO|LAB|IDENTITYREF|HOPITAL|20240101120000||QBP^Q22^QBP_Q21|N1|P|2.5\rRCP|I\r");
        Assert.Equal(("AE", "101"), (noQpd.Msa()!.Value.AcknowledgmentCode, noQpd.Errs().First().Segment.Get(3)));
    }

    [Fact]
    public async Task Pdq_ListsTheInsOfAQualifiedIdentityOnly_AsTheBroadcastDoes()
    {
        var admin = Factory.CreateClient();
        var qualified = await CreateAsync(new JsonObject { ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F" });
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{qualified}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{qualified}/insi/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{qualified}/documents", new JsonObject { ["type"] = "PA", ["number"] = "19AB12345", ["expires"] = Factory.Today.AddYears(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }.Content())).StatusCode);
        var recup = await CreateAsync(new JsonObject { ["birthName"] = "Nessi", ["firstNames"] = "Michelangelo", ["birthDate"] = "2010-08-07", ["sex"] = "M" });
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{recup}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{recup}/insi/accept", null)).StatusCode);
        await using var client = await ConnectAsync();

        var pid = (await SendAsync(client, Pdq("I1", "@PID.5.1.1^ADRTROIS~@PID.7^19970226"))).First("PID")!;
        var ins = pid.Field(3).Repetitions.Single(r => r[5] == "INS");
        Assert.Equal(("297022A02077878", "1.2.250.1.213.1.4.8"), (ins[1], ins.Component(4).Subcomponent(2)));
        Assert.Equal("VALI", pid.Get(32));
        // the same INS asked by PIX finds the qualified identity
        var pix = await SendAsync(client, Pix("I2", "297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO"));
        Assert.Equal(qualified, pix.First("PID")!.Get(3, 1, 1));

        var recupPid = (await SendAsync(client, Pdq("I3", "@PID.5.1.1^NESSI~@PID.7^20100807"))).First("PID")!;
        Assert.DoesNotContain(recupPid.Field(3).Repetitions, r => r[5] == "INS");
        Assert.Equal("PROV", recupPid.Get(32));
        string recupIns;
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            recupIns = (await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Identities.SingleAsync(i => i.Ipp == recup)).InsValue!;
        }
        await AssertAeAsync(client, Pix("I4", recupIns + "^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO"), "QPD^1^3^1^1");
    }

    /// <summary>
    /// Earlier versions kept an INS sent with another type code than INS as a cross-reference (system <c>hl7:1.2.250.1.213.1.4.8</c>).
    /// Such a row, left in a base, is published by none of the query paths: not in FHIR, not in a PDQ v2 or PIX v2 answer,
    /// and it designates no one when asked by its value or its domain.
    /// </summary>
    [Fact]
    public async Task AnInsStoredAsACrossReference_ByAnEarlierVersion_IsNeitherPublishedNorResolved()
    {
        const string nir = "275126322074974";
        var name = "LEG" + PatientJson.UniqueLetters();
        var ipp = await CreateAsync(PatientJson.Valid(name));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var id = await db.Identities.Where(i => i.Ipp == ipp).Select(i => i.Id).SingleAsync();
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = id, System = "hl7:1.2.250.1.213.1.4.8", Value = nir, CreatedAt = DateTimeOffset.UtcNow });
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = id, System = "hl7:ASIP-SANTE-INS-NIR", Value = nir, CreatedAt = DateTimeOffset.UtcNow });
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = id, System = "hl7:LABO", Value = "LEGLAB" + name, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        // FHIR read: the IPP and the lab's identifier, never the INS
        var fhir = Factory.CreateClient(Roles.Consultation);
        var read = await (await fhir.GetAsync($"/fhir/Patient/{ipp}")).Content.ReadAsStringAsync();
        Assert.Contains("LEGLAB" + name, read, StringComparison.Ordinal);
        Assert.DoesNotContain(nir, read, StringComparison.Ordinal);
        Assert.DoesNotContain("1.2.250.1.213.1.4.8", read, StringComparison.Ordinal);
        // FHIR search by the INS value: nobody
        var byValue = await (await fhir.GetAsync($"/fhir/Patient?identifier={nir}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(ipp, byValue, StringComparison.Ordinal);
        // the identity's page lists the lab's identifier, not the INS: the desk would take it for the patient's
        var desk = await Web.IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Accueil);
        var page = System.Net.WebUtility.HtmlDecode(await desk.GetStringAsync($"/identites/{ipp}"));
        Assert.Contains("LEGLAB" + name, page, StringComparison.Ordinal);
        Assert.DoesNotContain(nir, page, StringComparison.Ordinal);

        await using var client = await ConnectAsync();
        // PDQ v2 by name: the identity is found, its PID-3 holds the IPP and the lab's identifier, not the INS
        var pid = Assert.Single((await SendAsync(client, Pdq("L1", $"@PID.5.1.1^{name}"))).All("PID"));
        var identifiers = pid.Field(3).Repetitions.Select(r => r[1]).ToList();
        Assert.Contains(ipp, identifiers);
        Assert.Contains("LEGLAB" + name, identifiers);
        Assert.DoesNotContain(nir, identifiers);
        Assert.DoesNotContain(pid.Field(3).Repetitions, r => r.Component(4).Subcomponent(2).StartsWith("1.2.250.1.213.1.4.", StringComparison.Ordinal));
        // PDQ v2 by the INS value: no match; PIX v2 from our IPP: not listed; PIX v2 from the stored domain: unknown
        var byPid3 = await SendAsync(client, Pdq("L2", $"@PID.3.1^{nir}"));
        Assert.Equal(("AA", "NF"), (byPid3.Msa()!.Value.AcknowledgmentCode, byPid3.First("QAK")!.Get(2)));
        var pix = await SendAsync(client, Pix("L3", $"{ipp}^^^IDENTITYREF"));
        Assert.DoesNotContain(pix.First("PID")!.Field(3).Repetitions, r => r[1] == nir);
        await AssertAeAsync(client, Pix("L4", $"{nir}^^^ASIP-SANTE-INS-NIR"), "QPD^1^3^1^1");
        await AssertAeAsync(client, Pix("L5", $"{nir}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO"), "QPD^1^3^1^1");
    }

    [Fact]
    public async Task Cancel_IsAcknowledged_OtherQueriesAndOtherAddressesAreRejected()
    {
        await using var client = await ConnectAsync();
        var cancel = await SendAsync(client, "MSH|^~\\&|LABO|LAB|IDENTITYREF|HOPITAL|20240101120000||QCN^J01^QCN_J01|C1|P|2.5\rQID|Q1|IHE PDQ Query\r");
        Assert.Equal("AA", cancel.Msa()!.Value.AcknowledgmentCode);
        var q21 = await SendAsync(client, "MSH|^~\\&|LABO|LAB|IDENTITYREF|HOPITAL|20240101120000||QBP^Q21^QBP_Q21|C2|P|2.5\rQPD|IHE PDQ Query|Q1|@PID.5.1.1^X\rRCP|I\r");
        Assert.Equal("AR", q21.Msa()!.Value.AcknowledgmentCode);
        var elsewhere = await SendAsync(client, Pdq("Q1", "@PID.5.1.1^X").Replace("|IDENTITYREF|HOPITAL|", "|OTHER|HOPITAL|", StringComparison.Ordinal));
        Assert.Equal("AR", elsewhere.Msa()!.Value.AcknowledgmentCode);
    }

    private static string Pdq(string tag, string parameters, int? limit = null, string? continuation = null, string domains = "") =>
        $"MSH|^~\\&|LABO|LAB|IDENTITYREF|HOPITAL|20240101120000||QBP^Q22^QBP_Q21|{Guid.NewGuid():N}|P|2.5\r" +
        $"QPD|IHE PDQ Query|{tag}|{parameters}|||||{domains}\r" +
        $"RCP|I|{(limit is { } l ? l + "^RD" : "")}\r" +
        (continuation is null ? "" : $"DSC|{continuation}|I\r");

    private static string Pix(string tag, string identifier, string domains = "") =>
        $"MSH|^~\\&|LABO|LAB|IDENTITYREF|HOPITAL|20240101120000||QBP^Q23^QBP_Q21|{Guid.NewGuid():N}|P|2.5\r" +
        $"QPD|IHE PIX Query|{tag}|{identifier}|{domains}\rRCP|I\r";

    private static async Task AssertAeAsync(MllpClient client, string query, string location)
    {
        var answer = await SendAsync(client, query);
        Assert.Equal("AE", answer.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("AE", answer.First("QAK")!.Get(2));
        var err = answer.Errs().First().Segment;
        Assert.Equal(location, err.Field(2).Repetition(1).ToString());
        Assert.Equal("204", err.Get(3));
    }

    private async Task<MllpClient> ConnectAsync()
    {
        Factory.CreateClient();
        var port = await Factory.Services.GetRequiredService<InboundFeed>().Port;
        return new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });
    }

    private static async Task<Hl7Message> SendAsync(MllpClient client, string text)
    {
        var result = await client.SendAsync(Encoding.UTF8.GetBytes(text));
        Assert.NotNull(result.Response);
        return Hl7Parser.Parse(result.Response!).Message!;
    }

    private async Task<string> CreateAsync(JsonObject person)
    {
        var response = await Factory.CreateClient().PostAsync("/api/patients", person.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    private async Task MergeAsync(string survivor, string merged)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        await scope.ServiceProvider.GetRequiredService<MergeService>().MergeAsync(await db.Identities.SingleAsync(i => i.Ipp == survivor),
            await db.Identities.SingleAsync(i => i.Ipp == merged), new Actor("test", Guid.NewGuid().ToString("N")), null, CancellationToken.None);
    }
}
