using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// The main journeys in a real browser (Debian's headless Chromium) against the real server on a Kestrel socket:
/// sign in, search, create ADRTROIS DOMINIQUE, qualify her through INSi and a passport. Screenshots of each
/// screen go to <c>TestResults/screenshots</c> at the repository root.
/// </summary>
public sealed class BrowserJourneyTests : BrowserTest
{
    [ChromiumFact]
    public async Task AdmissionJourney_SignInCreateAndQualifyAdrtroisDominique_EndsQual()
    {
        var baseUrl = _factory!.SocketAddress.ToString().TrimEnd('/');
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();

        await page.GotoAsync(baseUrl + "/");
        Assert.EndsWith("/connexion", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "01-connexion");
        await page.GetByLabel("Identifiant").FillAsync(IdentityRefFactory.AdminUser);
        await page.GetByLabel("Mot de passe").FillAsync(IdentityRefFactory.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Tableau de bord" }).WaitForAsync();
        await Screenshots.TakeAsync(page, "02-tableau-de-bord");

        // Search before create.
        await page.GetByRole(AriaRole.Link, new() { Name = "Identités", Exact = true }).ClickAsync();
        await page.Locator("#q").FillAsync("Adrtrois Dominique 26/02/1997");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rechercher", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Aucune identité trouvée" }).WaitForAsync();
        await Screenshots.TakeAsync(page, "03-recherche");

        // Create, with the search's traits carried over; an empty birth name first shows the field error.
        await page.GetByRole(AriaRole.Link, new() { Name = "créer une identité" }).ClickAsync();
        Assert.Equal("ADRTROIS", (await page.Locator("#birthName").InputValueAsync()).ToUpperInvariant());
        Assert.Equal("26/02/1997", await page.Locator("#birthDate").InputValueAsync());
        await page.Locator("#sex").SelectOptionAsync("F");
        await page.Locator("#birthName").FillAsync("Adrtrois3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer l'identité" }).ClickAsync();
        await page.GetByRole(AriaRole.Alert).First.WaitForAsync();
        Assert.Equal("true", await page.Locator("#birthName").GetAttributeAsync("aria-invalid"));
        await Screenshots.TakeAsync(page, "04-creation-erreur");
        await page.Locator("#birthName").FillAsync("Adrtrois");
        await page.Locator("#usedName").FillAsync("Martin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer l'identité" }).ClickAsync();
        if (await page.GetByRole(AriaRole.Button, new() { Name = "Créer quand même" }).CountAsync() > 0)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Créer quand même" }).ClickAsync();
        }
        await page.GetByText("Identité provisoire").First.WaitForAsync();
        Assert.Matches("/identites/[0-9]+$", new Uri(page.Url).AbsolutePath);
        await Screenshots.TakeAsync(page, "05-identite-provisoire");

        // Qualify: INSi search, traits side by side, accept, then the passport.
        await page.GetByRole(AriaRole.Link, new() { Name = "Qualifier l'identité" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Interroger INSi" }).ClickAsync();
        var birthPlaceRow = page.Locator("table.compare tr.differs", new() { HasText = "Lieu de naissance" });
        await birthPlaceRow.WaitForAsync();
        Assert.Contains("2A020", await birthPlaceRow.InnerTextAsync());
        Assert.Contains("RECO PP 03", await page.Locator(".alert-warning").First.InnerTextAsync());
        await Screenshots.TakeAsync(page, "06-comparaison-insi");
        await page.GetByRole(AriaRole.Button, new() { Name = "Accepter la réponse INSi" }).ClickAsync();
        await page.GetByText("Réponse INSi acceptée").WaitForAsync();
        Assert.Contains("RECUP", await page.Locator(".status-line").InnerTextAsync());

        await page.GetByLabel("Type de pièce").SelectOptionAsync("PA");
        await page.GetByLabel("Numéro de la pièce").FillAsync("19AB12345");
        var expires = _factory.Today.AddYears(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture); // relative to the server's clock, never a fixed year
        await page.GetByLabel("Date d'expiration").FillAsync(expires);
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer le contrôle de la pièce" }).ClickAsync();
        await page.GetByText("Pièce d'identité enregistrée").WaitForAsync();
        Assert.Contains("QUAL", await page.Locator(".status-line").InnerTextAsync());
        await Screenshots.TakeAsync(page, "07-qualification-terminee");

        await page.GetByRole(AriaRole.Link, new() { Name = "Retour à l'identité" }).ClickAsync();
        Assert.Contains("297022A02077878", await page.Locator("dd.ins").InnerTextAsync());
        Assert.Contains("Identité qualifiée", await page.Locator(".status-panel").InnerTextAsync());
        await Screenshots.TakeAsync(page, "08-identite-qualifiee");

        await page.GetByRole(AriaRole.Link, new() { Name = "Tableau de bord", Exact = true }).ClickAsync();
        var qualCard = page.Locator(".card", new() { HasText = "Identité qualifiée" });
        Assert.StartsWith("1", (await qualCard.Locator(".count").InnerTextAsync()).Trim(), StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "09-tableau-de-bord-apres");

        await page.GetByRole(AriaRole.Link, new() { Name = "Comptes", Exact = true }).ClickAsync();
        await Screenshots.TakeAsync(page, "10-comptes");
        await context.CloseAsync();
    }

    [ChromiumFact]
    public async Task SignInForm_IsUsableWithTheKeyboardAlone()
    {
        var baseUrl = _factory!.SocketAddress.ToString().TrimEnd('/');
        var page = await _browser!.NewPageAsync();
        await page.GotoAsync(baseUrl + "/connexion");
        await page.Keyboard.PressAsync("Tab"); // the skip link comes first
        Assert.Equal("Aller au contenu", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter"); // to the main content, past the header
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("UserName", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync(IdentityRefFactory.AdminUser);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(IdentityRefFactory.AdminPassword);
        await page.Keyboard.PressAsync("Enter");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Tableau de bord" }).WaitForAsync();
    }
}

/// <summary>Where the browser is: Debian's Chromium. Missing, the browser tests skip, except on CI where they must run.</summary>
public static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static bool RunningOnCi => TestEnvironment.RunningOnCi;

    public static string? UnavailableReason => File.Exists(Path) ? null : $"{Path} is missing (apt-get install chromium)";
}

public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!Chromium.RunningOnCi && Chromium.UnavailableReason is { } reason)
        {
            Skip = "Browser tests skipped: " + reason;
        }
    }
}

/// <summary>Saves full-page screenshots under <c>TestResults/screenshots</c> of the repository (git-ignored test artefacts).</summary>
public static class Screenshots
{
    public static string Folder { get; } = FindFolder();

    public static Task TakeAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(Folder, name + ".png"), FullPage = true });

    private static string FindFolder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "IdentityRef.sln")))
        {
            directory = directory.Parent;
        }
        var folder = System.IO.Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
