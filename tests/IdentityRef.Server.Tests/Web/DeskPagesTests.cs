using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Merges;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// The admission desk over plain HTTP: the one search box (<c>/identites?q=</c>: spelling, punctuation and sound of a name,
/// IPP, INS, another system's identifier, paging), the creation form (<c>JJ/MM/AAAA</c>, commune by name) and the
/// duplicate warning side by side.
/// </summary>
public sealed partial class DeskPagesTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    private async Task<HttpClient> SignedInAsync()
    {
        var client = Factory.CreateAnonymousClient();
        await WebForms.SignInAsync(client, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        return client;
    }

    private async Task<string> CreateAsync(JsonObject person)
    {
        var created = await (await Factory.CreateClient().PostAsync("/api/patients", person.With("confirmDuplicate", true).Content())).ReadObjectAsync();
        return (string)created["ipp"]!;
    }

    private static async Task<string> HtmlAsync(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    private static IReadOnlyList<string> IppsListed(string html) =>
        [.. ResultLink().Matches(html).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("<td><a href=\"/identites/([0-9]+)\">")]
    private static partial Regex ResultLink();

    [Fact]
    public async Task OneBox_FindsACompoundName_WithoutItsPunctuation_ByAPart_AndByNameAndFirstName()
    {
        var unique = PatientJson.UniqueLetters();
        var ipp = await CreateAsync(PatientJson.Valid($"D'{unique}-DUPONT").With("firstNames", "Jeanne Marie").With("usedName", null));
        var client = await SignedInAsync();
        var lower = unique.ToLowerInvariant();
        foreach (var q in new[] { $"d{lower}", $"d {lower}", $"D'{unique}", $"d-{lower[..4]}", $"d{lower} jeanne", $"d{lower} jea 12/04/1975" })
        {
            var html = await client.GetStringAsync("/identites?q=" + Uri.EscapeDataString(q));
            Assert.True(IppsListed(html).Contains(ipp), $"'{q}' should find {ipp}");
        }
        // a first name that does not fit, or another date, leaves it out
        Assert.DoesNotContain(ipp, IppsListed(await client.GetStringAsync($"/identites?q=d{lower}+paul")));
        Assert.DoesNotContain(ipp, IppsListed(await client.GetStringAsync($"/identites?q=d{lower}+jeanne+13/04/1975")));
    }

    [Fact]
    public async Task OneBox_FindsANameBySound_WithAFirstNameOrADate_AndSaysHowItWasFound()
    {
        // DUPOND and DUPONT sound alike (Soundex2); the spelling differs after DUPON, so only the sound finds it.
        var first = "Z" + PatientJson.UniqueLetters()[..6];
        var ipp = await CreateAsync(PatientJson.Valid("DUPONT").With("firstNames", first).With("usedName", null).With("birthDate", "1961-02-03"));
        var client = await SignedInAsync();
        var byFirstName = WebUtility.HtmlDecode(await client.GetStringAsync($"/identites?q=dupond+{first.ToLowerInvariant()}"));
        Assert.Contains(ipp, IppsListed(byFirstName));
        Assert.Contains("son du nom", byFirstName);
        var byDate = await client.GetStringAsync("/identites?q=" + Uri.EscapeDataString("dupond 03/02/1961"));
        Assert.Contains(ipp, IppsListed(byDate));
        // inverted day and month (a frequent keying error) still meets
        Assert.Contains(ipp, IppsListed(await client.GetStringAsync("/identites?q=" + Uri.EscapeDataString("dupond 02/03/1961"))));
    }

    [Fact]
    public async Task OneBox_FindsByIpp_ByAnotherSystemsIdentifier_ButNotByTheInsOfAnIdentityThatIsNotQualified()
    {
        var ipp = await CreateAsync(PatientJson.Valid().With("ins", new JsonObject { ["value"] = "160012B02077713", ["oid"] = "1.2.250.1.213.1.4.8" }));
        var labId = "URG-" + PatientJson.UniqueLetters();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var id = (await db.Identities.SingleAsync(i => i.Ipp == ipp)).Id;
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = id, System = "hl7:URGENCES", Value = labId, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        var client = await SignedInAsync();
        Assert.Equal([ipp], IppsListed(await client.GetStringAsync($"/identites?q={ipp}")));
        Assert.Equal([ipp], IppsListed(await client.GetStringAsync($"/identites?q=%20{ipp}%20")));
        Assert.Equal([ipp], IppsListed(await client.GetStringAsync($"/identites?q={labId}")));
        // a declared INS (PROV identity) is never a search key: asking by it must not reveal that we hold it
        var byIns = WebUtility.HtmlDecode(await client.GetStringAsync("/identites?q=" + Uri.EscapeDataString("1 60 01 2B 020 777 13")));
        Assert.Empty(IppsListed(byIns));
        Assert.Contains("Aucune identité trouvée", byIns);
        Assert.DoesNotContain("160012B02077713", byIns);
    }

    [Fact]
    public async Task OneBox_PagesThroughManyResults_WithNextAndPreviousLinks()
    {
        var name = "PAGE" + PatientJson.UniqueLetters();
        for (var i = 0; i < 27; i++)
        {
            await CreateAsync(PatientJson.Valid(name).With("firstNames", "Prenom" + (char)('A' + (i / 26)) + (char)('A' + (i % 26))).With("usedName", null));
        }
        var client = await SignedInAsync();
        var first = WebUtility.HtmlDecode(await client.GetStringAsync($"/identites?q={name.ToLowerInvariant()}"));
        Assert.True(first.Contains("27 identités trouvées — de 1 à 25", StringComparison.Ordinal), Regex.Match(first, "<h2 id=\"resultats\"[^<]*</h2>").Value);
        Assert.Contains("Page 1 sur 2", first);
        Assert.Equal(25, IppsListed(first).Count);
        var next = Regex.Match(first, "<a class=\"button\" rel=\"next\" href=\"([^\"]+)\"").Groups[1].Value;
        Assert.Contains("p=2", next);
        var second = WebUtility.HtmlDecode(await client.GetStringAsync(next.Replace("&amp;", "&", StringComparison.Ordinal)));
        Assert.Equal(2, IppsListed(second).Count);
        Assert.Empty(IppsListed(first).Intersect(IppsListed(second)));
        Assert.Contains("rel=\"prev\"", second);
        Assert.DoesNotContain("rel=\"next\"", second);
        // a page beyond the last, or nonsense, is not an error
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/identites?q={name}&p=99")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/identites?q={name}&p=-3")).StatusCode);
    }

    [Fact]
    public async Task OneBox_ExplainsWhenTheCreateButtonAppears_AndCarriesTheTraitsToTheForm()
    {
        var client = await SignedInAsync();
        var name = "NEW" + PatientJson.UniqueLetters();
        var nameOnly = WebUtility.HtmlDecode(await client.GetStringAsync($"/identites?q={name}"));
        Assert.DoesNotContain("créer une identité</a>", nameOnly);
        Assert.Contains("recherchez d'abord le patient par son nom, son prénom et sa date de naissance", nameOnly);

        var full = WebUtility.HtmlDecode(await client.GetStringAsync("/identites?q=" + Uri.EscapeDataString($"{name} Marie 14/07/1985")));
        var link = Regex.Match(full, "href=\"(/identites/nouvelle[^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(link);
        var form = WebUtility.HtmlDecode(await client.GetStringAsync(link));
        Assert.Contains($"value=\"{name}\"", form);
        Assert.Contains("value=\"MARIE\"", form);
        Assert.Contains("value=\"14/07/1985\"", form);

        // a date that does not exist is said in French, on the search box
        var bad = WebUtility.HtmlDecode(await client.GetStringAsync("/identites?q=" + Uri.EscapeDataString($"{name} 31/02/1985")));
        Assert.Contains("Ce jour n'existe pas dans ce mois.", bad);
        Assert.Contains("href=\"#q\"", bad);
    }

    [Fact]
    public async Task DetailedSearch_StillWorks_AndTakesAFrenchDate()
    {
        var name = "DET" + PatientJson.UniqueLetters();
        var ipp = await CreateAsync(PatientJson.Valid(name));
        var client = await SignedInAsync();
        Assert.Equal([ipp], IppsListed(await client.GetStringAsync($"/identites?birthName={name}&birthDate=12/04/1975")));
        Assert.Equal([ipp], IppsListed(await client.GetStringAsync($"/identites?birthName={name}&birthDate=1975-04-12")));
    }

    [Fact]
    public async Task Create_TakesAFrenchDate_AndACommuneByName()
    {
        var client = await SignedInAsync();
        var name = "LYON" + PatientJson.UniqueLetters();
        var places = await client.GetStringAsync("/identites/nouvelle?handler=Places&q=lyo");
        Assert.Contains("Lyon (69123)", places);
        var created = await WebForms.PostAsync(client, "/identites/nouvelle", new Dictionary<string, string>
        {
            ["birthName"] = name, ["firstNames"] = "Marie", ["birthDate"] = "14/07/1985", ["sex"] = "F", ["birthPlaceCode"] = "lyon", ["confirmDuplicate"] = "true",
        });
        var html = await HtmlAsync(created);
        Assert.Matches("/identites/[0-9]+$", created.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("14/07/1985", html);
        Assert.Contains("69123", html);

        // the correction form gives the date back as JJ/MM/AAAA and the place by its name
        var ipp = created.RequestMessage.RequestUri.AbsolutePath.Split('/')[^1];
        var correction = WebUtility.HtmlDecode(await client.GetStringAsync($"/identites/{ipp}/modifier"));
        Assert.Contains("value=\"14/07/1985\"", correction);
        Assert.Contains("value=\"Lyon (69123)\"", correction);
    }

    [Fact]
    public async Task Create_WithAnUnknownOrSharedPlaceName_OrABadCode_SaysSoInFrench_AndKeepsWhatWasTyped()
    {
        var client = await SignedInAsync();
        var name = "PLACE" + PatientJson.UniqueLetters();
        async Task<string> PostAsync(string place) => await HtmlAsync(await WebForms.PostAsync(client, "/identites/nouvelle", new Dictionary<string, string>
        {
            ["birthName"] = name, ["firstNames"] = "Marie", ["birthDate"] = "14/07/1985", ["sex"] = "F", ["birthPlaceCode"] = place,
        }));
        var shared = await PostAsync("Saint-Denis");
        Assert.Contains("Plusieurs lieux portent ce nom", shared);
        Assert.Contains("Saint-Denis (93066)", shared);
        Assert.Contains("value=\"Saint-Denis\"", shared);
        Assert.Contains("value=\"14/07/1985\"", shared);
        Assert.Contains("Aucune commune ni aucun pays de ce nom", await PostAsync("Nullepartville"));
        var badCode = await PostAsync("123");
        Assert.Contains("Code INSEE attendu sur 5 caractères", badCode);
        Assert.DoesNotContain("Expected", badCode);
        var badDate = await HtmlAsync(await WebForms.PostAsync(client, "/identites/nouvelle", new Dictionary<string, string>
        {
            ["birthName"] = name, ["firstNames"] = "Marie", ["birthDate"] = "1985/07/14", ["sex"] = "F",
        }));
        Assert.Contains("Date attendue au format JJ/MM/AAAA", badDate);
        var found = await (await Factory.CreateClient().GetAsync($"/api/patients?birthName={name}")).ReadObjectAsync();
        Assert.Equal(0, (int)found["total"]!);
    }

    [Fact]
    public async Task DuplicateWarning_ShowsTheTraitsSideBySide_WithTheScoreInWords_ThenCreateAnywayKeepsEverything()
    {
        var name = "TWIN" + PatientJson.UniqueLetters();
        var existing = await CreateAsync(PatientJson.Valid(name).With("firstNames", "Louise").With("birthDate", "1990-03-08").With("sex", "F").With("birthPlaceCode", "69123"));
        var client = await SignedInAsync();
        var fields = new Dictionary<string, string>
        {
            ["birthName"] = name, ["firstNames"] = "Louise", ["birthDate"] = "08/03/1990", ["sex"] = "F", ["birthPlaceCode"] = "Lyon (69123)",
            ["usedName"] = "Martin", ["phone"] = "0611223344",
        };
        var warned = await HtmlAsync(await WebForms.PostAsync(client, "/identites/nouvelle", fields));
        Assert.Contains("Une identité proche existe déjà", warned);
        Assert.Contains("doublon probable", warned);
        Assert.Contains($"<a href=\"/identites/{existing}\" target=\"_blank\" rel=\"noopener\">IPP {existing}", warned);
        Assert.Contains("Lyon (69123)", warned);
        Assert.Contains("08/03/1990", warned);
        Assert.Contains("Féminin", warned);
        Assert.Contains("Créer quand même", warned);
        Assert.Contains("value=\"0611223344\"", warned); // what was typed stays in the form
        Assert.Contains("value=\"Lyon (69123)\"", warned);

        fields["confirmDuplicate"] = "true";
        var created = await WebForms.PostAsync(client, "/identites/nouvelle", fields);
        Assert.Matches("/identites/[0-9]+$", created.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.DoesNotContain(existing, created.RequestMessage.RequestUri.AbsolutePath);
    }

    [Fact]
    public async Task IdentityPage_HistoryIsInFrench_NamesTheOtherIdentityByItsIpp_AndListsOtherSystemsIdentifiers()
    {
        var survivor = await CreateAsync(PatientJson.Valid());
        var merged = await CreateAsync(PatientJson.Valid().With("birthDate", "1975-00-12"));
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var id = (await db.Identities.SingleAsync(i => i.Ipp == merged)).Id;
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = id, System = "hl7:URGENCES", Value = "URG42", CreatedAt = DateTimeOffset.UtcNow });
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = id, System = "import:ancien-dpi", Value = "D-0042", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<MergeService>().MergeAsync(await db.Identities.SingleAsync(i => i.Ipp == survivor), await db.Identities.SingleAsync(i => i.Ipp == merged),
                new Actor("test", Guid.NewGuid().ToString("N")), null, CancellationToken.None);
        }
        var client = await SignedInAsync();
        var mergedPage = WebUtility.HtmlDecode(await client.GetStringAsync($"/identites/{merged}"));
        Assert.Contains("Fusionnée dans une autre identité", mergedPage);
        Assert.Contains($"IPP {survivor}", mergedPage);
        Assert.True(mergedPage.Contains("Date de naissance corrigée</span> : ∅ → oui", StringComparison.Ordinal), Regex.Match(mergedPage, "<section aria-labelledby=\"historique\">.*", RegexOptions.Singleline).Value);
        var survivorPage = WebUtility.HtmlDecode(await client.GetStringAsync($"/identites/{survivor}"));
        Assert.Contains("Identité conservée lors d'une fusion", survivorPage);
        Assert.Contains("URGENCES (flux entrant)", survivorPage);
        Assert.Contains("URG42", survivorPage);
        Assert.Contains("ancien-dpi (import)", survivorPage);
        Assert.Contains("Ancien IPP (identité fusionnée)", survivorPage);
        foreach (var page in new[] { mergedPage, survivorPage })
        {
            Assert.DoesNotContain("identity.", page);
            Assert.DoesNotContain("→ false", page);
            Assert.DoesNotContain("→ true", page);
            Assert.DoesNotMatch("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", page);
        }
    }

    [Fact]
    public async Task DocumentForm_ShowsEachErrorBesideItsField_AndKeepsWhatWasTyped()
    {
        var ipp = await CreateAsync(PatientJson.Valid());
        var client = await SignedInAsync();
        var page = $"/identites/{ipp}/qualification";
        var response = await WebForms.PostAsync(client, page, new Dictionary<string, string>
        {
            ["DocumentType"] = "", ["DocumentNumber"] = "19AB12345", ["DocumentExpires"] = "2030/13/45",
        }, page + "?handler=Document");
        var html = await HtmlAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<span class=\"error\" id=\"type-erreur\">Choisissez le type de pièce.</span>", html);
        Assert.Contains("<span class=\"error\" id=\"expires-erreur\">Date attendue au format JJ/MM/AAAA.</span>", html);
        Assert.Contains("value=\"19AB12345\"", html);
        Assert.Contains("value=\"2030/13/45\"", html);
        Assert.Contains("<a href=\"#type\">Type de pièce</a>", html); // the summary names the field as its label does
        Assert.Contains("<label for=\"number\">Numéro de la pièce", html);

        var expires = Factory.Today.AddYears(3);
        var saved = await WebForms.PostAsync(client, page, new Dictionary<string, string>
        {
            ["DocumentType"] = "PA", ["DocumentNumber"] = "19AB12345", ["DocumentExpires"] = expires.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture),
            ["Version"] = "1", // the identity as the page showed it
        }, page + "?handler=Document");
        Assert.Contains("Pièce d'identité enregistrée", await HtmlAsync(saved));
    }

    [Fact]
    public async Task Qualification_OffersTheCarteVitaleSearch_CheckingTheCardFields()
    {
        var ipp = await CreateAsync(PatientJson.Valid("Adrtrois").With("firstNames", "Dominique").With("birthDate", "1997-02-26").With("sex", "F").With("birthPlaceCode", "2A020"));
        var client = await SignedInAsync();
        var page = $"/identites/{ipp}/qualification";
        var form = WebUtility.HtmlDecode(await client.GetStringAsync(page));
        Assert.Contains("Interroger INSi avec la carte Vitale", form);

        var bad = await HtmlAsync(await WebForms.PostAsync(client, page, new Dictionary<string, string> { ["VitaleNumber"] = "12345", ["VitaleKey"] = "x" }, page + "?handler=Vitale"));
        Assert.Contains("13 caractères attendus", bad);
        Assert.Contains("Une clé compte 2 chiffres.", bad);
        Assert.Contains("value=\"12345\"", bad);

        var found = await HtmlAsync(await WebForms.PostAsync(client, page, new Dictionary<string, string>
        {
            ["VitaleNumber"] = "2 97 02 2A 020 778", ["VitaleKey"] = "78", ["VitaleRank"] = "1",
        }, page + "?handler=Vitale"));
        Assert.True(found.Contains("INSi a trouvé une identité", StringComparison.Ordinal), Regex.Match(found, "<main.{0,1500}", RegexOptions.Singleline).Value);
        Assert.Contains("Accepter la réponse INSi", found);
        Assert.Contains("26/02/1997", found);
    }

    [Fact]
    public async Task UnknownAddressesAndIdentities_ShowFrenchPages_WhileTheApiKeepsProblemDetails()
    {
        var client = await SignedInAsync();
        var unknownUrl = await client.GetAsync("/cette-page-n-existe-pas");
        Assert.Equal(HttpStatusCode.NotFound, unknownUrl.StatusCode);
        Assert.Equal("text/html", unknownUrl.Content.Headers.ContentType!.MediaType);
        var html = await HtmlAsync(unknownUrl);
        Assert.Contains("Page introuvable", html);
        Assert.DoesNotContain("\"title\"", html);
        Assert.Contains("Rechercher une identité", html);

        var unknownIdentity = await client.GetAsync("/identites/999999999");
        Assert.Equal(HttpStatusCode.NotFound, unknownIdentity.StatusCode);
        Assert.Contains("Identité introuvable", await HtmlAsync(unknownIdentity));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/identites/999999999/qualification")).StatusCode);

        var wrongMethod = await client.PostAsync("/identites/999999999/historique-inexistant", new StringContent(""));
        Assert.Contains("text/html", wrongMethod.Content.Headers.ContentType?.MediaType ?? "");

        var api = await Factory.CreateClient().GetAsync("/api/patients/999999999");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType!.MediaType);
        var apiUnknownRoute = await Factory.CreateClient().GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, apiUnknownRoute.StatusCode);
        Assert.DoesNotContain("<html", await apiUnknownRoute.Content.ReadAsStringAsync());
    }
}
