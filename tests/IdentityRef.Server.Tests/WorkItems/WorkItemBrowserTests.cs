using IdentityRef.Application.Jobs;
using IdentityRef.Application.Security;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using IdentityRef.Server.Tests.Web;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.WorkItems;

/// <summary>
/// A work item in a real browser: the cell opens "Signalements" from the dashboard, takes an INS re-verification item,
/// then resolves it with a comment. Screenshots go to <c>TestResults/screenshots</c>.
/// </summary>
public sealed class WorkItemBrowserTests : BrowserTest
{
    [ChromiumFact]
    public async Task CellJourney_FromTheDashboard_TakeThenResolveWithAComment()
    {
        var baseUrl = _factory!.SocketAddress.ToString().TrimEnd('/');
        var ipp = await WorkItemApiTests.CreatePatientAsync(_factory.CreateClient());
        var id = await WorkItemApiTests.SeedAsync(_factory, WorkItemKinds.ReverificationMismatch, ipp,
            new { reason = "several-identities", code = "02", operation = "search", calledAt = DateTimeOffset.UtcNow, policy = "KeepAndReport" }, DateTimeOffset.UtcNow);
        var cell = "iv-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(_factory, cell, Roles.Identitovigilance);

        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(baseUrl + "/connexion");
        await page.GetByLabel("Identifiant").FillAsync(cell);
        await page.GetByLabel("Mot de passe").FillAsync(IntegrationPagesTests.PasswordOfTestAccounts);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "INS revérifié : traits différents" }).ClickAsync();

        var row = page.Locator($"#signalement-{id}");
        Assert.Contains("INSi renvoie plusieurs identités pour ces traits", await row.InnerTextAsync());
        Assert.Equal($"/identites/{ipp}", await row.GetByRole(AriaRole.Link, new() { Name = ipp }).GetAttributeAsync("href"));
        await row.GetByRole(AriaRole.Button, new() { Name = "Prendre en charge" }).ClickAsync();
        await page.GetByText($"Signalement n° {id} pris en charge.").WaitForAsync();
        Assert.Contains($"par {cell}", await page.Locator($"#signalement-{id}").InnerTextAsync());
        await Screenshots.TakeAsync(page, "40-signalements");

        await page.Locator($"#comment-{id}").FillAsync("Deux homonymes chez INSi : pièce d'identité vérifiée, INS confirmé.");
        await page.Locator($"#signalement-{id}").GetByRole(AriaRole.Button, new() { Name = "Marquer comme traité" }).ClickAsync();
        await page.GetByText($"Signalement n° {id} marqué comme traité.").WaitForAsync();
        Assert.Equal(0, await page.Locator($"#signalement-{id}").CountAsync());
        await Screenshots.TakeAsync(page, "41-signalement-traite");
    }
}
