using System.Xml.Linq;
using IdentityRef.Insi.Tests.Support;

namespace IdentityRef.Insi.Tests;

/// <summary>The simulator's answers obey the same XSDs as the real service's.</summary>
public sealed class SimulatorContractTests
{
    private static readonly XNamespace Soap = InsiContract.SoapEnvelopeNamespace;

    [Theory]
    [InlineData("ECETINSI", "PIERRE-ALAIN", 'M', "2009-07-14", "00")]
    [InlineData("CORSE", "ANTHONY", 'M', "1980-03-02", "00")]
    [InlineData("HOUILLES", "PIERRE", 'M', "1993-01-27", "01")]
    [InlineData("DUPLIQUE", "MARIE", 'F', "1950-05-05", "02")]
    public void Resultat_IsValidAgainstTheResultatXsd(string birthName, string firstName, char sex, string birthDate, string code)
    {
        var response = TestSetup.Simulator().Handle(Request(birthName, firstName, sex, birthDate), "application/soap+xml; charset=utf-8");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/soap+xml; charset=utf-8", response.ContentType);
        var resultat = Payload(response.Body);
        ContractSchemas.AssertValid(resultat);
        Assert.Equal(code, resultat.Descendants(XName.Get("CodeCR", InsiContract.ResultatNamespace)).Single().Value);
    }

    [Fact]
    public void Fault_DetailIsValidAgainstTheFaultXsd()
    {
        var response = TestSetup.Simulator().Handle(Request("ADRUN", "ZOE", 'X', "1975-12-31"), "application/soap+xml");

        Assert.Equal(500, response.StatusCode);
        var fault = Payload(response.Body);
        Assert.Equal(Soap + "Fault", fault.Name);
        var erreur = fault.Element(Soap + "Detail")!.Elements().Single();
        ContractSchemas.AssertValid(erreur);
        Assert.Equal("insi_24", (string?)erreur.Attribute("code"));
        Assert.Equal("uuid:0b5c1f7e-2d3a-4c55-9a8e-6f1d2c3b4a59", (string?)erreur.Attribute("messageID"));
    }

    private static XElement Payload(byte[] body) => XDocument.Load(new MemoryStream(body)).Root!.Element(Soap + "Body")!.Elements().Single();

    private static string Request(string birthName, string firstName, char sex, string birthDate) => $"""
        <soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ctxlps="urn:siram:lps:ctxlps" xmlns:wsa="http://www.w3.org/2005/08/addressing">
          <soap:Header>
            <ctxlps:ContexteLPS Nature="CTXLPS" Version="01_00"><ctxlps:Id>1</ctxlps:Id><ctxlps:Temps>2026-01-01T00:00:00Z</ctxlps:Temps>
              <ctxlps:LPS><ctxlps:IDAM R="4">ANY</ctxlps:IDAM><ctxlps:Version>1</ctxlps:Version><ctxlps:Instance>x</ctxlps:Instance><ctxlps:Nom>n</ctxlps:Nom></ctxlps:LPS>
            </ctxlps:ContexteLPS>
            <wsa:Action>{InsiContract.SearchByTraitsAction}</wsa:Action>
            <wsa:MessageID>uuid:0b5c1f7e-2d3a-4c55-9a8e-6f1d2c3b4a59</wsa:MessageID>
          </soap:Header>
          <soap:Body>
            <RECSANSVITALE xmlns="http://www.cnamts.fr/INSiRecSans"><NomNaissance>{birthName}</NomNaissance><Prenom>{firstName}</Prenom><Sexe>{sex}</Sexe><DateNaissance>{birthDate}</DateNaissance></RECSANSVITALE>
          </soap:Body>
        </soap:Envelope>
        """;
}
