using IdentityRef.Application.Security;
using IdentityRef.Server.Tests.Support;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// The vigilance cell's day in a real browser (Chromium) against the real server: the queue, "m'attribuer", the pair page with
/// its decision bar in view at 1366×768, a merge trait by trait, the bulk "pas un doublon" with its reason, the indicators and
/// their CSV link. Screenshots at 1366×768 and 390×844 go to <c>TestResults/screenshots</c>.
/// </summary>
public sealed class CellBrowserTests : BrowserTest
{
    private static readonly ViewportSize Desk = new() { Width = 1366, Height = 768 };
    private static readonly ViewportSize Tablet = new() { Width = 390, Height = 844 };

    private async Task<IPage> SignedInAsync(string user, ViewportSize viewport)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = viewport });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_factory!.SocketAddress.ToString().TrimEnd('/') + "/connexion");
        await page.GetByLabel("Identifiant").FillAsync(user);
        await page.GetByLabel("Mot de passe").FillAsync(IntegrationPagesTests.PasswordOfTestAccounts);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Navigation principale" }).WaitForAsync();
        return page;
    }

    private static async Task AssertInViewportAsync(IPage page, ILocator element, string what)
    {
        var box = await element.BoundingBoxAsync();
        Assert.True(box is not null, $"{what}: not shown");
        Assert.True(box!.Y >= 0 && box.Y + box.Height <= page.ViewportSize!.Height && box.X + box.Width <= page.ViewportSize.Width,
            $"{what}: at ({box.X}, {box.Y}), {box.Width}×{box.Height}, outside {page.ViewportSize.Width}×{page.ViewportSize.Height}");
    }

    [ChromiumFact]
    public async Task Queue_Assign_Pair_MergeTraitByTrait_TheDecisionsInViewAt1366x768()
    {
        var api = _factory!.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(api);
        var id = await VigilancePagesTests.DetectedItemAsync(api, a, b);
        var cell = "iv-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(_factory, cell, Roles.Identitovigilance);
        var page = await SignedInAsync(cell, Desk);

        await page.GetByRole(AriaRole.Link, new() { Name = "File de travail", Exact = true }).ClickAsync();
        var row = page.Locator("table.queue-table tbody tr").Filter(new() { HasText = $"Paire n° {id}" });
        Assert.Contains("04/03/1980", await row.InnerTextAsync());
        await Screenshots.TakeAsync(page, "40-file-1366x768");
        await row.GetByRole(AriaRole.Button, new() { Name = $"M'attribuer la paire n° {id}" }).ClickAsync();
        await page.GetByText($"Paire n° {id} attribuée à {cell}").WaitForAsync();

        await page.Locator("table.queue-table tbody tr").Filter(new() { HasText = $"Paire n° {id}" }).GetByRole(AriaRole.Link, new() { Name = $"Paire n° {id}" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Explication du score" }).WaitForAsync();
        await AssertInViewportAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Fusionner", Exact = true }), "Fusionner");
        await AssertInViewportAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Pas un doublon" }), "Pas un doublon");
        await AssertInViewportAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Paire suivante" }), "Paire suivante");
        var table = await page.Locator("table.pair-table").InnerTextAsync();
        Assert.Contains("jour et mois inversés", table);
        Assert.DoesNotContain("(used:", table);
        await Screenshots.TakeAsync(page, "41-paire-1366x768");

        // Keep A (the identity of the first column), take the birth date of B.
        var survivor = await page.Locator("#survivor-a").GetAttributeAsync("value");
        await page.Locator("#survivor-a").CheckAsync();
        await page.Locator("#t-birthDate-b").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Fusionner", Exact = true }).ClickAsync();
        await page.GetByText($"Fusion faite : l'identité {survivor} est conservée. Repris de l'autre identité : date de naissance.").WaitForAsync();
        Assert.Contains("trait repris de l'autre identité", await page.Locator("#historique").Locator("..").InnerTextAsync());
        await Screenshots.TakeAsync(page, "42-fusion-trait-par-trait-1366x768");

        var tablet = await SignedInAsync(cell, Tablet);
        await tablet.GotoAsync(_factory.SocketAddress.ToString().TrimEnd('/') + $"/identitovigilance/{id}");
        await Screenshots.TakeAsync(tablet, "43-paire-390x844");
        await tablet.GotoAsync(_factory.SocketAddress.ToString().TrimEnd('/') + "/identitovigilance");
        await Screenshots.TakeAsync(tablet, "44-file-390x844");
    }

    [ChromiumFact]
    public async Task BulkNotADuplicate_AsksTheReason_ThenClassesTheTickedPairs()
    {
        var api = _factory!.CreateClient();
        var (a, b) = await VigilancePagesTests.LookAlikesAsync(api);
        var first = await VigilancePagesTests.DetectedItemAsync(api, a, b);
        var (c, d) = await VigilancePagesTests.LookAlikesAsync(api);
        var second = await VigilancePagesTests.DetectedItemAsync(api, c, d);
        var cell = "iv-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(_factory, cell, Roles.Identitovigilance);
        var page = await SignedInAsync(cell, Desk);
        await page.GotoAsync(_factory.SocketAddress.ToString().TrimEnd('/') + "/identitovigilance");

        await page.Locator($"#choix-{first}").CheckAsync();
        await page.Locator($"#choix-{second}").CheckAsync();
        // The reason is required by the browser first; the server says so too (a blank reason).
        await page.GetByLabel("Motif (obligatoire, enregistré sur chaque paire)").FillAsync("   ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pas un doublon" }).ClickAsync();
        await page.GetByText("Indiquez le motif (obligatoire").First.WaitForAsync();
        await Screenshots.TakeAsync(page, "45-lot-sans-motif-1366x768");

        await page.Locator($"#choix-{first}").CheckAsync();
        await page.Locator($"#choix-{second}").CheckAsync();
        await page.GetByLabel("Motif (obligatoire, enregistré sur chaque paire)").FillAsync("Homonymes connus, pièces vues");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pas un doublon" }).ClickAsync();
        await page.GetByText("2 paires classées « pas un doublon »").WaitForAsync();
        foreach (var id in new[] { first, second })
        {
            var detail = await (await api.GetAsync($"/api/duplicates/{id}")).ReadObjectAsync();
            Assert.Equal("not-duplicate", (string)detail["item"]!["resolution"]!);
        }
        await Screenshots.TakeAsync(page, "46-lot-classe-1366x768");
    }

    [ChromiumFact]
    public async Task Indicators_LinkTheCsvExport_AndPrint()
    {
        var user = "dir-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(_factory!, user, Roles.Accueil);
        var page = await SignedInAsync(user, Desk);

        await page.GetByRole(AriaRole.Link, new() { Name = "Indicateurs", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Indicateurs d'identitovigilance" }).WaitForAsync();
        var csv = page.GetByRole(AriaRole.Link, new() { Name = "Exporter en CSV (tableur)" });
        Assert.EndsWith(".csv", await csv.GetAttributeAsync("href"), StringComparison.Ordinal);
        var download = await page.RunAndWaitForDownloadAsync(() => csv.ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "47-indicateurs-1366x768");
        await page.GetByRole(AriaRole.Link, new() { Name = "Version imprimable" }).ClickAsync();
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        Assert.False(await page.GetByRole(AriaRole.Link, new() { Name = "Exporter en CSV (tableur)" }).IsVisibleAsync());
        await Screenshots.TakeAsync(page, "48-indicateurs-impression");
        var tablet = await SignedInAsync(user, Tablet);
        await tablet.GotoAsync(_factory!.SocketAddress.ToString().TrimEnd('/') + "/tableau-de-bord");
        await Screenshots.TakeAsync(tablet, "49-indicateurs-390x844");
    }
}
