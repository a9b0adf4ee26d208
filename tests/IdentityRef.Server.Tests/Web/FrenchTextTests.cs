using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Merges;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// No English and no raw code on a screen: each page below is rendered with seeded data (an identity qualified through
/// INSi and a passport, one merged into another, one with an INSi answer awaiting a decision, another system's
/// identifier, accounts) and its visible text (and the titles, labels and placeholders a screen reader reads) must hold
/// none of <see cref="EnglishWords"/> and none of <see cref="RawCodes"/>. Text inside <c>&lt;code&gt;</c> (commands,
/// settings) is checked for raw codes only.
/// <para>
/// To check a page: add its address to <see cref="DeskPages"/> (admission desk and accounts) or to
/// <see cref="CellPages"/> (vigilance cell, operations, integration), then remove it from <see cref="NotCheckedYet"/>;
/// <see cref="EveryPageOfTheApp_IsCheckedOrListedAsNotYet"/> fails for a page in neither. Seeded values are in
/// <see cref="Seed"/> (<c>{ipp}</c>, <c>{qualified}</c>, <c>{merged}</c>, <c>{pending}</c> in an address are replaced).
/// </para>
/// </summary>
public sealed partial class FrenchTextTests(Databases databases) : IClassFixture<Databases>
{
    /// <summary>The admission desk's pages and the accounts (GET), by address.</summary>
    public static readonly string[] DeskPages =
    [
        "/identites",
        "/identites?q=adrtrois",
        "/identites?q=adrtrois+dominique+26/02/1997",
        "/identites?q={qualified}",
        "/identites?q=dupond+31/02/1980",
        "/identites?birthName=adrtrois&birthDate=26/02/1997",
        "/identites/nouvelle",
        "/identites/{qualified}",
        "/identites/{merged}",
        "/identites/{survivor}",
        "/identites/{qualified}/modifier",
        "/identites/{qualified}/qualification",
        "/identites/{pending}/qualification",
        "/identites/999999999",
        "/comptes",
        "/mot-de-passe",
        "/connexion",
        "/acces-refuse",
        "/erreur/404",
        "/erreur/500",
        "/cette-adresse-n-existe-pas",
    ];

    /// <summary>The vigilance cell's, operations' and integration's pages: the engineer who translates one adds it here.</summary>
    public static readonly string[] CellPages =
    [
        "/",
        "/identitovigilance",
        "/identitovigilance?state=&classe=possible&age=7j&attribue=moi&tri=nom",
        "/identitovigilance/groupes",
        "/signalements",
        "/taches",
        "/messages",
        "/messages?ipp={qualified}&evenement=A31",
        "/abonnements",
    ];

    /// <summary>Page routes not checked yet (English or raw codes still on them, or no seeded address yet): empty this list.</summary>
    public static readonly string[] NotCheckedYet =
    [
        "/identitovigilance/{id}", // checked with seeded pairs by FrenchTextCellTests, as the ones below
        "/identitovigilance/groupes/{id}",
        "/messages/{id}",
        "/tableau-de-bord.csv",
        "/tableau-de-bord/liste/{liste}",
        "/tableau-de-bord/{impression}",
        "/abonnements/edition/{id}",
        "/connexion/psc",
        "/connexion/psc/bienvenue",
        "/connexion/psc/echec",
        "/connexion/psc/inconnu",
        "/deconnexion",
    ];

    /// <summary>English words that have no place on a French screen (whole words, any case).</summary>
    public static readonly string[] EnglishWords =
    [
        "the", "and", "with", "from", "this", "that", "not", "found", "error", "expected", "invalid", "required", "must", "should",
        "cannot", "please", "click", "submit", "save", "cancel", "delete", "edit", "back", "next", "previous", "search", "pending",
        "failed", "success", "true", "false", "null", "none", "unknown", "duplicate", "merged", "undone", "identity", "password",
        "user", "account", "settings", "loading", "exception", "forbidden", "internal", "request", "reason", "used", "weight",
        "yes", "no", "open", "resolved", "review", "created", "updated", "imported",
    ];

