using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// No English and no raw code on the vigilance cell's, operations' and integration's screens: each page below is rendered with
/// data (a pair found by detection, one merged trait by trait, one declared not a duplicate with its reason, a subscription and
/// its messages) and its visible text (and the titles, labels and placeholders a screen reader reads) must hold none of
/// <see cref="EnglishWords"/> and none of <see cref="RawCodes"/>; text in <c>&lt;code&gt;</c> (HL7 fields, control ids) is checked
/// for raw codes only. The admission desk's pages have the same check (FrenchTextTests).
/// </summary>
public sealed partial class FrenchTextCellTests(Databases databases) : IClassFixture<Databases>
{
    public static readonly string[] CellPages =
    [
        "/identitovigilance",
        "/identitovigilance?state=&classe=possible&age=7j&attribue=moi&tri=nom",
        "/identitovigilance?state=resolved",
        "/identitovigilance/{open}",
        "/identitovigilance/{merged}",
        "/identitovigilance/{notDuplicate}",
        "/identitovigilance/987654321",
        "/identitovigilance/groupes",
        "/identitovigilance/groupes?taille=3",
        "/identitovigilance/groupes/{group}",
        "/identitovigilance/groupes/987654321",
        "/taches",
        "/taches?job=duplicates-incremental",
        "/signalements",
        "/messages",
        "/messages?ipp={ipp}&evenement=A31",
        "/messages/{message}",
        "/messages/987654321",
        "/abonnements",
        "/abonnements/edition/{subscription}",
        "/abonnements/edition",
        "/tableau-de-bord",
        "/tableau-de-bord/impression",
        "/tableau-de-bord/liste/insi-en-attente",
        "/tableau-de-bord/liste/douteuses-fictives",
        "/tableau-de-bord/liste/inconnue",
    ];

    /// <summary>English words that have no place on a French screen (whole words, any case).</summary>
    public static readonly string[] EnglishWords =
    [
        "the", "and", "with", "from", "this", "that", "not", "found", "error", "expected", "invalid", "required", "must", "should",
        "cannot", "please", "click", "submit", "save", "cancel", "delete", "edit", "back", "next", "previous", "search", "pending",
        "failed", "success", "true", "false", "null", "none", "unknown", "duplicate", "merged", "undone", "identity", "password",
        "user", "account", "settings", "loading", "exception", "forbidden", "internal", "request", "reason", "used", "weight",
        "yes", "no", "open", "resolved", "review", "created", "updated", "imported", "candidatePairs", "missing", "exact",
        "different", "phonetic", "close", "similar", "detection", "job", "schedule", "assigned",
    ];

    /// <summary>Codes that must be said in words: audit actions, reason codes of the matcher, decision codes, counters, booleans.</summary>
    public static readonly string[] RawCodes =
    [
        "identity.", "BirthNamesDiffer", "BirthDatesDiffer", "FirstNamesDiffer", "SexAndFirstNamesDiffer", "DifferentIns", "(used:", "not-duplicate",
        "in-review", "trait-chosen", "detected-again", "system:", "candidatePairs", "oversizedBlocks", "DayMonthSwapped", "0 0/5 * * * ?", "→ false",
    ];


    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    /// <summary>The desk's check (FrenchTextTests), with this screen family's longer lists of words and codes.</summary>
    public static IReadOnlyList<string> Offences(string html) => FrenchTextTests.Offences(html, EnglishWords, RawCodes);

    [Fact]
    public void TheCheck_CatchesEnglishAndCodes_ButNotFrench()
    {
        Assert.Empty(Offences("<h1>Paire n° 3 — doublon probable</h1><p title=\"État\">jour et mois inversés ; absent des deux côtés</p><code>PID|1||100000001</code>"));
        Assert.NotEmpty(Offences("<li>détecté (duplicate probable)</li>"));
        Assert.NotEmpty(Offences("<li>rouvert (the merge was undone)</li>"));
        Assert.NotEmpty(Offences("<li>BirthNamesDiffer: the birth names agree neither…</li>"));
        Assert.NotEmpty(Offences("<td>DUPONT (used: MARTIN)</td>"));
        Assert.NotEmpty(Offences("<td>candidatePairs : 12</td>"));
        Assert.NotEmpty(Offences("<td><code>0 0/5 * * * ?</code></td>"));
        Assert.NotEmpty(Offences("<td>Looks for duplicates across the whole base.</td>"));
    }

