using System.Net;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The vigilance cell's queue and pair page over plain HTTP: people at a glance, assignment, next pair, bulk decision, merge trait by trait.</summary>
public sealed class CellQueuePagesTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    /// <summary>A member of the cell signed in on as many clients as asked (one without following redirects when asked).</summary>
    private async Task<(HttpClient Client, HttpClient NoRedirect, string User)> CellAsync()
    {
        var user = "iv-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(Factory, user, Roles.Identitovigilance);
        var client = Factory.CreateAnonymousClient(true);
        await WebForms.SignInAsync(client, user, IntegrationPagesTests.PasswordOfTestAccounts);
        var noRedirect = Factory.CreateAnonymousClient(false);
        await WebForms.SignInAsync(noRedirect, user, IntegrationPagesTests.PasswordOfTestAccounts);
        return (client, noRedirect, user);
    }

    private static Dictionary<string, string> Form(params (string Key, string Value)[] fields) => fields.ToDictionary(f => f.Key, f => f.Value);

    [Fact]
    public async Task Queue_ShowsNamesBirthDatesStatusesAndTheClassInWords_AndFiltersByClassAndAssignee()
    {
        var admin = Factory.CreateClient();
        // Sorted by name, the pair must be on the first page however many pairs the other tests queued.
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin, namePrefix: "AAAA");
        var id = await VigilancePagesTests.DetectedItemAsync(admin, a, b);
        var (client, _, user) = await CellAsync();
        var person = (string)(await (await admin.GetAsync($"/api/patients/{a}")).ReadObjectAsync())["birthName"]!;

        var queue = WebUtility.HtmlDecode(await client.GetStringAsync("/identitovigilance?tri=nom"));
        Assert.Contains(person, queue);
        Assert.Contains("né(e) le 04/03/1980", queue);
        Assert.Contains("né(e) le 03/04/1980", queue);
        Assert.Contains("PROV", queue);
        Assert.Matches("doublon (probable|possible)", queue);

        var mineBefore = WebUtility.HtmlDecode(await client.GetStringAsync("/identitovigilance?attribue=moi"));
        Assert.DoesNotContain($"Paire n° {id}<", mineBefore);
        var assigned = await WebForms.PostAsync(client, "/identitovigilance", Form(("item", id.ToString())), "/identitovigilance?handler=Assign");
        Assert.Contains($"Paire n° {id} attribuée à", WebUtility.HtmlDecode(await assigned.Content.ReadAsStringAsync()));
        var item = (await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!;
        Assert.Equal(("in-review", user), ((string)item["state"]!, (string)item["assignedTo"]!));
        Assert.Contains($"Paire n° {id}<", WebUtility.HtmlDecode(await client.GetStringAsync("/identitovigilance?attribue=moi")));
        Assert.DoesNotContain($"Paire n° {id}<", WebUtility.HtmlDecode(await client.GetStringAsync("/identitovigilance?attribue=-")));
        var other = (string)item["class"]! == "probable" ? "possible" : "probable";
        Assert.DoesNotContain($"Paire n° {id}<", WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance?classe={other}")));

        // A hand-typed filter that means nothing shows more, not an error page.
        var odd = await client.GetAsync("/identitovigilance?classe=%3Cscript%3E&age=jamais&tri=nimporte&state=bof");
        Assert.Equal(HttpStatusCode.OK, odd.StatusCode);
        Assert.DoesNotContain("<script>", await odd.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NextPair_AssignsTheFirstFreePairOfTheFilterToMe_AndOpensIt()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin);
        var id = await VigilancePagesTests.DetectedItemAsync(admin, a, b);
        var (client, noRedirect, user) = await CellAsync();

        // Sorted by the newest change first, in the "nobody's" filter: the pair just found comes first unless another test's is newer.
        var next = await WebForms.PostAsync(noRedirect, "/identitovigilance", Form(("attribue", "-"), ("tri", "recents"), ("state", "open")), "/identitovigilance?handler=Next");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        var opened = next.Headers.Location!.ToString();
        Assert.Matches(@"^/identitovigilance/\d+\?state=open&attribue=-&tri=recents$", opened);
        var openedId = long.Parse(opened.Split('/', '?')[2]);
        Assert.Equal(user, (string)(await (await admin.GetAsync($"/api/duplicates/{openedId}")).ReadObjectAsync())["item"]!["assignedTo"]!);

        // The pair page's "paire suivante" never gives back the pair one is on.
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/{id}"));
        Assert.Contains("Paire suivante", page);
        Assert.Contains("Raccourcis clavier", page);
        Assert.Contains("accesskey=\"f\"", page);
        var onwards = await WebForms.PostAsync(noRedirect, $"/identitovigilance/{id}", Form(("state", "open")), $"/identitovigilance/{id}?handler=Next");
        Assert.Equal(HttpStatusCode.Redirect, onwards.StatusCode);
        Assert.DoesNotContain($"/identitovigilance/{id}?", onwards.Headers.Location!.ToString());
    }

    [Fact]
    public async Task APairTakenMeanwhile_IsNotTakenFromItsHolderByAStaleScreen_OnlyDeliberately()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin);
        var id = await VigilancePagesTests.DetectedItemAsync(admin, a, b);
        var (alice, _, aliceName) = await CellAsync();
        var (bob, _, bobName) = await CellAsync();
        var bobsStaleScreen = await bob.GetStringAsync($"/identitovigilance/{id}"); // the pair is free on it

        var taken = await WebForms.PostAsync(alice, $"/identitovigilance/{id}", Form(("shown", Shown(await alice.GetStringAsync($"/identitovigilance/{id}")))),
            $"/identitovigilance/{id}?handler=Assign");
        Assert.Contains("Paire attribuée à", WebUtility.HtmlDecode(await taken.Content.ReadAsStringAsync()));

        // bob clicks "M'attribuer" on the screen that still shows the pair free: refused in French, alice keeps it
        var stale = await WebForms.PostAsync(bob, $"/identitovigilance/{id}", Form(("shown", Shown(bobsStaleScreen))), $"/identitovigilance/{id}?handler=Assign");
        Assert.Contains("Quelqu'un d'autre a pris cette paire entre-temps", WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync()));
        Assert.Equal(aliceName, await AssigneeAsync(admin, id));

        // the queue row too: a row that showed the pair free does not take it from alice
        var row = await WebForms.PostAsync(bob, "/identitovigilance", Form(("item", id.ToString()), ("shown", "")), "/identitovigilance?handler=Assign");
        Assert.Contains("Quelqu'un d'autre a pris cette paire entre-temps", WebUtility.HtmlDecode(await row.Content.ReadAsStringAsync()));
        Assert.Equal(aliceName, await AssigneeAsync(admin, id));

        // reloaded, bob's page shows alice: taking the pair over is now deliberate, and recorded
        var fresh = await bob.GetStringAsync($"/identitovigilance/{id}");
        Assert.Equal(aliceName, Shown(fresh));
        var takenOver = await WebForms.PostAsync(bob, $"/identitovigilance/{id}", Form(("shown", Shown(fresh))), $"/identitovigilance/{id}?handler=Assign");
        Assert.Equal(HttpStatusCode.OK, takenOver.StatusCode);
        Assert.Equal(bobName, await AssigneeAsync(admin, id));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task TwoMembersTakingOneReviewedPairAtTheSameMoment_TheSecondIsRefused_NotSilentlyTheLastWriter(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var admin = factory.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin);
        var id = await VigilancePagesTests.DetectedItemAsync(admin, a, b);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/duplicates/{id}/review", null)).StatusCode); // in review, nobody's: its state no longer tells

        // Both desks read the pair before either saves (the interleaving a race produces, made certain here).
        await using var first = factory.Services.CreateAsyncScope();
        await using var second = factory.Services.CreateAsyncScope();
        var itemOfFirst = await first.ServiceProvider.GetRequiredService<IdentityRef.Application.Duplicates.VigilanceScreens>().ItemAsync(id, default);
        var itemOfSecond = await second.ServiceProvider.GetRequiredService<IdentityRef.Application.Duplicates.VigilanceScreens>().ItemAsync(id, default);
        await first.ServiceProvider.GetRequiredService<IdentityRef.Application.Duplicates.DuplicateResolution>()
            .AssignAsync(itemOfFirst!, new IdentityRef.Application.Audit.Actor("alice", "c1"), "alice", null, default);

        var refused = await Assert.ThrowsAsync<IdentityRef.Domain.Common.DomainRuleException>(() => second.ServiceProvider
            .GetRequiredService<IdentityRef.Application.Duplicates.DuplicateResolution>()
            .AssignAsync(itemOfSecond!, new IdentityRef.Application.Audit.Actor("bob", "c2"), "bob", null, default));

        Assert.Equal("item-changed", refused.Rule);
        Assert.Equal("alice", await AssigneeAsync(admin, id));
    }

    private static string Shown(string page) =>
        System.Text.RegularExpressions.Regex.Match(page, "name=\"shown\" value=\"([^\"]*)\"") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : "(no assign form)";

    private static async Task<string?> AssigneeAsync(HttpClient admin, long id) =>
        (string?)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["assignedTo"];

    [Fact]
    public async Task BulkNotDuplicate_NeedsAReason_RecordsItOnEveryPair_AndIsAllOrNothing()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin);
        var (c, d) = await VigilancePagesTests.LookAlikesAsync(admin);
        var first = await VigilancePagesTests.DetectedItemAsync(admin, a, b);
        var second = await VigilancePagesTests.DetectedItemAsync(admin, c, d);
        var (client, _, user) = await CellAsync();
        async Task<string> StateOf(long id) => (string)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["state"]!;
        async Task<string> PostAsync(IDictionary<string, string> fields, params long[] ids)
        {
            var token = await WebForms.TokenAsync(client, "/identitovigilance");
            var body = fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)).Append(new(WebForms.TokenField, token))
                .Concat(ids.Select(i => new KeyValuePair<string, string>("ids", i.ToString())));
            return WebUtility.HtmlDecode(await (await client.PostAsync("/identitovigilance?handler=NotDuplicate", new FormUrlEncodedContent(body))).Content.ReadAsStringAsync());
        }

        var noReason = await PostAsync(Form(("motif", "   ")), first, second);
        Assert.Contains("Indiquez le motif", noReason);
        var noPair = await PostAsync(Form(("motif", "Frères jumeaux")));
        Assert.Contains("Cochez au moins une paire.", noPair);
        Assert.Equal(("open", "open"), (await StateOf(first), await StateOf(second)));

        // One pair resolved meanwhile (another tab): nothing is written, the page names it.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/duplicates/{first}/not-duplicate", JsonBody("{\"comment\":\"vu\"}"))).StatusCode);
        var refused = await PostAsync(Form(("motif", "Frères jumeaux")), first, second);
        Assert.Contains($"La paire n° {first} a déjà été traitée.", refused);
        Assert.Contains("Rien n'a été enregistré", refused);
        Assert.Equal("open", await StateOf(second));
        var unknown = await PostAsync(Form(("motif", "Frères jumeaux")), second, 987654321);
        Assert.Contains("L'élément n° 987654321 n'existe pas.", unknown);
        Assert.Equal("open", await StateOf(second));

        var (e, f) = await VigilancePagesTests.LookAlikesAsync(admin);
        var third = await VigilancePagesTests.DetectedItemAsync(admin, e, f);
        var done = await PostAsync(Form(("motif", "Frères jumeaux, pièces vues")), second, third);
        Assert.Contains("2 paires classées « pas un doublon »", done);
        foreach (var id in new[] { second, third })
        {
            var detail = await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync();
            Assert.Equal(("resolved", "not-duplicate"), ((string)detail["item"]!["state"]!, (string)detail["item"]!["resolution"]!));
            var decision = detail["decisions"]!.AsArray().Last()!;
            Assert.Equal(("not-duplicate", "Frères jumeaux, pièces vues", user),
                ((string)decision["action"]!, (string)decision["detail"]!, (string)decision["by"]!));
        }
    }

    [Fact]
    public async Task MergeTraitByTrait_TakesTheChosenTraitsFromTheOtherIdentity_RecordsEach_AndUndoPutsThemBack()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin);
        var id = await VigilancePagesTests.DetectedItemAsync(admin, a, b);
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/{id}"));
        Assert.Contains("jour et mois inversés", page);
        Assert.Contains("identique", page);
        Assert.Contains("absent des deux côtés", page); // neither has an INS
        Assert.DoesNotContain("(used:", page);
        Assert.Contains("seuil « probable »", page);
        var side = (string)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["ippA"]! == a ? ("A", "B") : ("B", "A");

        // Keep a, take the birth date and first names of b.
        var merged = await WebForms.PostAsync(client, $"/identitovigilance/{id}",
            Form(("survivor", a), ("t-birthDate", side.Item2), ("t-firstNames", side.Item2), ("t-sex", side.Item1),
                ("pairTag", await WebForms.HiddenAsync(client, $"/identitovigilance/{id}", "pairTag"))), $"/identitovigilance/{id}?handler=Merge");
        var done = WebUtility.HtmlDecode(await merged.Content.ReadAsStringAsync());
        Assert.Contains($"Fusion faite : l'identité {a} est conservée. Repris de l'autre identité : prénoms de naissance, date de naissance.", done);
        var survivor = await (await admin.GetAsync($"/api/patients/{a}")).ReadObjectAsync();
        Assert.Equal(("1980-04-03", "JEAN PIERRE LOUIS"), ((string)survivor["birthDate"]!, (string)survivor["firstNames"]!));
        var decisions = (await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["decisions"]!.AsArray();
        Assert.Equal([$"firstNames {b}", $"birthDate {b}"], decisions.Where(x => (string)x!["action"]! == "trait-chosen").Select(x => (string)x!["detail"]!).ToList());
        Assert.Contains($"Date de naissance de l'identité {b}", done);
        var history = (await (await admin.GetAsync($"/api/patients/{a}/history")).ReadArrayAsync()).Select(h => h!.ToJsonString()).ToList();
        Assert.Contains(history, h => h.Contains("traitsFromMerged", StringComparison.Ordinal) && h.Contains("birthDate", StringComparison.Ordinal));

        var mergeId = (long)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["mergeId"]!;
        var undone = await WebForms.PostAsync(client, $"/identitovigilance/{id}", Form(), $"/identitovigilance/{id}?handler=Undo&merge={mergeId}");
        Assert.Contains("Fusion annulée", WebUtility.HtmlDecode(await undone.Content.ReadAsStringAsync()));
        var restored = await (await admin.GetAsync($"/api/patients/{a}")).ReadObjectAsync();
        Assert.Equal(("1980-03-04", "JEAN-PIERRE LOUIS"), ((string)restored["birthDate"]!, (string)restored["firstNames"]!));
    }

    /// <summary>The merge form carries the pair as shown: posted after a desk corrected one identity, it is refused in French, nothing merged.</summary>
    [Fact]
    public async Task MergeForm_PostedFromAPageReadBeforeAChange_IsRefusedInFrench_AndMergesNothing()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin);
        var id = await VigilancePagesTests.DetectedItemAsync(admin, a, b);
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);
        var shown = await WebForms.HiddenAsync(client, $"/identitovigilance/{id}", "pairTag");

        await PatientJson.UpdateAsync(admin, b, body => body.With("phone", "0102030405"));
        var response = await WebForms.PostAsync(client, $"/identitovigilance/{id}", Form(("survivor", a), ("pairTag", shown)), $"/identitovigilance/{id}?handler=Merge");

        Assert.Contains("a été modifiée depuis l'affichage de la paire", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        Assert.Equal("open", (string)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["state"]!);
        Assert.True((bool)(await (await admin.GetAsync($"/api/patients/{b}")).ReadObjectAsync())["active"]!);
    }

    [Fact]
    public async Task MergeForm_AForgedTraitChoice_IsRefusedInFrench_AndNothingChanges()
    {
        var admin = Factory.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(admin);
        var id = await VigilancePagesTests.DetectedItemAsync(admin, a, b);
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);

        foreach (var forged in new[] { ("t-ins", "B"), ("t-birthDate", "C") })
        {
            var response = await WebForms.PostAsync(client, $"/identitovigilance/{id}", Form(("survivor", a), forged), $"/identitovigilance/{id}?handler=Merge");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Choix de trait non reconnu", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        }
        Assert.Equal("open", (string)(await (await admin.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync())["item"]!["state"]!);
    }

    [Fact]
    public async Task UnknownPair_ShowsAFrenchPage_With404_NotJson()
    {
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);

        var response = await client.GetAsync("/identitovigilance/987654321");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Paire introuvable", html);
        Assert.DoesNotContain("\"title\"", html);
        var posted = await WebForms.PostAsync(client, "/identitovigilance", Form(("comment", "x")), "/identitovigilance/987654321?handler=NotDuplicate");
        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        Assert.Contains("Paire introuvable", WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync()));
    }

    private static StringContent JsonBody(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
