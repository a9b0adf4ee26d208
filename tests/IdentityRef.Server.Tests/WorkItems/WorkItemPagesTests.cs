using IdentityRef.Application.Jobs;
using IdentityRef.Application.Security;
using System.Net;
using IdentityRef.Persistence;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using IdentityRef.Server.Tests.Web;

namespace IdentityRef.Server.Tests.WorkItems;

/// <summary>The "Signalements" screen over plain HTTP: who sees which kinds, the forms (antiforgery, required comment), the dashboard's links.</summary>
public sealed class WorkItemPagesTests(Databases databases) : IClassFixture<Databases>
{
    private static readonly DateTimeOffset Day = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    private async Task<string> StateAsync(long id) =>
        (string)(await (await Factory.CreateClient().GetAsync($"/api/work-items/{id}")).ReadObjectAsync())["state"]!;

    [Fact]
    public async Task Cell_SeesItsKindsWithTheIdentityLinkAndASummary_AndTheDashboardLinksThere()
    {
        var ipp = await WorkItemApiTests.CreatePatientAsync(Factory.CreateClient());
        await WorkItemApiTests.SeedAsync(Factory, WorkItemKinds.ReverificationNotFound, ipp,
            new { reason = "not-verified", code = "01", operation = "verify", calledAt = Day, policy = "KeepAndReport" }, Day);
        var parked = await WorkItemApiTests.SeedAsync(Factory, WorkItemKinds.OutboxParked, null, new { parked = 4 }, Day);
        var cell = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);

        var page = WebUtility.HtmlDecode(await cell.GetStringAsync("/signalements"));
        Assert.Contains("href=\"/signalements\"", page); // in the navigation
        Assert.Contains($"href=\"/identites/{ipp}\"", page);
        Assert.Contains("INS revérifié : introuvable", page);
        Assert.Contains("INSi ne confirme plus cet INS. Appel INSi du", page);
        Assert.Contains("(code 01) ; INS conservé.", page);
        Assert.DoesNotContain($"id=\"signalement-{parked}\"", page); // the integrators' kind

        var home = WebUtility.HtmlDecode(await cell.GetStringAsync("/"));
        Assert.Contains("<a href=\"/signalements\">Alertes des tâches de fond ouvertes</a>", home);
        Assert.Contains("href=\"/signalements?kind=ins-reverification-not-found\"", home);
        Assert.DoesNotContain("href=\"/signalements?kind=outbox-parked\"", home);

        var integrator = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Integrateur);
        var theirs = WebUtility.HtmlDecode(await integrator.GetStringAsync("/signalements?kind=outbox-parked"));
        Assert.Contains($"id=\"signalement-{parked}\"", theirs);
        Assert.Contains("4 message(s) mis de côté", theirs);
    }

    [Fact]
    public async Task Forms_TakeThenResolve_TheCommentIsRequired_AndAWrongRoleOrNoTokenChangesNothing()
    {
        var ipp = await WorkItemApiTests.CreatePatientAsync(Factory.CreateClient());
        var id = await WorkItemApiTests.SeedAsync(Factory, WorkItemKinds.TechnicalFailure, ipp, new { attempts = 3, error = "InsiTimeoutError: délai dépassé" }, Day);
        var cell = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Identitovigilance);

        var noToken = await cell.PostAsync($"/signalements?handler=Review&id={id}", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        var integrator = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Integrateur, followRedirects: false);
        var wrongRole = await WebForms.PostAsync(integrator, "/signalements", new Dictionary<string, string> { ["comment"] = "vu" }, $"/signalements?handler=Resolve&id={id}");
        Assert.StartsWith("/acces-refuse", wrongRole.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(WorkItem.Open, await StateAsync(id));

        var taken = WebUtility.HtmlDecode(await (await WebForms.PostAsync(cell, "/signalements", new Dictionary<string, string>(), $"/signalements?handler=Review&id={id}")).Content.ReadAsStringAsync());
        Assert.Contains($"Signalement n° {id} pris en charge.", taken);
        Assert.Equal(WorkItem.InReview, await StateAsync(id));

        var refused = WebUtility.HtmlDecode(await (await WebForms.PostAsync(cell, "/signalements", new Dictionary<string, string> { ["comment"] = " " }, $"/signalements?handler=Resolve&id={id}")).Content.ReadAsStringAsync());
        Assert.Contains($"Signalement n° {id} : indiquez ce qui a été fait", refused);
        Assert.Equal(WorkItem.InReview, await StateAsync(id));

        var resolved = WebUtility.HtmlDecode(await (await WebForms.PostAsync(cell, "/signalements", new Dictionary<string, string> { ["comment"] = "Téléservice rétabli, INSi rappelé." }, $"/signalements?handler=Resolve&id={id}")).Content.ReadAsStringAsync());
        Assert.Contains($"Signalement n° {id} marqué comme traité.", resolved);
        Assert.DoesNotContain($"id=\"signalement-{id}\"", resolved); // the default list shows what is left to do
        Assert.Equal(WorkItem.Resolved, await StateAsync(id));
        var history = WebUtility.HtmlDecode(await cell.GetStringAsync($"/signalements?state=resolved&kind=technical-failure"));
        Assert.Contains("Téléservice rétabli, INSi rappelé.", history);
    }

    [Fact]
    public async Task Accueil_CannotOpenTheScreen_NorSeeItInTheMenu()
    {
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Accueil, followRedirects: false);
        var response = await client.GetAsync("/signalements");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/acces-refuse", response.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/signalements", WebUtility.HtmlDecode(await client.GetStringAsync("/")));
    }
}
