using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// The integrator's journey in a real browser against the real server on a Kestrel socket: subscribe a
/// downstream system (a real MLLP listener on loopback answering AA), see a new patient's A28 acknowledged
/// in the message monitor, resend it. Screenshots go to <c>TestResults/screenshots</c>.
/// </summary>
public sealed class IntegrationBrowserTests : BrowserTest
{
    [ChromiumFact]
    public async Task IntegratorJourney_SubscribeFakeDownstream_NewPatientIsAcknowledgedInTheMonitor()
    {
        await using var downstream = new FakeDownstream();
        var baseUrl = _factory!.SocketAddress.ToString().TrimEnd('/');
        var integrator = "integ-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await IntegrationPagesTests.CreateAccountAsync(_factory, integrator, Roles.Integrateur);

        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(baseUrl + "/connexion");
        await page.GetByLabel("Identifiant").FillAsync(integrator);
        await page.GetByLabel("Mot de passe").FillAsync(IntegrationPagesTests.PasswordOfTestAccounts);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Tableau de bord" }).WaitForAsync();

        // Subscribe the downstream system; a bad port first shows the field error.
        await page.GetByRole(AriaRole.Link, new() { Name = "Abonnements", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Nouvel abonnement" }).ClickAsync();
        await page.Locator("#name").FillAsync("LABO"); // "Nom" is also the start of other labels
        await page.GetByLabel("Hôte").FillAsync("127.0.0.1");
        await page.GetByLabel("Port").FillAsync("0");
        await page.GetByLabel("Application destinataire (MSH-5)").FillAsync("LABO");
        await page.GetByLabel("Établissement destinataire (MSH-6)").FillAsync("HOPITAL");
        await page.GetByLabel("Jeu de caractères (MSH-18)").SelectOptionAsync("8859/15");
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer l'abonnement" }).ClickAsync();
        await page.GetByRole(AriaRole.Alert).First.WaitForAsync();
        Assert.Equal("true", await page.Locator("#port").GetAttributeAsync("aria-invalid"));
        Assert.Contains("Un port TCP de 1 à 65535.", await page.Locator("#port-erreur").InnerTextAsync());
        await Screenshots.TakeAsync(page, "20-abonnement-erreur");
        await page.GetByLabel("Port").FillAsync(downstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer l'abonnement" }).ClickAsync();
        await page.GetByText("Abonnement LABO créé.").WaitForAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Tester la connexion à LABO" }).ClickAsync();
        await page.GetByText($"Connexion MLLP réussie à LABO (127.0.0.1:{downstream.Port})").WaitForAsync();

        // A patient is created at the front desk (through the API, as the admission software would).
        using var api = new HttpClient { BaseAddress = new Uri(baseUrl) };
        api.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, IdentityRefFactory.ApiKeyOf(Roles.Accueil));
        var created = await api.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var received = await downstream.WaitForAsync(1);
        Assert.Equal("LABO", received[0].Segments[0].Get(5)); // MSH-5: the receiving application of the form

        await page.ReloadAsync();
        var row = page.Locator("table.subscriptions tbody tr", new() { HasText = "LABO" });
        Assert.Contains("8859/15", await row.InnerTextAsync());
        await Screenshots.TakeAsync(page, "21-abonnements");

        // The monitor: the A28 acknowledged (AA), newest first; the dispatcher records the ACK just after the listener got it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Messages", Exact = true }).ClickAsync();
        var first = page.Locator("table.messages tbody tr").First;
        for (var i = 0; i < 40 && !(await first.Locator("td.state").InnerTextAsync()).Contains("acquitté", StringComparison.Ordinal); i++)
        {
            await Task.Delay(250);
            await page.ReloadAsync();
        }
        Assert.Equal("acquitté", (await first.Locator("td.state").InnerTextAsync()).Trim());
        Assert.Equal("AA", (await first.Locator("td.ack").InnerTextAsync()).Trim());
        Assert.Contains("A28", await first.InnerTextAsync());
        await page.GetByLabel("État").SelectOptionAsync("acknowledged");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filtrer" }).ClickAsync();
        Assert.Contains("state=acknowledged", page.Url, StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "22-messages-acquitte");

        // Resend: a copy with a new control id reaches the system too.
        await first.GetByRole(AriaRole.Button, new() { Name = "Renvoyer" }).ClickAsync();
        await page.GetByText("renvoyé : sa copie").WaitForAsync();
        var again = await downstream.WaitForAsync(2);
        Assert.NotEqual(again[0].Segments[0].Get(10), again[1].Segments[0].Get(10));
        await Screenshots.TakeAsync(page, "23-messages-renvoye");

        await page.GetByRole(AriaRole.Link, new() { Name = "Tableau de bord", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Santé des flux" }).WaitForAsync();
        await Screenshots.TakeAsync(page, "24-tableau-de-bord-flux");
        await context.CloseAsync();
    }
}
