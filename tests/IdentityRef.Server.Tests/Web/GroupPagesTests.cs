using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Duplicates;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The cell's group screens (<c>/identitovigilance/groupes</c>) through real HTTP: browse by group, merge a group, split it.</summary>
public sealed class GroupPagesTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    private static string Version(string html) => WebUtility.HtmlDecode(Regex.Match(html, "name=\"version\" value=\"([^\"]+)\"").Groups[1].Value);

    [Fact]
    public async Task TheListShowsTheGroupOfThree_TheGroupPageMergesItIntoOneSurvivor()
    {
        var t = await DuplicateGroupTests.TriangleAsync(Factory.CreateClient());
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);
        var key = new[] { t.AB, t.AC, t.BC }.Min();

        var list = WebUtility.HtmlDecode(await client.GetStringAsync("/identitovigilance/groupes?taille=3"));
        Assert.Contains($"Groupe n° {key}</a>", list);
        Assert.Contains("3 dossiers, 3 paires", list);
        Assert.Contains("Lien le plus faible", list);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/groupes/{t.BC}"));
        Assert.Contains($"Groupe n° {key} — 3 dossiers", page);
        foreach (var ipp in new[] { t.A, t.B, t.C })
        {
            Assert.Contains($"IPP {ipp}", page);
        }

        var merged = await WebForms.PostAsync(client, $"/identitovigilance/groupes/{t.BC}",
            new Dictionary<string, string> { ["survivor"] = t.B, ["version"] = Version(page), ["comment"] = "même personne" }, $"/identitovigilance/groupes/{t.BC}?handler=Merge");
        var done = WebUtility.HtmlDecode(await merged.Content.ReadAsStringAsync());

        Assert.Contains($"dans l'identité {t.B}, une fusion par dossier", done);
        var api = Factory.CreateClient();
        foreach (var ipp in new[] { t.A, t.C })
        {
            Assert.Equal(t.B, (string)(await (await api.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["mergedInto"]!);
        }
        var gone = await client.GetAsync($"/identitovigilance/groupes/{t.BC}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("Groupe introuvable", WebUtility.HtmlDecode(await gone.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task AStalePage_IsRefusedInFrench_AndNothingIsMerged_APairDeclaredNotADuplicateSplitsTheGroup()
    {
        var api = Factory.CreateClient();
        var t = await DuplicateGroupTests.TriangleAsync(api);
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/groupes/{t.AB}"));

        // Another member of the cell declares A–C not a duplicate meanwhile, from the group page.
        var other = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);
        var noReason = await WebForms.PostAsync(other, $"/identitovigilance/groupes/{t.AB}", new Dictionary<string, string> { ["item"] = t.AC.ToString() },
            $"/identitovigilance/groupes/{t.AB}?handler=NotDuplicate");
        Assert.Contains("Indiquez pourquoi ce ne sont pas les mêmes personnes", WebUtility.HtmlDecode(await noReason.Content.ReadAsStringAsync()));
        var split = await WebForms.PostAsync(other, $"/identitovigilance/groupes/{t.AB}",
            new Dictionary<string, string> { ["item"] = t.AC.ToString(), ["comment"] = "frères jumeaux" }, $"/identitovigilance/groupes/{t.AB}?handler=NotDuplicate");
        var after = WebUtility.HtmlDecode(await split.Content.ReadAsStringAsync());
        Assert.Contains($"Paire n° {t.AC} classée", after);
        // A and B still hang together through C; the page says the pair A–C forbids merging the whole group.
        Assert.Contains("Fusion du groupe impossible", after);

        var stale = await WebForms.PostAsync(client, $"/identitovigilance/groupes/{t.AB}",
            new Dictionary<string, string> { ["survivor"] = t.A, ["version"] = Version(page) }, $"/identitovigilance/groupes/{t.AB}?handler=Merge");
        var refused = WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync());
        Assert.Contains("Le groupe a changé depuis son affichage", refused);
        var fresh = await WebForms.PostAsync(client, $"/identitovigilance/groupes/{t.AB}",
            new Dictionary<string, string> { ["survivor"] = t.A, ["version"] = Version(refused) }, $"/identitovigilance/groupes/{t.AB}?handler=Merge");
        Assert.Contains($"Paire en cause : identités", WebUtility.HtmlDecode(await fresh.Content.ReadAsStringAsync()));
        foreach (var ipp in new[] { t.A, t.B, t.C })
        {
            Assert.True((bool)(await (await api.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["active"]!);
        }

        // B–C declared not a duplicate too: C leaves, A and B are a group of two.
        await WebForms.PostAsync(client, $"/identitovigilance/groupes/{t.AB}",
            new Dictionary<string, string> { ["item"] = t.BC.ToString(), ["comment"] = "frères jumeaux" }, $"/identitovigilance/groupes/{t.AB}?handler=NotDuplicate");
        var two = WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/groupes/{t.AB}"));
        Assert.Contains("— 2 dossiers", two);
        Assert.DoesNotContain($"IPP {t.C}", two);
    }
}
