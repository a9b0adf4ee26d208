using System.Text;
using IdentityRef.Insi.Tests.Support;

namespace IdentityRef.Insi.Tests.Review;

/// <summary>Adversarial review of the INSi adapter: answers that break the contract must end as a typed error, never as an INS.</summary>
public sealed class InsiAdapterReviewTests
{
    private static readonly InsiTraitsQuery Provisoire = TestSetup.Traits("PROVISOIRE", "MATRICULE", 'M', "2009-07-01");

    // INSi_RESULTAT_INS.xsd gives every one of these maxOccurs="1". docs/insi.md: "Cardinalities are the XSD's and are checked,
    // never 'the first one'". Today only INDIVIDU, INSACTIF and TIQ are counted: a second IdIndividu / NumIdentifiant / OID in
    // INSACTIF, a second birth name, sex or birth date in TIQ, a second CodeCR, is silently ignored and the first one becomes the
    // identity's INS or traits.
    [Theory]
    [InlineData("<IdIndividu><NumIdentifiant>1090763220888</NumIdentifiant><Cle>35</Cle></IdIndividu>",
        "<IdIndividu><NumIdentifiant>2090763220888</NumIdentifiant><Cle>62</Cle></IdIndividu>")]
    [InlineData("<NumIdentifiant>1090763220888</NumIdentifiant>", "<NumIdentifiant>2090763220888</NumIdentifiant>")]
    [InlineData("<Cle>35</Cle>", "<Cle>62</Cle>")]
    [InlineData("<OID>1.2.250.1.213.1.4.9</OID>", "<OID>1.2.250.1.213.1.4.8</OID>")]
    [InlineData("<NomNaissance>PROVISOIRE</NomNaissance>", "<NomNaissance>AUTRE</NomNaissance>")]
    [InlineData("<Sexe>M</Sexe>", "<Sexe>F</Sexe>")]
    [InlineData("<DateNaissance>2009-07-01</DateNaissance>", "<DateNaissance>1950-01-01</DateNaissance>")]
    [InlineData("<CodeCR>00</CodeCR>", "<CodeCR>01</CodeCR>")]
    public async Task FoundAnswer_WithASingleValuedElementTwice_IsMalformed_NotTheFirstOne(string first, string second)
    {
        var real = Encoding.UTF8.GetString(TestSetup.Answer("TEST_2.05.xml"));
        Assert.Contains(first, real, StringComparison.Ordinal);
        var body = real.Replace(first, first + second, StringComparison.Ordinal);

        await using var server = await LoopbackServer.ForCannedAsync(200, Encoding.UTF8.GetBytes(body));
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint));
        using var _ = http;
        var result = await client.SearchByTraitsAsync(Provisoire);

        Assert.Null(result.Value);
        Assert.IsType<InsiMalformedAnswerError>(result.Error);
    }
}