    /// <summary>Codes that must be said in words: audit actions, booleans, internal ids.</summary>
    public static readonly string[] RawCodes = ["identity.", "insi.", "account.", "query.", "work-item.", "duplicate.", "document.checked", "ins.withdrawn", "→ false", "→ true"];

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex(@"\b(True|False)\b")]
    private static partial Regex DotNetBoolean();

    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    private sealed record Seeded(string Qualified, string Merged, string Survivor, string Pending);

    private static Seeded? _seeded;

    /// <summary>The data the pages show, seeded once per run through the API and the application's services.</summary>
    private async Task<Seeded> Seed()
    {
        if (_seeded is { } done && await IdentityExistsAsync(done.Qualified))
        {
            return done;
        }
        var api = Factory.CreateClient();
        async Task<string> CreateAsync(JsonObject body) =>
            (string)(await (await api.PostAsync("/api/patients", body.With("confirmDuplicate", true).Content())).ReadObjectAsync())["ipp"]!;
        var qualified = await CreateAsync(new JsonObject
        {
            ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F", ["birthPlaceCode"] = "2A020", ["usedName"] = "Martin",
        });
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/patients/{qualified}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/patients/{qualified}/insi/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/patients/{qualified}/documents",
            new JsonObject { ["type"] = "PA", ["expires"] = Factory.Today.AddYears(4).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }.Content())).StatusCode);
        var pending = await CreateAsync(new JsonObject
        {
            ["birthName"] = "Adrtrois", ["firstNames"] = "Toussaint", ["birthDate"] = "1960-01-01", ["sex"] = "M", ["birthPlaceCode"] = "2B020",
        });
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/patients/{pending}/insi/search", null)).StatusCode);
        var survivor = await CreateAsync(PatientJson.Valid("DUPONT").With("birthDate", "1980-00-12"));
        var merged = await CreateAsync(PatientJson.Valid("DUPOND").With("birthDate", "1980-00-12"));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var id = (await db.Identities.SingleAsync(i => i.Ipp == merged)).Id;
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = id, System = "hl7:URGENCES", Value = "URG77", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<MergeService>().MergeAsync(await db.Identities.SingleAsync(i => i.Ipp == survivor),
                await db.Identities.SingleAsync(i => i.Ipp == merged), new Actor("cellule", System.Guid.NewGuid().ToString("N")), null, CancellationToken.None);
        }
        return _seeded = new Seeded(qualified, merged, survivor, pending);
    }

    private async Task<bool> IdentityExistsAsync(string ipp)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Identities.AnyAsync(i => i.Ipp == ipp);
    }

    private async Task<HttpClient> AdminAsync()
    {
        var client = Factory.CreateAnonymousClient();
        await WebForms.SignInAsync(client, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        return client;
    }

    private static string Address(string template, Seeded seeded) => template
        .Replace("{qualified}", seeded.Qualified, StringComparison.Ordinal).Replace("{merged}", seeded.Merged, StringComparison.Ordinal)
        .Replace("{survivor}", seeded.Survivor, StringComparison.Ordinal).Replace("{pending}", seeded.Pending, StringComparison.Ordinal)
        .Replace("{ipp}", seeded.Qualified, StringComparison.Ordinal);

    /// <summary>What a person reads on the page: the text, and the titles, labels and placeholders; <c>&lt;code&gt;</c> apart.</summary>
    public static (string Prose, string Code) VisibleText(string html)
    {
        var body = Regex.Replace(html, "<(script|style)[^>]*>.*?</\\1>", " ", RegexOptions.Singleline | RegexOptions.IgnoreCase);
        body = Regex.Replace(body, "<!--.*?-->", " ", RegexOptions.Singleline);
        var code = string.Join(' ', Regex.Matches(body, "<code[^>]*>(.*?)</code>", RegexOptions.Singleline).Select(m => m.Groups[1].Value));
        body = Regex.Replace(body, "<code[^>]*>.*?</code>", " ", RegexOptions.Singleline);
        var attributes = string.Join(' ', Regex.Matches(body, "\\s(?:title|aria-label|placeholder|alt)=\"([^\"]*)\"").Select(m => m.Groups[1].Value));
        var text = Regex.Replace(body, "<[^>]+>", " ");
        return (WebUtility.HtmlDecode(text + " " + attributes), WebUtility.HtmlDecode(code));
    }

    /// <summary>The English words and raw codes found in a page, empty when it is French throughout; a screen's own test may
    /// add words and codes to the lists (<paramref name="words"/>, <paramref name="codes"/>: both replace the defaults).</summary>
    public static IReadOnlyList<string> Offences(string html, IReadOnlyList<string>? words = null, IReadOnlyList<string>? codes = null)
    {
        var (prose, code) = VisibleText(html);
        var found = new List<string>();
        foreach (var word in words ?? EnglishWords)
        {
            if (Regex.Match(prose, $@"(?<![\w'-]){Regex.Escape(word)}(?![\w'-])", RegexOptions.IgnoreCase) is { Success: true } m)
            {
                found.Add($"English word '{word}' in «…{Around(prose, m.Index)}…»");
            }
        }
        var all = prose + " " + code;
        found.AddRange((codes ?? RawCodes).Where(c => all.Contains(c, StringComparison.Ordinal)).Select(c => $"raw code '{c}' in «…{Around(all, all.IndexOf(c, StringComparison.Ordinal))}…»"));
        if (Guid().Match(all) is { Success: true } guid)
        {
            found.Add($"internal id {guid.Value}");
        }
        if (DotNetBoolean().Match(all) is { Success: true } boolean)
        {
            found.Add($"'{boolean.Value}' in «…{Around(all, boolean.Index)}…»");
        }
        return found;
    }

    private static string Around(string text, int index) =>
        Regex.Replace(text.Substring(Math.Max(0, index - 40), Math.Min(80, text.Length - Math.Max(0, index - 40))), "\\s+", " ");

    [Fact]
    public void TheCheck_CatchesEnglishAndCodes_ButNotFrench()
    {
        Assert.Empty(Offences("<html><body><h1>Identité introuvable</h1><p title=\"Statut\">Aucune identité n'a l'IPP 100000001 : oui, non.</p><code>dotnet run -- accounts add --user admin</code></body></html>"));
        Assert.NotEmpty(Offences("<p>Identity not found</p>"));
        Assert.NotEmpty(Offences("<p>identity.merged</p>"));
        Assert.NotEmpty(Offences("<p>Fusionnée dans : 3f2504e0-4f89-11d3-9a0c-0305e82c3301</p>"));
        Assert.NotEmpty(Offences("<p>Date corrigée : ∅ → false</p>"));
        Assert.NotEmpty(Offences("<p>Attribut : True</p>"));
        Assert.NotEmpty(Offences("<button aria-label=\"Save the form\">Enregistrer</button>"));
        Assert.NotEmpty(Offences("<p>Expected a 5-character INSEE code</p>"));
        Assert.Empty(Offences("<script>var the = true;</script><p>Recherche</p>"));
    }

    [Fact]
    public async Task EveryDeskPage_IsInFrench()
    {
        var seeded = await Seed();
        var client = await AdminAsync();
        var failures = new List<string>();
        foreach (var template in DeskPages.Concat(CellPages))
        {
            var address = Address(template, seeded);
            var response = await client.GetAsync(address);
            Assert.True((int)response.StatusCode < 500 || address == "/erreur/500", $"{address}: {(int)response.StatusCode}");
            failures.AddRange(Offences(await response.Content.ReadAsStringAsync()).Select(o => $"{address}: {o}"));
        }
        // the pages show what they should (a check of nothing would pass)
        var mergedPage = WebUtility.HtmlDecode(await client.GetStringAsync($"/identites/{seeded.Merged}"));
        Assert.Contains($"IPP {seeded.Survivor}", mergedPage);
        Assert.Contains("Fusionnée dans une autre identité", mergedPage);
        Assert.Contains("URGENCES (flux entrant)", WebUtility.HtmlDecode(await client.GetStringAsync($"/identites/{seeded.Survivor}")));
        Assert.Contains("Réponse INSi acceptée", WebUtility.HtmlDecode(await client.GetStringAsync($"/identites/{seeded.Qualified}")));
        Assert.Contains("Accepter la réponse INSi", WebUtility.HtmlDecode(await client.GetStringAsync($"/identites/{seeded.Pending}/qualification")));
        // the forms' answers: errors on creation, the duplicate warning, the accounts' errors
        var invalid = await WebForms.PostAsync(client, "/identites/nouvelle", new Dictionary<string, string>
        {
            ["birthName"] = "Adrtrois3", ["firstNames"] = "", ["birthDate"] = "1997-02-30", ["sex"] = "X", ["birthPlaceCode"] = "123", ["email"] = "pas-un-courriel",
            ["phone"] = "12", ["postcode"] = "!",
        });
        failures.AddRange(Offences(await invalid.Content.ReadAsStringAsync()).Select(o => $"creation errors: {o}"));
        var duplicate = await WebForms.PostAsync(client, "/identites/nouvelle", new Dictionary<string, string>
        {
            ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "26/02/1997", ["sex"] = "F", ["birthPlaceCode"] = "2A020",
        });
        var duplicateHtml = await duplicate.Content.ReadAsStringAsync();
        Assert.Contains("Créer quand même", WebUtility.HtmlDecode(duplicateHtml));
        failures.AddRange(Offences(duplicateHtml).Select(o => $"duplicate warning: {o}"));
        var account = await WebForms.PostAsync(client, "/comptes", new Dictionary<string, string> { ["userName"] = "?", ["password"] = "court", ["role"] = "X" }, "/comptes?handler=Create");
        failures.AddRange(Offences(await account.Content.ReadAsStringAsync()).Select(o => $"account errors: {o}"));
        var document = await WebForms.PostAsync(client, $"/identites/{seeded.Pending}/qualification", new Dictionary<string, string> { ["DocumentExpires"] = "x" },
            $"/identites/{seeded.Pending}/qualification?handler=Document");
        failures.AddRange(Offences(await document.Content.ReadAsStringAsync()).Select(o => $"document errors: {o}"));
        var vitale = await WebForms.PostAsync(client, $"/identites/{seeded.Pending}/qualification", new Dictionary<string, string> { ["VitaleNumber"] = "x" },
            $"/identites/{seeded.Pending}/qualification?handler=Vitale");
        failures.AddRange(Offences(await vitale.Content.ReadAsStringAsync()).Select(o => $"carte Vitale errors: {o}"));
        var password = await WebForms.PostAsync(client, "/mot-de-passe", new Dictionary<string, string> { ["currentPassword"] = "x", ["newPassword"] = "y", ["confirmation"] = "y" });
        failures.AddRange(Offences(await password.Content.ReadAsStringAsync()).Select(o => $"password errors: {o}"));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void EveryPageOfTheApp_IsCheckedOrListedAsNotYet()
    {
        var routes = Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Select(r => Regex.Replace(r, "\\{([a-zA-Z]+)(:[^}]*)?\\}", "{$1}"))
            .Where(r => !r.StartsWith("/erreur", StringComparison.Ordinal))
            .Distinct().ToList();
        Assert.NotEmpty(routes);
        var checkedRoutes = DeskPages.Concat(CellPages).Select(a => a.Split('?')[0]).Select(a => Regex.Replace(a, "\\{[a-z]+\\}", "{ipp}"))
            .Select(a => Regex.IsMatch(a, "^/identites/[0-9]+") ? Regex.Replace(a, "^/identites/[0-9]+", "/identites/{ipp}") : a).ToHashSet();
        var missing = routes.Where(r => !checkedRoutes.Contains(r) && !NotCheckedYet.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "pages neither checked nor listed in NotCheckedYet: " + string.Join(", ", missing));
        Assert.True(NotCheckedYet.All(routes.Contains), "NotCheckedYet names no page: " + string.Join(", ", NotCheckedYet.Where(r => !routes.Contains(r))));
    }
}
