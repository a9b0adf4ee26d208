using IdentityRef.Application.Security;
using System.Net;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Jobs;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The "Tâches planifiées" screen over plain HTTP, with the real scheduler on.</summary>
public sealed class OperationsPagesTests
{
    [Fact]
    public async Task JobsScreen_RunsPausesAndResumesAJob_AndShowsItsRuns()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, JobsApiTests.SchedulerOn());
        var client = await IntegrationPagesTests.SignedInAsAsync(factory, Roles.Integrateur);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/taches"));
        Assert.Contains("href=\"/taches\"", page);
        Assert.Contains("Revérification des INS", page);
        Assert.Contains(JobsApiTests.FarAway, page); // in the title of its description
        Assert.Contains("une seule fois, le 01/01/2099 à 00:00", page);
        Assert.Contains("chaque jour à 02:30", page);
        Assert.Contains("toutes les 5 minutes", page);
        Assert.Contains("Détection des doublons (toute la base)", page);
        Assert.DoesNotContain("Looks for duplicates", page);

        var run = await WebForms.PostAsync(client, "/taches", new Dictionary<string, string>(), "/taches?handler=Run&name=insi-retry");
        Assert.Contains("demandée", WebUtility.HtmlDecode(await run.Content.ReadAsStringAsync()));
        await JobsApiTests.FinishedRunsAsync(factory.CreateClient(), "insi-retry");
        Assert.Contains("réussie", WebUtility.HtmlDecode(await client.GetStringAsync("/taches?job=insi-retry")));

        var paused = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/taches", new Dictionary<string, string>(), "/taches?handler=Pause&name=insi-retry")).Content.ReadAsStringAsync());
        Assert.Contains("suspendue", paused);
        Assert.Contains("Reprendre : Nouvel appel INSi après erreur technique", paused);
        var resumed = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/taches", new Dictionary<string, string>(), "/taches?handler=Resume&name=insi-retry")).Content.ReadAsStringAsync());
        Assert.Contains("Suspendre : Nouvel appel INSi après erreur technique", resumed);
    }

    [Fact]
    public async Task JobsScreen_ForbiddenToAccueil_AndActionsNeedTheAntiforgeryToken()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var accueil = await IntegrationPagesTests.SignedInAsAsync(factory, Roles.Accueil, followRedirects: false);
        var refused = await accueil.GetAsync("/taches");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/acces-refuse", refused.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/taches\"", await accueil.GetStringAsync("/"));

        var admin = await IntegrationPagesTests.SignedInAsAsync(factory, Roles.Administrateur);
        var noToken = await admin.PostAsync("/taches?handler=Pause&name=insi-retry", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        // Scheduler off on this instance: the action is explained, not an error page.
        var disabled = await WebForms.PostAsync(admin, "/taches", new Dictionary<string, string>(), "/taches?handler=Pause&name=insi-retry");
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Contains("Le planificateur est désactivé sur cette instance", WebUtility.HtmlDecode(await disabled.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("0 30 2 * * ?", "chaque jour à 02:30")]
    [InlineData("0 0/15 * * * ?", "toutes les 15 minutes")]
    [InlineData("0 15 * * * ?", "toutes les heures, à la minute 15")]
    [InlineData("0 0 6 ? * MON", "chaque lundi à 06:00")]
    [InlineData("0 0 6 1 * ?", "le 1 de chaque mois à 06:00")]
    [InlineData("0 0 0 31 2 ? 2099", "planification particulière (expression cron 0 0 0 31 2 ? 2099)")]
    [InlineData("*/5 * * * * ?", "planification particulière (expression cron */5 * * * * ?)")]
    public void Schedule_InWords(string cron, string words) => Assert.Equal(words, IdentityRef.Server.Web.Pages.Operations.OperationsText.Schedule(cron));

    [Fact]
    public void Counters_InWords_NeverRaw()
    {
        var counts = new Dictionary<string, int> { ["candidatePairs"] = 12345, ["oversizedBlocks"] = 0, ["brand-new"] = 1 };

        var text = IdentityRef.Server.Web.Pages.Operations.OperationsText.Counts(counts);

        Assert.Equal("paires comparées : 12\u202f345 ; blocs trop grands ignorés : 0 ; autre compteur : 1", text);
    }
}
