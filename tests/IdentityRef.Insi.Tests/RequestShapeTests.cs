using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using IdentityRef.Insi.Tests.Support;

namespace IdentityRef.Insi.Tests;

/// <summary>What the client puts on the wire, checked against the contract's XSDs.</summary>
public sealed class RequestShapeTests
{
    private static readonly XNamespace Soap = InsiContract.SoapEnvelopeNamespace;
    private static readonly XNamespace Bam = InsiContract.ContexteBamNamespace;
    private static readonly XNamespace Lps = InsiContract.ContexteLpsNamespace;
    private static readonly XNamespace Wsa = InsiContract.AddressingNamespace;
    private static readonly XNamespace RecSans = InsiContract.RecSansNamespace;
    private static readonly XNamespace RecVit = InsiContract.RecVitaleNamespace;
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 9, 26, 53, 589, TimeSpan.FromHours(1));

    [Fact]
    public async Task TraitsSearch_Envelope_MatchesTheXsds()
    {
        var (request, options) = await CaptureAsync(c => c.SearchByTraitsAsync(TestSetup.Traits("ADRUN", "ZOE", 'F', "1975-12-31")));

        var document = Parse(request.Body);
        var envelope = document.Root!;
        Assert.Equal(Soap + "Envelope", envelope.Name);
        Assert.Equal([Soap + "Header", Soap + "Body"], envelope.Elements().Select(e => e.Name));
        var header = envelope.Element(Soap + "Header")!;
        Assert.Equal([Bam + "ContexteBAM", Lps + "ContexteLPS", Wsa + "Action", Wsa + "MessageID"], header.Elements().Select(e => e.Name));

        var bam = header.Element(Bam + "ContexteBAM")!;
        var lps = header.Element(Lps + "ContexteLPS")!;
        var body = envelope.Element(Soap + "Body")!.Elements().Single();
        AssertValid(bam);
        AssertValid(lps);
        AssertValid(body);

        Assert.Equal("01_02", (string?)bam.Attribute("Version"));
        Assert.Equal([Bam + "Id", Bam + "Temps", Bam + "COUVERTURE"], bam.Elements().Select(e => e.Name));
        Assert.True(Guid.TryParse(bam.Element(Bam + "Id")!.Value, out _));
        Assert.Equal("2026-03-14T08:26:53.589Z", bam.Element(Bam + "Temps")!.Value);
        Assert.Empty(bam.Element(Bam + "COUVERTURE")!.Elements());

        Assert.Equal("01_00", (string?)lps.Attribute("Version"));
        Assert.Equal("CTXLPS", (string?)lps.Attribute("Nature"));
        var software = lps.Element(Lps + "LPS")!;
        Assert.Equal([Lps + "IDAM", Lps + "Version", Lps + "Instance", Lps + "Nom"], software.Elements().Select(e => e.Name));
        Assert.Equal(options.SoftwareAuthorisationNumber, software.Element(Lps + "IDAM")!.Value);
        Assert.Equal("4", (string?)software.Element(Lps + "IDAM")!.Attribute("R"));
        Assert.Equal(options.SoftwareVersion, software.Element(Lps + "Version")!.Value);
        Assert.Equal(options.InstallationId, software.Element(Lps + "Instance")!.Value);
        Assert.Equal(options.SoftwareName, software.Element(Lps + "Nom")!.Value);

        Assert.Equal(InsiContract.SearchByTraitsAction, header.Element(Wsa + "Action")!.Value);
        var messageId = header.Element(Wsa + "MessageID")!.Value;
        Assert.StartsWith("uuid:", messageId, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(messageId["uuid:".Length..], out _));

        Assert.Equal(RecSans + "RECSANSVITALE", body.Name);
        Assert.Equal(["NomNaissance", "Prenom", "Sexe", "DateNaissance"], body.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(["ADRUN", "ZOE", "F", "1975-12-31"], body.Elements().Select(e => e.Value));
    }

    [Fact]
    public async Task TraitsSearch_ContentType_IsSoap12WithTheAction()
    {
        var (request, _) = await CaptureAsync(c => c.SearchByTraitsAsync(TestSetup.Traits("ADRUN", "ZOE", 'F', "1975-12-31")));

        var contentType = MediaTypeHeaderValue.Parse(request.ContentType!);
        Assert.Equal("application/soap+xml", contentType.MediaType);
        Assert.Equal("utf-8", contentType.CharSet);
        Assert.Contains(contentType.Parameters, p => p.Name == "action" && p.Value == "\"" + InsiContract.SearchByTraitsAction + "\"");
        Assert.False(request.Body.AsSpan().StartsWith(Encoding.UTF8.Preamble), "no byte order mark");
    }

    [Fact]
    public async Task Emitter_WhenConfigured_IsSentInBothContexts()
    {
        var (request, _) = await CaptureAsync(c => c.SearchByTraitsAsync(TestSetup.Traits("ADRUN", "ZOE", 'F', "1975-12-31")), o => o.Emitter = "10B0152872");

        var header = Parse(request.Body).Root!.Element(Soap + "Header")!;
        var bam = header.Element(Bam + "ContexteBAM")!;
        var lps = header.Element(Lps + "ContexteLPS")!;
        AssertValid(bam);
        AssertValid(lps);
        Assert.Equal("10B0152872", bam.Element(Bam + "Emetteur")!.Value);
        Assert.Equal("10B0152872", lps.Element(Lps + "Emetteur")!.Value);
    }

    [Fact]
    public async Task NarrowedSearch_SendsTheBirthPlaceLast()
    {
        var requests = await CaptureAllAsync(
            "REP_CR01.xml",
            c => c.SearchByTraitsAsync(TestSetup.Traits("DUPLIQUE", "MARIE", 'F', "1950-05-05", "75056")),
            severalFirst: true);

        var narrowed = Parse(requests[1].Body).Root!.Element(Soap + "Body")!.Elements().Single();
        AssertValid(narrowed);
        Assert.Equal(["NomNaissance", "Prenom", "Sexe", "DateNaissance", "LieuNaissance"], narrowed.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("75056", narrowed.Element(RecSans + "LieuNaissance")!.Value);
    }

    [Fact]
    public async Task JoinedCall_SendsAllFirstNamesInOnePrenom()
    {
        var requests = await CaptureAllAsync("REP_CR01.xml", c => c.SearchByTraitsAsync(TestSetup.Traits("HOUILLES", "PIERRE PAUL JACQUES", 'M', "1993-01-27")));

        var sent = requests.Select(r => Parse(r.Body).Root!.Element(Soap + "Body")!.Elements().Single().Elements(RecSans + "Prenom").Single().Value);
        Assert.Equal(["PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"], sent);
        Assert.Equal(4, requests.Select(r => Parse(r.Body).Root!.Element(Soap + "Header")!.Element(Wsa + "MessageID")!.Value).Distinct().Count());
    }

    [Fact]
    public async Task VitaleSearch_Envelope_MatchesTheXsds_WithCardDataAndAssertion()
    {
        var coverage = new InsiCardCoverage("01", "631", "0000", new InsiMatricule("1100863220830", "60"), new InsiMatricule("1100863220830", "60"), "2010-08-07", 1);
        var query = new InsiVitaleQuery(new InsiMatricule("1100863220830", "60"), new InsiMatricule("1100863220830", "60"), "NESSI", "2010-08-07", "1", coverage,
            """<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="a1"/>""");

        var (request, _) = await CaptureAsync(c => c.SearchWithVitaleAsync(query));

        var envelope = Parse(request.Body).Root!;
        var header = envelope.Element(Soap + "Header")!;
        Assert.Equal(
            [XName.Get("Security", InsiContract.WsSecurityNamespace), Bam + "ContexteBAM", Lps + "ContexteLPS", Wsa + "Action", Wsa + "MessageID"],
            header.Elements().Select(e => e.Name));
        Assert.Equal("Assertion", header.Elements().First().Elements().Single().Name.LocalName);
        var bam = header.Element(Bam + "ContexteBAM")!;
        AssertValid(bam);
        Assert.Equal(["GrandRegime", "Organisme", "CodeCentre", "ASSURE", "BENEFICIAIRE"], bam.Element(Bam + "COUVERTURE")!.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(InsiContract.SearchWithVitaleAction, header.Element(Wsa + "Action")!.Value);

        var body = envelope.Element(Soap + "Body")!.Elements().Single();
        AssertValid(body);
        Assert.Equal(RecVit + "RECVITALE", body.Name);
        Assert.Equal(["MatriculeIndividu", "MatriculeOD", "NomNaissance", "DateNaissance", "RangNaissance"], body.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public async Task Verification_Envelope_HasTheConfirmedHeaders_AndTheAssumedBody()
    {
        var query = new InsiVerificationQuery("2360663220836", "56", InsiContract.OidNir, "TCHITCHI", ["CATARINA", "BELLA"], 'F', "1936-06-21", "63220");

        var (request, options) = await CaptureAsync(c => c.VerifyAsync(query));

        var envelope = Parse(request.Body).Root!;
        var header = envelope.Element(Soap + "Header")!;
        AssertValid(header.Element(Bam + "ContexteBAM")!);
        AssertValid(header.Element(Lps + "ContexteLPS")!);
        Assert.Equal(options.VerificationAction, header.Element(Wsa + "Action")!.Value);
        var body = envelope.Element(Soap + "Body")!.Elements().Single();
        Assert.Equal(XName.Get(InsiVerificationContract.BodyElement, options.VerificationNamespace), body.Name);
        Assert.Equal(["INSFourni", "NomNaissance", "Prenom", "Prenom", "Sexe", "DateNaissance", "LieuNaissance"], body.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(["NumIdentifiant", "Cle", "OID"], body.Elements().First().Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public void SchemaCheck_RejectsOutOfOrderOrMissingElements()
    {
        var misordered = new XElement(RecSans + "RECSANSVITALE", new XElement(RecSans + "Sexe", "F"), new XElement(RecSans + "NomNaissance", "ADRUN"));
        var withoutCoverage = new XElement(Bam + "ContexteBAM", new XAttribute("Version", "01_02"), new XElement(Bam + "Id", "x"), new XElement(Bam + "Temps", "2026-01-01T00:00:00Z"));
        var unknown = new XElement(XName.Get("RECSANSVITALE", "urn:other"));

        Assert.NotEmpty(SchemaProblems(misordered));
        Assert.NotEmpty(SchemaProblems(withoutCoverage));
        Assert.NotEmpty(SchemaProblems(unknown));
    }

    private static async Task<(RecordedRequest Request, InsiOptions Options)> CaptureAsync<T>(
        Func<InsiClient, Task<InsiResult<T>>> call, Action<InsiOptions>? configure = null)
        where T : class
    {
        await using var server = await LoopbackServer.ForCannedAsync(200, TestSetup.Answer("REP_CR01.xml"));
        var options = TestSetup.Options(server.Endpoint);
        configure?.Invoke(options);
        var (client, http) = TestSetup.Client(options, time: new FixedTime(Now));
        using var _ = http;
        await call(client);
        return (server.Requests.First(), options);
    }

    private static async Task<IReadOnlyList<RecordedRequest>> CaptureAllAsync(
        string answer, Func<InsiClient, Task<InsiResult<InsiSearchOutcome>>> call, bool severalFirst = false)
    {
        var several = Encoding.UTF8.GetBytes(
            """<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><S:Body xmlns:S="http://www.w3.org/2003/05/soap-envelope"><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>02</CodeCR><LibelleCR>Plusieurs identites trouvees</LibelleCR></CR></RESULTAT></S:Body></soap:Envelope>""");
        var body = TestSetup.Answer(answer);
        await using var server = await LoopbackServer.StartAsync((context, _, number) =>
            LoopbackServer.WriteAsync(context, 200, "application/soap+xml", severalFirst && number == 1 ? several : body));
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint));
        using var _ = http;
        await call(client);
        return server.Requests;
    }

    private static XDocument Parse(byte[] body) => XDocument.Load(new MemoryStream(body));

    private static void AssertValid(XElement element) => ContractSchemas.AssertValid(element);

    private static List<string> SchemaProblems(XElement element) => ContractSchemas.Problems(element);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
