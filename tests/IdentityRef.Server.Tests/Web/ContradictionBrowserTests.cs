using IdentityRef.Application.Security;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// An INSi contradiction in a real browser: admission rejects the INSi answer for TCHITCHI OLA CATARINA (INSi knows
/// CATARINA BELLA), the cell opens it from the queue, sees the identity and the answer side by side, is refused
/// "traits corrected" while the first names differ, then decides that the answer is another person.
/// Screenshots go to <c>TestResults/screenshots</c>.
/// </summary>
public sealed class ContradictionBrowserTests : BrowserTest
{
    [ChromiumFact]
    public async Task ContradictionJourney_OpenFromTheQueue_CompareWithInsi_RefusedThenOtherPerson()
    {
        var baseUrl = _factory!.SocketAddress.ToString().TrimEnd('/');
        var admission = _factory.CreateClient(Roles.Accueil);
        var created = await admission.PostAsync("/api/patients", new JsonObject
        {
            ["birthName"] = "Tchitchi", ["firstNames"] = "Ola Catarina", ["birthDate"] = "1936-06-21", ["sex"] = "F", ["confirmDuplicate"] = true,
        }.Content());
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        Assert.Equal(HttpStatusCode.OK, (await admission.PostAsync($"/api/patients/{ipp}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admission.PostAsync($"/api/patients/{ipp}/insi/reject", null)).StatusCode);
        var cell = "iv-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(_factory, cell, Roles.Identitovigilance);

        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(baseUrl + "/connexion");
        await page.GetByLabel("Identifiant").FillAsync(cell);
        await page.GetByLabel("Mot de passe").FillAsync(IntegrationPagesTests.PasswordOfTestAccounts);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Collisions potentielles ouvertes" }).ClickAsync();
        var row = page.Locator("table.queue-table tbody tr").Filter(new() { HasText = ipp });
        Assert.Contains("traits INSi contradictoires", await row.InnerTextAsync());
        await Screenshots.TakeAsync(page, "34-file-collisions-insi");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "L'identité et la réponse INSi" }).WaitForAsync();
        var compare = await page.Locator("table.compare").InnerTextAsync();
        Assert.Contains("OLA CATARINA", compare);
        Assert.Contains("CATARINA BELLA", compare);
        await Screenshots.TakeAsync(page, "35-contradiction-insi");

        await page.GetByRole(AriaRole.Button, new() { Name = "Traits corrigés" }).ClickAsync();
        await page.GetByText("contredisent encore la réponse INSi").WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "La réponse INSi est une autre personne" }).ClickAsync();
        await page.GetByText("elle est rejetée").WaitForAsync();
        Assert.DoesNotContain("Traits corrigés", await page.Locator("main").InnerTextAsync());
        await Screenshots.TakeAsync(page, "36-contradiction-resolue");
    }
}
