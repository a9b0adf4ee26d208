using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Jobs;
using IdentityRef.Server.Tests.Support;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// The vigilance cell's journey in a real browser against the real server on a Kestrel socket: two records of
/// one person created through the API, detection run from the queue, the pair compared and merged keeping the
/// chosen identity, the undo offered. Screenshots go to <c>TestResults/screenshots</c>.
/// </summary>
public sealed class VigilanceBrowserTests : BrowserTest
{
    protected override IDictionary<string, string?>? ServerSettings => JobsApiTests.SchedulerOn();

    [ChromiumFact]
    public async Task VigilanceJourney_DetectFromTheQueue_ComparePair_MergeKeepingTheChosenSurvivor()
    {
        var baseUrl = _factory!.SocketAddress.ToString().TrimEnd('/');
        var (ippA, ippB) = await VigilancePagesTests.LookAlikesAsync(_factory.CreateClient());
        var cell = "iv-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(_factory, cell, Roles.Identitovigilance);

        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(baseUrl + "/connexion");
        await page.GetByLabel("Identifiant").FillAsync(cell);
        await page.GetByLabel("Mot de passe").FillAsync(IntegrationPagesTests.PasswordOfTestAccounts);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Tableau de bord" }).WaitForAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "File de travail", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Lancer la détection" }).ClickAsync();
        await page.GetByText("Détection terminée").WaitForAsync();
        var row = page.Locator("table.queue-table tbody tr").Filter(new() { HasText = ippA }).Filter(new() { HasText = ippB });
        Assert.Equal(1, await row.CountAsync());
        await Screenshots.TakeAsync(page, "30-file-de-travail");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Explication du score" }).WaitForAsync();
        var explanation = await page.Locator("table.pair-table").InnerTextAsync();
        Assert.Contains("Date de naissance", explanation);
        Assert.Contains("jour et mois inversés", explanation);
        Assert.Contains("04/03/1980", explanation);
        Assert.Contains("03/04/1980", explanation);
        await Screenshots.TakeAsync(page, "31-comparaison");

        await page.Locator($"input[name=survivor][value='{ippB}']").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Fusionner", Exact = true }).ClickAsync();
        await page.GetByText($"Fusion faite : l'identité {ippB} est conservée.").WaitForAsync();
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Annuler la fusion" }).IsVisibleAsync());
        Assert.Contains(ippB, await page.Locator("section.merge-done").InnerTextAsync());
        await Screenshots.TakeAsync(page, "32-fusion-faite");

        var operatorName = "ops-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(_factory, operatorName, Roles.Administrateur);
        var ops = await (await _browser.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = 1400, Height = 900 } })).NewPageAsync();
        await ops.GotoAsync(baseUrl + "/connexion");
        await ops.GetByLabel("Identifiant").FillAsync(operatorName);
        await ops.GetByLabel("Mot de passe").FillAsync(IntegrationPagesTests.PasswordOfTestAccounts);
        await ops.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await ops.GetByRole(AriaRole.Link, new() { Name = "Tâches planifiées", Exact = true }).ClickAsync();
        await ops.GetByRole(AriaRole.Button, new() { Name = "Lancer maintenant : Nouvel appel INSi après erreur technique" }).ClickAsync();
        await ops.GetByText("demandée").WaitForAsync();
        await JobsApiTests.FinishedRunsAsync(_factory.CreateClient(), "insi-retry");
        await ops.ReloadAsync();
        Assert.Contains("réussie", await ops.Locator("table.runs").InnerTextAsync());
        await Screenshots.TakeAsync(ops, "33-taches-planifiees");
    }
}