    [Fact]
    public async Task EveryCellPage_IsInFrench()
    {
        var api = Factory.CreateClient();
        using var closed = new IdentityRef.Tests.ReservedPort();
        var subscribed = await api.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI" + PatientJson.UniqueLetters(), ["host"] = "127.0.0.1", ["port"] = closed.Port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "H",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        var subscription = (string)(await subscribed.ReadObjectAsync())["id"]!;
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(api);
        var open = await VigilancePagesTests.DetectedItemAsync(api, a, b);
        var (c, d) = await VigilancePagesTests.LookAlikesAsync(api);
        var merged = await VigilancePagesTests.DetectedItemAsync(api, c, d);
        var (e, f) = await VigilancePagesTests.LookAlikesAsync(api);
        var notDuplicate = await VigilancePagesTests.DetectedItemAsync(api, e, f);
        var group = (await Duplicates.DuplicateGroupTests.TriangleAsync(api)).AB;
        var client = Factory.CreateAnonymousClient();
        await WebForms.SignInAsync(client, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await WebForms.PostAsync(client, $"/identitovigilance/{merged}",
            new Dictionary<string, string>
            {
                ["survivor"] = c, ["t-birthDate"] = "A", ["t-firstNames"] = "B", ["pairTag"] = await WebForms.HiddenAsync(client, $"/identitovigilance/{merged}", "pairTag"),
            }, $"/identitovigilance/{merged}?handler=Merge")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await WebForms.PostAsync(client, $"/identitovigilance/{notDuplicate}",
            new Dictionary<string, string> { ["comment"] = "Jumeaux, pièces vues" }, $"/identitovigilance/{notDuplicate}?handler=NotDuplicate")).StatusCode);
        var list = WebUtility.HtmlDecode(await client.GetStringAsync($"/messages?ipp={a}"));
        var message = Regex.Match(list, "href=\"/messages/(\\d+)\"").Groups[1].Value;
        Assert.NotEmpty(message);

        var failures = new List<string>();
        foreach (var template in CellPages)
        {
            var address = template.Replace("{open}", open.ToString(), StringComparison.Ordinal).Replace("{merged}", merged.ToString(), StringComparison.Ordinal)
                .Replace("{notDuplicate}", notDuplicate.ToString(), StringComparison.Ordinal).Replace("{ipp}", a, StringComparison.Ordinal)
                .Replace("{message}", message, StringComparison.Ordinal).Replace("{group}", group.ToString(), StringComparison.Ordinal)
                .Replace("{subscription}", subscription, StringComparison.Ordinal);
            var response = await client.GetAsync(address);
            Assert.True((int)response.StatusCode < 500, $"{address}: {(int)response.StatusCode}");
            failures.AddRange(Offences(await response.Content.ReadAsStringAsync()).Select(o => $"{address}: {o}"));
        }
        // The pages show what they should (a check of nothing would pass).
        var mergedPage = WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/{merged}"));
        Assert.Contains("trait repris de l'autre identité", mergedPage);
        Assert.Contains("créée à l'accueil malgré le doublon probable signalé (identité", Regex.Replace(mergedPage, "\\s+", " "));
        Assert.Contains("Jumeaux, pièces vues", WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/{notDuplicate}")));
        Assert.Contains("Les dossiers côte à côte", WebUtility.HtmlDecode(await client.GetStringAsync($"/identitovigilance/groupes/{group}")));
        Assert.Contains("Identifiant de contrôle", WebUtility.HtmlDecode(await client.GetStringAsync($"/messages/{message}")));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}
