using IdentityRef.Application.Security;
using IdentityRef.Server.Tests.Duplicates;
using IdentityRef.Server.Tests.Support;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// The cell reviews a person at once, in a real browser (Chromium) against the real server: from the queue to the groups, a group of
/// three records side by side, its merge in one decision (the button in view at 1366×768). Screenshots go to <c>TestResults/screenshots</c>.
/// </summary>
public sealed class GroupBrowserTests : BrowserTest
{
    [ChromiumFact]
    public async Task Queue_Groups_AGroupOfThree_MergedInOneDecision()
    {
        var api = _factory!.CreateClient();
        var t = await DuplicateGroupTests.TriangleAsync(api);
        var key = new[] { t.AB, t.AC, t.BC }.Min();
        var cell = "iv-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(_factory, cell, Roles.Identitovigilance);
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new() { Width = 1366, Height = 768 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_factory.SocketAddress.ToString().TrimEnd('/') + "/connexion");
        await page.GetByLabel("Identifiant").FillAsync(cell);
        await page.GetByLabel("Mot de passe").FillAsync(IntegrationPagesTests.PasswordOfTestAccounts);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Navigation principale" }).WaitForAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "File de travail", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Voir par groupes" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = $"Groupe n° {key}", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Les dossiers côte à côte" }).WaitForAsync();
        var merge = page.GetByRole(AriaRole.Button, new() { Name = "Fusionner le groupe" });
        var box = await merge.BoundingBoxAsync();
        Assert.True(box is not null && box.Y + box.Height <= 768, "the merge button is in view at 1366×768");
        await Screenshots.TakeAsync(page, "45-groupe-1366x768");

        await page.Locator($"#survivor-{t.C}").CheckAsync();
        await merge.ClickAsync();
        await page.GetByText($"dans l'identité {t.C}, une fusion par dossier").WaitForAsync();
        foreach (var ipp in new[] { t.A, t.B })
        {
            Assert.Equal(t.C, (string)(await (await api.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["mergedInto"]!);
        }
    }
}
