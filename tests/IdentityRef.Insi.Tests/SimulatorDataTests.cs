using System.Text;
using IdentityRef.Insi.Simulator;
using IdentityRef.Insi.Tests.Support;

namespace IdentityRef.Insi.Tests;

public sealed class SimulatorDataTests
{
    [Fact]
    public void DataFile_HoldsThePublicTestIdentities_AndNoHouilles()
    {
        var identities = SimulatedIdentityFile.Load(TestSetup.DataFile);

        var names = identities.Where(i => !i.Generated).Select(i => $"{i.BirthName} {i.FirstFirstName}").ToList();
        Assert.Contains("ADRUN ZOE", names);
        Assert.Contains("ECETINSI PIERRE-ALAIN", names);
        Assert.Contains("TCHITCHI CATARINA", names);
        Assert.DoesNotContain(identities, i => i.BirthName == "HOUILLES");
    }

    [Fact]
    public void GeneratedIdentities_HaveValidKeys()
    {
        var generated = SimulatedIdentityFile.Load(TestSetup.DataFile).Where(i => i.Generated).ToList();

        Assert.NotEmpty(generated);
        Assert.All(generated, identity => Assert.Equal(ExpectedKey(identity.Ins.Matricule), identity.Ins.Key));
    }

    [Fact]
    public void MissingDataFile_FailsAtStartup()
    {
        Assert.Throws<FileNotFoundException>(() => InsiSimulator.FromOptions(new InsiSimulatorOptions { DataPath = "no/such/file.json" }));
    }

    [Fact]
    public void DataFileWithABadSex_IsRejected()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"identities":[{"birthName":"X","firstNames":"Y","sex":"U","birthDate":"2000-01-01","birthPlace":"63220","ins":{"matricule":"1000163220001","key":"01","oid":"1.2.250.1.213.1.4.8"}}]}""");

            Assert.Throws<InvalidDataException>(() => SimulatedIdentityFile.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Soap11ContentType_IsRefusedWith415()
    {
        var simulator = TestSetup.Simulator();

        var response = simulator.Handle("<x/>", "text/xml; charset=utf-8");

        Assert.Equal(415, response.StatusCode);
    }

    [Fact]
    public void NotWellFormedRequest_GetsASoapFault()
    {
        var simulator = TestSetup.Simulator();

        var response = simulator.Handle("<soap:Envelope", "application/soap+xml");

        Assert.Equal(500, response.StatusCode);
        var (answer, error) = InsiAnswerParser.Parse(response.StatusCode, response.Body);
        Assert.Null(answer);
        Assert.Equal("simulateur_requete", Assert.IsType<InsiFaultError>(error).Code);
    }

    [Fact]
    public void MissingSoftwareNumber_GetsDesir550_ShapedLikeTheRealFault()
    {
        var simulator = TestSetup.Simulator();
        var request = """
            <soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header>
            <wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite</wsa:Action>
            </soap:Header><soap:Body><RECSANSVITALE xmlns="http://www.cnamts.fr/INSiRecSans"/></soap:Body></soap:Envelope>
            """;

        var response = simulator.Handle(request, "application/soap+xml; charset=utf-8");

        var real = InsiAnswerParser.Parse(500, TestSetup.Answer("FAULT_siram_100_desir_550.xml")).Error as InsiFaultError;
        var simulated = InsiAnswerParser.Parse(response.StatusCode, response.Body).Error as InsiFaultError;
        Assert.NotNull(real);
        Assert.Equal(real with { }, simulated);
    }

    private static string ExpectedKey(string matricule)
    {
        var digits = matricule.Replace("2A", "19", StringComparison.Ordinal).Replace("2B", "18", StringComparison.Ordinal);
        return (97 - (long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) % 97)).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
    }
}
