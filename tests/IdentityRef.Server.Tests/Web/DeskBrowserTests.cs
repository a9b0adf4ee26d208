using System.Text.Json.Nodes;
using IdentityRef.Server.Tests.Support;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// The admission desk's journeys in Chromium, at a desk screen (1366×768) and a tablet (390×844): search by a misspelled
/// name and by IPP, creation with a French date and the commune look-up, the duplicate warning then "créer quand même",
/// an account's first password change. No page of the desk overflows sideways at 390 px. Screenshots:
/// <c>TestResults/screenshots/desk-*-{width}.png</c>.
/// </summary>
public sealed class DeskBrowserTests : BrowserTest
{
    private static readonly (int Width, int Height)[] Viewports = [(1366, 768), (390, 844)];

    private string BaseUrl => _factory!.SocketAddress.ToString().TrimEnd('/');

    private async Task<(IBrowserContext Context, IPage Page)> OpenAsync(int width, int height)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = width, Height = height } });
        return (context, await context.NewPageAsync());
    }

    private static async Task SignInAsync(IPage page, string baseUrl, string user, string password)
    {
        await page.GotoAsync(baseUrl + "/connexion");
        await page.GetByLabel("Identifiant").FillAsync(user);
        await page.GetByLabel("Mot de passe").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter" }).ClickAsync();
        // Signed in = sent on from the sign-in page (to the page asked for, or to the password change); a load-state wait
        // raced the redirect under load. The redirect is all this waits for (Commit): the next step waits for what it uses,
        // while the next page's full load, at the busiest minute of a CI run, once took more than the 30 s of one wait.
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.EndsWith("/connexion", StringComparison.Ordinal),
            new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
    }

    /// <summary>The page fits the viewport's width: nothing to scroll sideways (wide tables scroll inside their own box).</summary>
    private static async Task AssertNoOverflowAsync(IPage page)
    {
        var (scroll, inner) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => window.innerWidth"));
        if (scroll > inner)
        {
            // the outermost elements past the right edge, outside the boxes that scroll on their own
            var culprits = await page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !(e.parentElement && e.parentElement.closest('.table-scroll')))
                    .slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().right))
                """);
            Assert.Fail($"{new Uri(page.Url).PathAndQuery} is {scroll} px wide in a {inner} px window: {string.Join(", ", culprits)}");
        }
    }

    private async Task<string> CreateAsync(JsonObject person) =>
        (string)(await (await _factory!.CreateClient().PostAsync("/api/patients", person.With("confirmDuplicate", true).Content())).ReadObjectAsync())["ipp"]!;

    [ChromiumFact]
    public async Task Search_ByAMisspelledName_AndByIpp_FitsTheScreen()
    {
        foreach (var (width, height) in Viewports)
        {
            var unique = PatientJson.UniqueLetters();
            var compound = await CreateAsync(PatientJson.Valid($"D'{unique}-DUPONT").With("firstNames", "Jeanne"));
            var first = "Z" + PatientJson.UniqueLetters()[..6];
            var bySound = await CreateAsync(PatientJson.Valid("DUPONT").With("firstNames", first).With("birthDate", "1961-02-03"));
            var (context, page) = await OpenAsync(width, height);
            await SignInAsync(page, BaseUrl, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
            await page.GetByRole(AriaRole.Link, new() { Name = "Identités", Exact = true }).ClickAsync();
            await AssertNoOverflowAsync(page);

            await page.Locator("#q").FillAsync($"d {unique.ToLowerInvariant()}"); // no apostrophe, no hyphen, lower case
            await page.GetByRole(AriaRole.Button, new() { Name = "Rechercher", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = compound, Exact = true }).WaitForAsync();
            await AssertNoOverflowAsync(page);
            await Screenshots.TakeAsync(page, $"desk-recherche-orthographe-{width}");

            await page.Locator("#q").FillAsync($"dupond {first.ToLowerInvariant()}"); // the sound of the name
            await page.GetByRole(AriaRole.Button, new() { Name = "Rechercher", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = bySound, Exact = true }).WaitForAsync();
            Assert.Contains("son du nom", await page.Locator("table.data").InnerTextAsync());
            await Screenshots.TakeAsync(page, $"desk-recherche-phonetique-{width}");

            await page.Locator("#q").FillAsync(compound);
            await page.GetByRole(AriaRole.Button, new() { Name = "Rechercher", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "1 identité trouvée" }).WaitForAsync();
            await AssertNoOverflowAsync(page);
            await page.GetByRole(AriaRole.Link, new() { Name = compound, Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = "Historique" }).WaitForAsync();
            await AssertNoOverflowAsync(page);
            await Screenshots.TakeAsync(page, $"desk-fiche-{width}");
            await context.CloseAsync();
        }
    }

    [ChromiumFact]
    public async Task Create_WithAFrenchDateAndTheCommuneLookUp_ThenTheDuplicateWarning_ThenCreateAnyway()
    {
        foreach (var (width, height) in Viewports)
        {
            var name = "NOUVEAU" + PatientJson.UniqueLetters();
            var (context, page) = await OpenAsync(width, height);
            await SignInAsync(page, BaseUrl, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
            await page.GotoAsync($"{BaseUrl}/identites?q={name}");
            Assert.Contains("recherchez d'abord le patient par son nom, son prénom et sa date de naissance", await page.Locator("main").InnerTextAsync());
            await page.Locator("#q").FillAsync($"{name} Marie 14/07/1985");
            await page.GetByRole(AriaRole.Button, new() { Name = "Rechercher", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "créer une identité" }).ClickAsync();
            Assert.Equal("14/07/1985", await page.Locator("#birthDate").InputValueAsync());
            await page.Locator("#sex").SelectOptionAsync("F");

            // the commune look-up: typing offers "Lyon (69123)"
            await page.Locator("#birthPlaceCode").PressSequentiallyAsync("lyo", new() { Delay = 60 });
            await page.Locator("#lieux-naissance option[value='Lyon (69123)']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.Locator("#birthPlaceCode").FillAsync("Lyon (69123)");
            await page.Locator("#phone").FillAsync("0611223344");
            await AssertNoOverflowAsync(page);
            await Screenshots.TakeAsync(page, $"desk-creation-{width}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Créer l'identité" }).ClickAsync();
            await page.GetByText("Identité provisoire").First.WaitForAsync();
            var main = await page.Locator("main").InnerTextAsync();
            Assert.Contains("Lyon (69123)", main);
            Assert.Contains("14/07/1985", main);
            var firstIpp = new Uri(page.Url).AbsolutePath.Split('/')[^1];

            // the same person again: the warning shows both side by side; the candidate opens in a new tab; create anyway
            await page.GotoAsync(BaseUrl + "/identites/nouvelle");
            await page.Locator("#birthName").FillAsync(name);
            await page.Locator("#firstNames").FillAsync("Marie");
            await page.Locator("#birthDate").FillAsync("14/07/1985");
            await page.Locator("#sex").SelectOptionAsync("F");
            await page.Locator("#birthPlaceCode").FillAsync("lyon");
            await page.Locator("#phone").FillAsync("0699887766");
            await page.GetByRole(AriaRole.Button, new() { Name = "Créer l'identité" }).ClickAsync();
            var warning = page.Locator("table.side-by-side");
            await warning.WaitForAsync();
            Assert.Contains("doublon probable", await warning.InnerTextAsync());
            Assert.Equal("_blank", await page.Locator($"table.side-by-side a[href='/identites/{firstIpp}']").GetAttributeAsync("target"));
            Assert.Equal("0699887766", await page.Locator("#phone").InputValueAsync()); // nothing typed is lost
            await AssertNoOverflowAsync(page);
            await Screenshots.TakeAsync(page, $"desk-doublon-{width}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Créer quand même" }).ClickAsync();
            await page.GetByText("Identité provisoire").First.WaitForAsync();
            Assert.NotEqual(firstIpp, new Uri(page.Url).AbsolutePath.Split('/')[^1]);
            Assert.Contains("0699887766", await page.Locator("main").InnerTextAsync());
            await context.CloseAsync();
        }
    }

    [ChromiumFact]
    public async Task AnAccountCreatedByTheAdministrator_ChangesItsTemporaryPassword_AtTheFirstSignIn()
    {
        foreach (var (width, height) in Viewports)
        {
            var user = "agent-" + PatientJson.UniqueLetters().ToLowerInvariant();
            var (context, page) = await OpenAsync(width, height);
            await SignInAsync(page, BaseUrl, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
            await page.GotoAsync(BaseUrl + "/comptes");
            await page.Locator("#userName").FillAsync(user);
            await page.Locator("#fullName").FillAsync("Louise Michel");
            await page.Locator("#password").FillAsync("provisoire-123456");
            await page.Locator("#role").SelectOptionAsync("Accueil");
            await page.GetByRole(AriaRole.Button, new() { Name = "Créer le compte" }).ClickAsync();
            await page.GetByText($"Compte {user} créé").WaitForAsync();
            await AssertNoOverflowAsync(page);
            await Screenshots.TakeAsync(page, $"desk-comptes-{width}");
            await context.CloseAsync();

            (context, page) = await OpenAsync(width, height);
            await SignInAsync(page, BaseUrl, user, "provisoire-123456");
            await page.GetByRole(AriaRole.Heading, new() { Name = "Changer mon mot de passe" }).WaitForAsync();
            Assert.Contains("Votre mot de passe est provisoire", await page.Locator("main").InnerTextAsync());
            await AssertNoOverflowAsync(page);
            await page.Locator("#currentPassword").FillAsync("provisoire-123456");
            await page.Locator("#newPassword").FillAsync("ma phrase à moi, assez longue");
            await page.Locator("#confirmation").FillAsync("ma phrase à moi, assez longue");
            await Screenshots.TakeAsync(page, $"desk-mot-de-passe-{width}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Changer le mot de passe" }).ClickAsync();
            await page.GetByText("Mot de passe changé.").WaitForAsync();
            await page.GotoAsync(BaseUrl + "/identites");
            await page.Locator("#q").WaitForAsync();
            await context.CloseAsync();
        }
    }

    [ChromiumFact]
    public async Task ErrorPagesAndSignIn_AreFrenchPages_ThatFitTheScreen()
    {
        foreach (var (width, height) in Viewports)
        {
            var (context, page) = await OpenAsync(width, height);
            await page.GotoAsync(BaseUrl + "/connexion");
            await AssertNoOverflowAsync(page);
            await SignInAsync(page, BaseUrl, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
            var missing = await page.GotoAsync(BaseUrl + "/nulle-part");
            Assert.Equal(404, missing!.Status);
            await page.GetByRole(AriaRole.Heading, new() { Name = "Page introuvable" }).WaitForAsync();
            await AssertNoOverflowAsync(page);
            await Screenshots.TakeAsync(page, $"desk-erreur-404-{width}");
            await page.GotoAsync(BaseUrl + "/comptes");
            await AssertNoOverflowAsync(page);
            await context.CloseAsync();
        }
    }
}
