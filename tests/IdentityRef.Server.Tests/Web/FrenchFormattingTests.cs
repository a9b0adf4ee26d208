using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentityRef.Application.Jobs;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using IdentityRef.Server.Tests.WorkItems;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// The screens speak French on any machine: every page rendered under a Turkish culture (dates <c>09.03.2026</c>,
/// percentages <c>%50,0</c>) with the server's clock in Pacific/Kiritimati (UTC+14) shows French dates, numbers and
/// percentages, and instants in the server's time zone. The expectations are formatted here, by hand, never with
/// the culture of the machine that runs the test.
/// </summary>
public sealed partial class FrenchFormattingTests
{
    /// <summary>09/03/2026 11:30 UTC is 10/03/2026 01:30 in Kiritimati: a page that shows UTC, or the machine's zone, shows another day.</summary>
    private static readonly DateTimeOffset Instant = new(2026, 3, 9, 11, 30, 0, TimeSpan.Zero);

    private static string InZone(DateTimeOffset at, string format) =>
        TimeZoneInfo.ConvertTime(at, ForeignMachine.Kiritimati).ToString(format, CultureInfo.InvariantCulture);

    [Fact]
    public async Task EveryPage_UnderTurkishCultureAndUtcPlus14_ShowsFrenchFormatsAndTheServersTimeZone()
    {
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, services: ForeignMachine.Services(ForeignMachine.Turkish, ForeignMachine.Kiritimati));
        var api = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = downstream.Port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content())).StatusCode);

        // An identity with a checked document and a pending INSi answer; a pair in the vigilance queue; a work item.
        var created = await api.PostAsync("/api/patients", new JsonObject
        {
            ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F", ["confirmDuplicate"] = true,
        }.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        var expires = factory.Today.AddYears(5);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/patients/{ipp}/documents",
            new JsonObject { ["type"] = "CN", ["expires"] = expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }.Content())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/patients/{ipp}/insi/search", null)).StatusCode);
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(api);
        var pair = await VigilancePagesTests.DetectedItemAsync(api, a, b);
        await WorkItemApiTests.SeedAsync(factory, WorkItemKinds.ReverificationMismatch, ipp,
            new { reason = "several-identities", code = "02", operation = "search", calledAt = Instant, policy = "KeepAndReport" }, Instant);
        await downstream.WaitForAsync(1);
        var firstChange = (DateTimeOffset)(await (await api.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync())[0]!["at"]!;

        var client = await IntegrationPagesTests.SignedInAsAsync(factory, Roles.Administrateur);
        var pages = new Dictionary<string, string>();
        foreach (var path in new[]
        {
            "/", "/identites", "/identites?birthName=adrtrois&birthDate=1997-02-26", "/identites/nouvelle", $"/identites/{ipp}",
            $"/identites/{ipp}/qualification", $"/identites/{ipp}/modifier", "/identitovigilance", $"/identitovigilance/{pair}",
            "/abonnements", "/abonnements/edition", "/messages", "/signalements", "/taches", "/comptes",
        })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.False(DottedDate().IsMatch(html), $"{path} shows a date the Turkish way: {DottedDate().Match(html).Value}");
            Assert.False(PercentFirst().IsMatch(html), $"{path} shows a percentage the Turkish way: {PercentFirst().Match(html).Value}");
            pages[path] = html;
        }

        var fiche = pages[$"/identites/{ipp}"];
        Assert.Contains("26/02/1997", fiche);
        Assert.Contains("expire le " + expires.ToString("dd'/'MM'/'yyyy", CultureInfo.InvariantCulture), fiche);
        Assert.Contains(InZone(firstChange, "dd'/'MM'/'yyyy HH':'mm':'ss"), fiche); // the history, in the server's zone
        Assert.Contains("26/02/1997", pages["/identites?birthName=adrtrois&birthDate=1997-02-26"]);
        Assert.Matches(@"Réponse INSi du \d{2}/\d{2}/\d{4} \d{2}:\d{2}", pages[$"/identites/{ipp}/qualification"]);
        Assert.Matches(@"Taux de qualification : <strong>\d+,\d\s%</strong>", pages["/"]);
        Assert.Matches(@"\(score -?\d+,\d\)", pages["/identitovigilance"]);
        Assert.Matches(@"Explication du score : <span class=""score"">-?\d+,\d</span>", pages[$"/identitovigilance/{pair}"]);
        Assert.Matches(@"né\(e\) le \d{2}/\d{2}/\d{4}", pages["/identitovigilance"]);
        Assert.Matches(@"<td>\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}</td>", pages["/messages"]);
        Assert.Matches(@"<td>\d{2}/\d{2}/\d{4} \d{2}:\d{2}</td>", pages["/comptes"]);
        var signalements = pages["/signalements"];
        Assert.Contains("<td>10/03/2026 01:30</td>", signalements); // created at 09/03 11:30 UTC
        Assert.Contains("Appel INSi du 10/03/2026 01:30", signalements);
    }

    [GeneratedRegex(@"\b\d{1,2}\.\d{1,2}\.\d{4}\b")]
    private static partial Regex DottedDate();

    [GeneratedRegex(@"%\s?\d")]
    private static partial Regex PercentFirst();
}
