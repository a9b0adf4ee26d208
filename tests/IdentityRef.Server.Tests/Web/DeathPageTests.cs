using System.Net;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The date of death on the correction form (Identites/Modifier) and on the identity's page (Fiche).</summary>
public sealed class DeathPageTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    [Fact]
    public async Task TheCorrectionForm_RecordsTheDeath_ShownOnTheFiche_AndADeathBeforeBirthIsShownNextToTheField()
    {
        var client = Factory.CreateAnonymousClient();
        await WebForms.SignInAsync(client, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        var ipp = (string)(await (await Factory.CreateClient().PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadObjectAsync())["ipp"]!;
        Assert.Contains("name=\"deathDate\"", await client.GetStringAsync($"/identites/{ipp}/modifier"));
        Assert.DoesNotContain("Date de décès", WebUtility.HtmlDecode(await client.GetStringAsync($"/identites/{ipp}")));

        var fields = new Dictionary<string, string>
        {
            ["version"] = "1", ["birthName"] = "Martin", ["firstNames"] = "Jean-Pierre Marie", ["birthDate"] = "1975-04-12", ["sex"] = "M",
            ["deathDate"] = "1970-05-01",
        };
        var refused = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, $"/identites/{ipp}/modifier", fields)).Content.ReadAsStringAsync());
        Assert.Contains("deathDate-erreur", refused);
        Assert.Contains("La date de décès ne peut pas précéder la date de naissance.", refused);
        Assert.Null((await (await Factory.CreateClient().GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["deathDate"]);

        fields["deathDate"] = "15/03/2024"; // as the desk types dates
        var saved = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, $"/identites/{ipp}/modifier", fields)).Content.ReadAsStringAsync());
        Assert.Contains("Corrections enregistrées.", saved);
        Assert.Contains("<dt>Date de décès</dt><dd id=\"deces\">15/03/2024</dd>", saved);
        Assert.Equal("2024-03-15", (string)(await (await Factory.CreateClient().GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["deathDate"]!);
    }
}
