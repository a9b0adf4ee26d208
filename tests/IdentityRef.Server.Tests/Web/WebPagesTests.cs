using System.Net;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The pages over plain HTTP (no browser): the same validation as the API, the national rules' messages, the return URL.</summary>
public sealed class WebPagesTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    private async Task<HttpClient> SignedInAsync(bool followRedirects = true)
    {
        var client = Factory.CreateAnonymousClient(followRedirects);
        await WebForms.SignInAsync(client, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        return client;
    }

    [Fact]
    public async Task SignIn_ReturnsToThePageAsked_ButNeverToAnotherSite()
    {
        var client = Factory.CreateAnonymousClient(followRedirects: false);
        var asked = await client.GetAsync("/identites?birthName=X");
        Assert.Equal("/connexion", asked.Headers.Location!.AbsolutePath);

        var back = await WebForms.PostAsync(client, "/connexion", new Dictionary<string, string>
        {
            ["UserName"] = IdentityRefFactory.AdminUser, ["Password"] = IdentityRefFactory.AdminPassword, ["ReturnUrl"] = "/identites?birthName=X",
        });
        Assert.Equal("/identites?birthName=X", back.Headers.Location!.OriginalString);

        var other = Factory.CreateAnonymousClient(followRedirects: false);
        var away = await WebForms.PostAsync(other, "/connexion", new Dictionary<string, string>
        {
            ["UserName"] = IdentityRefFactory.AdminUser, ["Password"] = IdentityRefFactory.AdminPassword, ["ReturnUrl"] = "https://evil.example/",
        });
        Assert.Equal("/", away.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Create_WithBadFields_ShowsEachFieldErrorInFrench_AndCreatesNothing()
    {
        var client = await SignedInAsync();
        var birthName = "BAD" + PatientJson.UniqueLetters();
        var response = await WebForms.PostAsync(client, "/identites/nouvelle", new Dictionary<string, string>
        {
            ["birthName"] = birthName + "3", ["firstNames"] = "Jean", ["birthDate"] = "1980-02-31", ["sex"] = "X",
        });
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("3 erreurs empêchent l'opération", html);
        Assert.Contains("Ce jour n'existe pas dans ce mois.", html);
        Assert.Contains("Le sexe doit être M, F ou U.", html);
        Assert.Contains("id=\"birthName\"", html);
        Assert.Contains("aria-invalid=\"true\"", html);
        var found = await (await Factory.CreateClient().GetAsync($"/api/patients?birthName={birthName}")).ReadObjectAsync();
        Assert.Equal(0, (int)found["total"]!);
    }

    [Fact]
    public async Task SearchThenCreate_ShowsTheNewIdentityWithItsStatusMeaning_AndNoIns()
    {
        var client = await SignedInAsync();
        var birthName = "WEB" + PatientJson.UniqueLetters();
        var search = await client.GetStringAsync($"/identites?birthName={birthName}&firstName=Jean&birthDate=1980-05-01&sex=M");
        Assert.Contains("Aucune identité trouvée", search);
        Assert.Contains("créer une identité", search);

        var created = await WebForms.PostAsync(client, "/identites/nouvelle", new Dictionary<string, string>
        {
            ["birthName"] = birthName, ["firstNames"] = "Jean Paul", ["birthDate"] = "1980-05-01", ["sex"] = "M", ["birthPlaceCode"] = "99999",
            ["confirmDuplicate"] = "true",
        });
        var html = WebUtility.HtmlDecode(await created.Content.ReadAsStringAsync());
        Assert.Matches("/identites/[0-9]+$", created.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Identité provisoire", html);
        Assert.Contains("Ni INS récupéré par INSi", html);
        Assert.Contains("L'INS n'est affiché et transmis que pour une identité qualifiée", html);

        var again = await client.GetStringAsync($"/identites?birthName={birthName}&firstName=Jean&birthDate=1980-05-01");
        Assert.Contains("1 identité trouvée", again);
        Assert.Contains("badge-prov", again);

        var history = await (await Factory.CreateClient().GetAsync(created.RequestMessage.RequestUri.AbsolutePath.Replace("/identites/", "/api/patients/", StringComparison.Ordinal) + "/history")).ReadArrayAsync();
        Assert.Equal(IdentityRefFactory.AdminUser, (string)history[0]!["actor"]!); // the signed-in user is the audit actor
    }

    [Fact]
    public async Task Qualification_WhenInsiFindsNobody_SaysSoAndKeepsProv()
    {
        var client = await SignedInAsync();
        var ipp = (string)(await (await Factory.CreateClient().PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadObjectAsync())["ipp"]!;
        var response = await WebForms.PostAsync(client, $"/identites/{ipp}/qualification", new Dictionary<string, string>(), $"/identites/{ipp}/qualification?handler=Search");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("INSi : ", html);
        Assert.Contains("Interroger INSi", html); // no answer awaits a decision
        Assert.Contains("badge-prov", html);
    }

    [Fact]
    public async Task DoubtfulIdentity_CannotCallInsi_AndTheRuleIsShownInFrench()
    {
        var client = await SignedInAsync();
        var ipp = (string)(await (await Factory.CreateClient().PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadObjectAsync())["ipp"]!;
        await WebForms.PostAsync(client, $"/identites/{ipp}", new Dictionary<string, string> { ["attributes"] = "douteuse" }, $"/identites/{ipp}?handler=Attributes");
        var response = await WebForms.PostAsync(client, $"/identites/{ipp}/qualification", new Dictionary<string, string>(), $"/identites/{ipp}/qualification?handler=Search");
        Assert.Contains("EXI SI 09", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Correction_SavesTheTraits_ButNotOverAChangeMadeMeanwhile()
    {
        var client = await SignedInAsync();
        var ipp = (string)(await (await Factory.CreateClient().PostAsync("/api/patients",
            PatientJson.Valid().With("birthDate", "1975-04-00").With("confirmDuplicate", true).Content())).ReadObjectAsync())["ipp"]!;
        var form = WebUtility.HtmlDecode(await client.GetStringAsync($"/identites/{ipp}/modifier"));
        Assert.Contains("value=\"00/04/1975\"", form); // the unknown day is given back as keyed
        Assert.Contains("name=\"version\" value=\"1\"", form);

        var fields = new Dictionary<string, string>
        {
            ["version"] = "1", ["birthName"] = "Martin", ["firstNames"] = "Jean-Pierre Marie", ["birthDate"] = "1975-04-00", ["sex"] = "M",
            ["usedName"] = "Durand",
        };
        var saved = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, $"/identites/{ipp}/modifier", fields)).Content.ReadAsStringAsync());
        Assert.Contains("Corrections enregistrées.", saved);
        Assert.Contains("DURAND", saved);
        var stored = await (await Factory.CreateClient().GetAsync($"/api/patients/{ipp}")).ReadObjectAsync();
        Assert.True((bool)stored["birthDateCorrected"]!);

        fields["usedName"] = "Lefebvre"; // still version 1: someone saved version 2 meanwhile
        var stale = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, $"/identites/{ipp}/modifier", fields)).Content.ReadAsStringAsync());
        Assert.Contains("modifiée par quelqu'un d'autre", stale);
        Assert.Equal("DURAND", (string)(await (await Factory.CreateClient().GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["usedName"]!);
    }

    [Fact]
    public async Task Pages_ForbidFramingAndScriptsButTheirOwn()
    {
        var response = await Factory.CreateAnonymousClient().GetAsync("/connexion");
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        // one script file of the server's own (the birth-place look-up); no inline script, nothing from elsewhere
        Assert.Contains("script-src 'self';", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task AccountsPage_CreatesAnAccountThatCanSignIn_AndShowsFieldErrors()
    {
        var client = await SignedInAsync();
        var name = "agent-" + PatientJson.UniqueLetters().ToLowerInvariant();
        var bad = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/comptes",
            new Dictionary<string, string> { ["userName"] = name, ["password"] = "court", ["role"] = "Accueil" }, "/comptes?handler=Create")).Content.ReadAsStringAsync());
        Assert.Contains("au moins 12 caractères", bad);

        var created = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/comptes",
            new Dictionary<string, string> { ["userName"] = name, ["password"] = "mot-de-passe-provisoire", ["role"] = "Identitovigilance" }, "/comptes?handler=Create")).Content.ReadAsStringAsync());
        Assert.Contains($"Compte {name} créé (Identitovigilance)", created);

        var agent = Factory.CreateAnonymousClient();
        var home = await WebForms.SignInAsync(agent, name, "mot-de-passe-provisoire");
        Assert.Contains($"{name} · Identitovigilance", WebUtility.HtmlDecode(await home.Content.ReadAsStringAsync()));
        Assert.Equal("/mot-de-passe", home.RequestMessage!.RequestUri!.AbsolutePath); // the temporary password is changed first
    }

    [Fact]
    public async Task UnknownIdentity_Is404()
    {
        var client = await SignedInAsync(followRedirects: false);
        foreach (var page in new[] { "/identites/999999999", "/identites/999999999/qualification", "/identites/999999999/modifier" })
        {
            var response = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("Identité introuvable", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        var client = await SignedInAsync(followRedirects: false);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        var signOut = await WebForms.PostAsync(client, "/", new Dictionary<string, string>(), "/deconnexion");
        Assert.Equal("/connexion", signOut.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }
}
