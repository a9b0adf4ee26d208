using System.Text;
using System.Xml.Linq;
using IdentityRef.Insi.Simulator;
using IdentityRef.Insi.Tests.Support;

namespace IdentityRef.Insi.Tests;

/// <summary>
/// The simulator's modes that exercise the server's safety rules, over real HTTP: a "try later" fault (transient: retried
/// by the client, then left to the retry job), answers under the test authority's OID, and the card data a carte Vitale
/// search must carry.
/// </summary>
public sealed class SimulatorPlaysFaultsTests
{
    private static InsiSimulator Simulator(string? faultCode = null, string? answerOid = null) => InsiSimulator.FromOptions(new InsiSimulatorOptions
    {
        DataPath = TestSetup.DataFile,
        FaultCode = faultCode,
        AnswerOid = answerOid,
    });

    [Theory]
    [InlineData("insi_102")]
    [InlineData("siram_40")]
    public async Task ServiceTemporarilyUnavailable_IsATransientFault_RetriedByTheClient(string code)
    {
        await using var server = await LoopbackServer.ForSimulatorAsync(Simulator(faultCode: code));
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint, retryCount: 2));
        using var _ = http;

        var result = await client.SearchByTraitsAsync(TestSetup.Traits("ADRUN", "ZOE", 'F', "1975-12-31"));

        var fault = Assert.IsType<InsiFaultError>(result.Error);
        Assert.Equal(code, fault.Code);
        Assert.True(fault.IsTransient);
        Assert.Equal(3, result.HttpAttempts); // the first try and two retries
    }

    [Fact]
    public async Task RefusalFault_IsNotTransient_NeverRetried()
    {
        await using var server = await LoopbackServer.ForSimulatorAsync(Simulator(faultCode: "insi_24"));
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint, retryCount: 2));
        using var _ = http;

        var result = await client.SearchByTraitsAsync(TestSetup.Traits("ADRUN", "ZOE", 'F', "1975-12-31"));

        Assert.False(Assert.IsType<InsiFaultError>(result.Error).IsTransient);
        Assert.Equal(1, result.HttpAttempts);
    }

    [Fact]
    public async Task AnswerOid_PutsTheTestAuthorityOnEveryNir_ButNotOnANia()
    {
        await using var server = await LoopbackServer.ForSimulatorAsync(Simulator(answerOid: "1.2.250.1.213.1.4.10"));
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint));
        using var _ = http;

        var nir = await client.SearchByTraitsAsync(TestSetup.Traits("ADRUN", "ZOE", 'F', "1975-12-31"));
        var nia = await client.SearchByTraitsAsync(TestSetup.Traits("PROVISOIRE", "MATRICULE", 'M', "2009-07-01"));

        Assert.Equal("1.2.250.1.213.1.4.10", nir.Value!.Individual!.ActiveIns.Oid);
        Assert.Equal("1.2.250.1.213.1.4.9", nia.Value!.Individual!.ActiveIns.Oid);
    }

    [Fact]
    public async Task VitaleSearch_WithoutCardDataInContexteBam_IsRefusedByTheSimulator()
    {
        // The adapter refuses to omit the card data: capture the envelope it sends, strip the card data, replay it.
        byte[]? sent = null;
        await using var capture = await LoopbackServer.StartAsync(async (context, body, _) =>
        {
            sent = body;
            await LoopbackServer.WriteAsync(context, 500, null, []);
        });
        var (client, http) = TestSetup.Client(TestSetup.Options(capture.Endpoint, retryCount: 0));
        using var _ = http;
        var card = new InsiCardCoverage(InsuredNir: new InsiMatricule("1100863220830", "60"), BeneficiaryNir: new InsiMatricule("1100863220830", "60"), BeneficiaryRank: 1);
        await client.SearchWithVitaleAsync(new InsiVitaleQuery(new InsiMatricule("1100863220830", "60"), null, "NESSI", "2010-08-07", "1", card));
        var simulator = Simulator();
        Assert.Contains("<RESULTAT", simulator.Handle(sent!, InsiContract.SoapMediaType).BodyText, StringComparison.Ordinal);

        var document = XDocument.Load(new MemoryStream(sent!));
        XNamespace bam = InsiContract.ContexteBamNamespace;
        document.Descendants(bam + "COUVERTURE").Single().RemoveNodes();
        var answer = simulator.Handle(Encoding.UTF8.GetBytes(document.ToString()), InsiContract.SoapMediaType);

        Assert.Contains("simulateur_carte", answer.BodyText, StringComparison.Ordinal);
    }
}
