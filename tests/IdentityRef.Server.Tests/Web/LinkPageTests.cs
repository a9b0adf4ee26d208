using IdentityRef.Application.Security;
using System.Net;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The link/unlink form of the pair page (Vigilance/Paire): linking resolves the pair, unlinking puts it back in the queue.</summary>
public sealed class LinkPageTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    [Fact]
    public async Task LinkForm_LinksThePair_ThenUnlinkPutsItBack_AndAStaleUnlinkShowsTheRuleInFrench()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin);
        var id = await VigilancePagesTests.DetectedItemAsync(admin, a, b);
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);
        var page = WebUtility.HtmlDecode(await (await client.GetAsync($"/identitovigilance/{id}")).Content.ReadAsStringAsync());
        Assert.Contains("Lier (même personne, ne pas fusionner)", page);

        var staleToken = await WebForms.TokenAsync(client, $"/identitovigilance/{id}");
        var linked = await WebForms.PostAsync(client, $"/identitovigilance/{id}", new Dictionary<string, string>(), $"/identitovigilance/{id}?handler=Link");
        var text = WebUtility.HtmlDecode(await linked.Content.ReadAsStringAsync());
        Assert.Contains("Paire liée", text);
        Assert.Contains("décision : <strong>liées</strong>", text);
        Assert.Contains(">Délier<", text);

        var unlinked = await WebForms.PostAsync(client, $"/identitovigilance/{id}", new Dictionary<string, string>(), $"/identitovigilance/{id}?handler=Unlink");
        Assert.Contains("Lien supprimé", WebUtility.HtmlDecode(await unlinked.Content.ReadAsStringAsync()));
        Assert.Equal("open", (string)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["state"]!);

        // the unlink form of a second tab, posted once the pair is no longer linked: the rule, not an error page
        var again = await client.PostAsync($"/identitovigilance/{id}?handler=Unlink",
            new FormUrlEncodedContent(new Dictionary<string, string> { [WebForms.TokenField] = staleToken }));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Cette paire n'est pas liée", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()));
    }
}
