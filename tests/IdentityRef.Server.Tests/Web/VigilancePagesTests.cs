using IdentityRef.Application.Security;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The identity vigilance and operations screens over plain HTTP: who may open them, antiforgery, a merge through the form.</summary>
public sealed class VigilancePagesTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    /// <summary>Two records of one person (hyphen variant, day/month inversion), the second confirmed as a known duplicate; returns their IPPs.</summary>
    /// <param name="namePrefix">The start of their birth name: "AAAA" puts them first in the queue sorted by name, whatever
    /// other tests of the shared database queued.</param>
    internal static async Task<(string A, string B)> LookAlikesAsync(HttpClient admin, string namePrefix = "LEFEBVRE")
    {
        var person = new JsonObject
        {
            ["birthName"] = namePrefix + PatientJson.UniqueLetters(), ["firstNames"] = "Jean-Pierre Louis", ["birthDate"] = "1980-03-04", ["sex"] = "M",
            ["birthPlaceCode"] = "75112", ["address"] = "3 rue des Ormes", ["postcode"] = "69003", ["city"] = "Lyon",
        };
        // Other tests of the shared database create people alike: the first record is confirmed too.
        var a = await CreateAsync(admin, person.With("confirmDuplicate", true));
        var b = await CreateAsync(admin, person.With("firstNames", "Jean Pierre Louis").With("birthDate", "1980-04-03").With("confirmDuplicate", true));
        return (a, b);
    }

    /// <summary>The queue item of the pair, after an incremental detection run through the API.</summary>
    internal static async Task<long> DetectedItemAsync(HttpClient admin, string ippA, string ippB)
    {
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/duplicates/detect", null)).StatusCode);
        var items = (await (await admin.GetAsync("/api/duplicates?pageSize=200")).ReadObjectAsync())["items"]!.AsArray();
        var item = items.First(i => new[] { (string)i!["ippA"]!, (string)i["ippB"]! }.Order().SequenceEqual(new[] { ippA, ippB }.Order()));
        return (long)item!["id"]!;
    }

    private static async Task<string> CreateAsync(HttpClient client, JsonObject body)
    {
        var response = await client.PostAsync("/api/patients", body.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    [Fact]
    public async Task Accueil_CannotOpenTheVigilanceNorTheJobsPages_NorSeeThemInTheMenu()
    {
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Accueil, followRedirects: false);
        foreach (var page in new[] { "/identitovigilance", "/identitovigilance/1", "/taches" })
        {
            var response = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/acces-refuse", response.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        }
        var refused = await WebForms.PostAsync(client, "/", new Dictionary<string, string> { ["survivor"] = "1" }, "/identitovigilance/1?handler=Merge");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/acces-refuse", refused.Headers.Location!.AbsolutePath, StringComparison.Ordinal);

        var home = WebUtility.HtmlDecode(await client.GetStringAsync("/"));
        Assert.DoesNotContain("href=\"/identitovigilance\"", home);
        Assert.DoesNotContain("Doublons potentiels ouverts", home);
        Assert.DoesNotContain("Alertes des tâches de fond", home);


    }

    [Fact]
    public async Task Dashboard_ShowsTheOpenPairsToTheVigilanceCell()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await LookAlikesAsync(admin);
        await DetectedItemAsync(admin, a, b);
        var open = 0;
        foreach (var state in new[] { "open", "in-review" })
        {
            open += (int)(await (await admin.GetAsync($"/api/duplicates?state={state}&kind=duplicate")).ReadObjectAsync())["total"]!;
        }
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);

        var home = WebUtility.HtmlDecode(await client.GetStringAsync("/"));

        Assert.Contains("href=\"/identitovigilance\"", home);
        Assert.Matches($"Doublons potentiels ouverts</a></th><td class=\"num\">{open}</td>", home);
        Assert.Contains("Alertes des tâches de fond ouvertes", home);
    }

    [Fact]
    public async Task MergeForm_WithoutAntiforgeryToken_IsRefused_AndMergesNothing()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await LookAlikesAsync(admin);
        var id = await DetectedItemAsync(admin, a, b);
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance, followRedirects: false);

        var response = await client.PostAsync($"/identitovigilance/{id}?handler=Merge", new FormUrlEncodedContent(new Dictionary<string, string> { ["survivor"] = a }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var item = await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync();
        Assert.Equal("open", (string)item["item"]!["state"]!);
    }

    [Fact]
    public async Task MergeForm_KeepsTheChosenSurvivor_ThenUndoRestoresBoth()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await LookAlikesAsync(admin);
        var id = await DetectedItemAsync(admin, a, b);
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);
        var queue = WebUtility.HtmlDecode(await client.GetStringAsync("/identitovigilance"));
        Assert.Contains($"href=\"/identitovigilance/{id}?", queue);
        var pair = WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/{id}"));
        Assert.Contains("Explication du score", pair);
        Assert.Contains("Date de naissance", pair);

        var missing = await WebForms.PostAsync(client, $"/identitovigilance/{id}", new Dictionary<string, string>(), $"/identitovigilance/{id}?handler=Merge");
        Assert.Contains("Choisissez l'identité conservée.", WebUtility.HtmlDecode(await missing.Content.ReadAsStringAsync()));

        var merged = await WebForms.PostAsync(client, $"/identitovigilance/{id}",
            new Dictionary<string, string> { ["survivor"] = b, ["pairTag"] = await WebForms.HiddenAsync(client, $"/identitovigilance/{id}", "pairTag") },
            $"/identitovigilance/{id}?handler=Merge");
        var page = WebUtility.HtmlDecode(await merged.Content.ReadAsStringAsync());
        Assert.Contains($"Fusion faite : l'identité {b} est conservée.", page);
        Assert.Contains("Annuler la fusion", page);
        var gone = await (await admin.GetAsync($"/api/patients/{a}")).ReadObjectAsync();
        Assert.Equal(b, (string)gone["mergedInto"]!);

        var mergeId = (long)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["mergeId"]!;
        var undone = await WebForms.PostAsync(client, $"/identitovigilance/{id}", new Dictionary<string, string>(), $"/identitovigilance/{id}?handler=Undo&merge={mergeId}");
        Assert.Contains("Fusion annulée", WebUtility.HtmlDecode(await undone.Content.ReadAsStringAsync()));
        Assert.True((bool)(await (await admin.GetAsync($"/api/patients/{a}")).ReadObjectAsync())["active"]!);
    }

    [Fact]
    public async Task NotDuplicateForm_ResolvesThePair_AndASecondDecisionShowsTheRuleInFrench()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await LookAlikesAsync(admin);
        var id = await DetectedItemAsync(admin, a, b);
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);
        var review = await WebForms.PostAsync(client, $"/identitovigilance/{id}", new Dictionary<string, string>(), $"/identitovigilance/{id}?handler=Review");
        Assert.Contains("Paire prise en examen.", WebUtility.HtmlDecode(await review.Content.ReadAsStringAsync()));

        var token = await WebForms.TokenAsync(client, $"/identitovigilance/{id}");
        var withoutReason = await client.PostAsync($"/identitovigilance/{id}?handler=NotDuplicate",
            new FormUrlEncodedContent(new Dictionary<string, string> { [WebForms.TokenField] = token, ["comment"] = "  " }));
        Assert.Contains("Indiquez pourquoi ce ne sont pas les mêmes personnes", WebUtility.HtmlDecode(await withoutReason.Content.ReadAsStringAsync()));
        Assert.Equal("in-review", (string)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["state"]!);
        var resolved = await client.PostAsync($"/identitovigilance/{id}?handler=NotDuplicate",
            new FormUrlEncodedContent(new Dictionary<string, string> { [WebForms.TokenField] = token, ["comment"] = "Jumeaux, pièces vues" }));
        Assert.Contains("ce ne sont pas les mêmes personnes", WebUtility.HtmlDecode(await resolved.Content.ReadAsStringAsync()));

        // The same form posted again (a second tab): the rule is shown, not an error page.
        var again = await client.PostAsync($"/identitovigilance/{id}?handler=NotDuplicate",
            new FormUrlEncodedContent(new Dictionary<string, string> { [WebForms.TokenField] = token, ["comment"] = "Jumeaux, pièces vues" }));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Cette paire a déjà été traitée.", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()));
    }
}
