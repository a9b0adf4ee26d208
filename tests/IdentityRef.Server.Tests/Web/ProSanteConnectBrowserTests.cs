using System.Text.Json;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// Sign-in with Pro Santé Connect in a real browser, against a real OpenID provider (oidc-provider as PSC stand-in):
/// an administrator links an RPPS on the accounts screen, the professional signs in with it and works with the role
/// of that account; an unknown RPPS, a refused eIDAS level, a tampered state and a replayed code are all refused with
/// a French page and audited.
/// </summary>
public sealed class ProSanteConnectBrowserTests : IAsyncLifetime
{
    private const string LinkedRpps = "99700218896";
    private const string UnlinkedRpps = "99700547716";

    private PscStandIn? _psc;
    private IdentityRefFactory? _factory;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private string BaseUrl => _factory!.SocketAddress.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        if ((Chromium.UnavailableReason ?? PscStandIn.UnavailableReason) is not null)
        {
            return;
        }
        _psc = await PscStandIn.StartAsync();
        _factory = new IdentityRefFactory(DatabaseProvider.Sqlite, _psc.ServerSettings(), realSocket: true);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.Path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (_psc is not null)
        {
            await _psc.DisposeAsync();
        }
    }

    [PscBrowserFact]
    public async Task AdministratorLinksAnRpps_TheProfessionalSignsInWithPsc_WorksWithTheAccountsRole_AndSignsOut()
    {
        // The administrator creates the account and links the RPPS on the accounts screen.
        var admin = await NewPageAsync();
        await admin.GotoAsync(BaseUrl + "/connexion");
        await admin.GetByLabel("Identifiant").FillAsync(IdentityRefFactory.AdminUser);
        await admin.GetByLabel("Mot de passe").FillAsync(IdentityRefFactory.AdminPassword);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Se connecter", Exact = true }).ClickAsync();
        await admin.GotoAsync(BaseUrl + "/comptes");
        await admin.Locator("#userName").FillAsync("dr.martin");
        await admin.Locator("#password").FillAsync("mot-de-passe-provisoire-1");
        await admin.Locator("#role").SelectOptionAsync(Roles.Accueil);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Créer le compte" }).ClickAsync();
        await admin.GetByLabel("RPPS de dr.martin").FillAsync("9970021889"); // one digit short
        await admin.GetByLabel("RPPS de dr.martin").PressAsync("Enter");
        await admin.GetByRole(AriaRole.Alert).Filter(new() { HasText = "11 chiffres" }).WaitForAsync();
        await admin.GetByLabel("RPPS de dr.martin").FillAsync("8" + LinkedRpps); // the national identifier form is accepted
        await admin.GetByLabel("RPPS de dr.martin").PressAsync("Enter");
        await admin.GetByText($"RPPS {LinkedRpps} associé au compte dr.martin").WaitForAsync();
        Assert.Equal(LinkedRpps, await admin.GetByLabel("RPPS de dr.martin").InputValueAsync());
        await Screenshots.TakeAsync(admin, "psc-01-comptes-rpps");

        // The professional signs in with the card.
        var page = await NewPageAsync();
        await page.GotoAsync(BaseUrl + "/identites");
        Assert.EndsWith("/connexion", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "psc-02-connexion");
        await page.GetByRole(AriaRole.Link, new() { Name = "Se connecter avec Pro Santé Connect" }).ClickAsync();
        Assert.StartsWith(_psc!.Issuer.ToString().TrimEnd('/'), page.Url, StringComparison.Ordinal);
        var received = await SignInAtPscAsync(page, "8" + LinkedRpps, "eidas1");
        Assert.Equal(("eidas1", "openid scope_all", "S256"), received);
        await page.GetByRole(AriaRole.Heading, new() { Name = "Rechercher une identité" }).WaitForAsync(); // the page asked for first
        Assert.EndsWith("/identites", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        Assert.Contains("dr.martin · Accueil", await page.Locator("header .user").InnerTextAsync());
        await Screenshots.TakeAsync(page, "psc-03-connecte");

        // The roles matrix applies as to a password session: Accueil searches identities, but may not manage accounts.
        var accounts = await page.GotoAsync(BaseUrl + "/comptes");
        Assert.Equal(403, accounts!.Status);
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Comptes" }).CountAsync());

        // Sign-out ends the session here and at PSC.
        await page.GotoAsync(BaseUrl + "/");
        await page.GetByRole(AriaRole.Button, new() { Name = "Se déconnecter" }).ClickAsync();
        var confirm = page.Locator("button[name=logout][value=yes]");
        if (await confirm.CountAsync() > 0)
        {
            await confirm.ClickAsync(); // the provider asks before ending its own session
        }
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/connexion", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.GotoAsync(BaseUrl + "/");
        Assert.EndsWith("/connexion", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);

        var trail = await AuditAsync();
        Assert.Contains(trail, a => a.Action == "account.rpps-linked" && a.Actor == IdentityRefFactory.AdminUser);
        var signedIn = Assert.Single(trail, a => a.Action == "account.signed-in" && a.Actor == "dr.martin");
        Assert.Equal("psc", JsonDocument.Parse(signedIn.Details!).RootElement.GetProperty("method").GetString());
        var signedOut = Assert.Single(trail, a => a.Action == "account.signed-out" && a.Actor == "dr.martin");
        Assert.Equal("psc", JsonDocument.Parse(signedOut.Details!).RootElement.GetProperty("method").GetString());
    }

    [PscBrowserFact]
    public async Task UnknownRpps_IsAskedToSeeTheAdministrator_AndNoAccountIsCreated()
    {
        var before = (await AccountsAsync()).Count;
        var page = await NewPageAsync();
        await page.GotoAsync(BaseUrl + "/connexion");
        await page.GetByRole(AriaRole.Link, new() { Name = "Se connecter avec Pro Santé Connect" }).ClickAsync();
        await SignInAtPscAsync(page, "8" + UnlinkedRpps, "eidas1");

        await page.GetByRole(AriaRole.Heading, new() { Name = "Votre carte n'est associée à aucun compte" }).WaitForAsync();
        var text = await page.Locator("main").InnerTextAsync();
        Assert.Contains("Demandez à votre administrateur", text, StringComparison.Ordinal);
        Assert.Contains(UnlinkedRpps, text, StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "psc-04-rpps-inconnu");
        Assert.Equal(before, (await AccountsAsync()).Count);
        await page.GotoAsync(BaseUrl + "/");
        Assert.EndsWith("/connexion", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        Assert.Contains(await AuditAsync(), a => a.Action == "account.psc-refused" && a.Actor == "psc:" + UnlinkedRpps && a.Details!.Contains("unknown-rpps", StringComparison.Ordinal));
    }

    [PscBrowserFact]
    public async Task AnAcrOtherThanEidas1_IsRefused()
    {
        await LinkAsync("dr.acr", LinkedRpps);
        var page = await NewPageAsync();
        await page.GotoAsync(BaseUrl + "/connexion/psc");
        await SignInAtPscAsync(page, "8" + LinkedRpps, "eidas0");

        await page.GetByRole(AriaRole.Heading, new() { Name = "Connexion Pro Santé Connect refusée" }).WaitForAsync();
        Assert.Contains("eIDAS", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "psc-05-acr-refuse");
        await AssertSignedOutAsync(page);
        Assert.Contains(await AuditAsync(), a => a.Action == "account.psc-refused" && a.Details!.Contains("\"acr\"", StringComparison.Ordinal));
        Assert.DoesNotContain(await AuditAsync(), a => a.Action == "account.signed-in" && a.Actor == "dr.acr");
    }

    [PscBrowserFact]
    public async Task ATamperedState_IsRefused()
    {
        await LinkAsync("dr.state", LinkedRpps);
        var page = await NewPageAsync();
        await InterceptCallbackAsync(page, url => WithQuery(url, "state", "X" + QueryOf(url, "state")[1..]));
        await page.GotoAsync(BaseUrl + "/connexion/psc");
        await SignInAtPscAsync(page, "8" + LinkedRpps, "eidas1");

        await page.GetByRole(AriaRole.Heading, new() { Name = "Connexion Pro Santé Connect refusée" }).WaitForAsync();
        Assert.Contains("ne correspond à aucune connexion en cours", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        await AssertSignedOutAsync(page);
        Assert.Contains(await AuditAsync(), a => a.Action == "account.psc-refused" && a.Details!.Contains("\"state\"", StringComparison.Ordinal));
    }

    [PscBrowserFact]
    public async Task AReplayedCode_IsRefusedByTheProvider_AndHere()
    {
        await LinkAsync("dr.code", LinkedRpps);
        // A first sign-in goes through; its code is kept.
        string? firstCode = null;
        var first = await NewPageAsync();
        await InterceptCallbackAsync(first, url =>
        {
            firstCode = QueryOf(url, "code");
            return url;
        });
        await first.GotoAsync(BaseUrl + "/connexion/psc");
        await SignInAtPscAsync(first, "8" + LinkedRpps, "eidas1");
        await first.GetByRole(AriaRole.Heading, new() { Name = "Tableau de bord" }).WaitForAsync();
        Assert.NotNull(firstCode);

        // A second flow (its own state and PKCE verifier) comes back with the first code instead of its own.
        var second = await NewPageAsync();
        await InterceptCallbackAsync(second, url => WithQuery(url, "code", firstCode!));
        await second.GotoAsync(BaseUrl + "/connexion/psc");
        await SignInAtPscAsync(second, "8" + LinkedRpps, "eidas1");

        await second.GetByRole(AriaRole.Heading, new() { Name = "Connexion Pro Santé Connect refusée" }).WaitForAsync();
        Assert.Contains("expiré ou a déjà été utilisé", await second.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        await AssertSignedOutAsync(second);
        Assert.Contains(await AuditAsync(), a => a.Action == "account.psc-refused" && a.Details!.Contains("\"code\"", StringComparison.Ordinal));
    }

    /// <summary>The stand-in's card form; returns the authorization parameters the provider received (pushed or not).</summary>
    private async Task<(string Acr, string Scope, string Pkce)> SignInAtPscAsync(IPage page, string nationalId, string acr)
    {
        await page.GetByLabel("Identifiant national").WaitForAsync();
        var received = (await page.Locator("#acr_values").InnerTextAsync(), await page.Locator("#scope").InnerTextAsync(), await page.Locator("#code_challenge_method").InnerTextAsync());
        await page.GetByLabel("Identifiant national").FillAsync(nationalId);
        await page.GetByLabel("Niveau eIDAS").FillAsync(acr);
        await page.GetByRole(AriaRole.Button, new() { Name = "Valider" }).ClickAsync();
        // Back at the server = the redirect committed (Commit), as in DeskBrowserTests: a wait for the "load" state raced
        // the redirect chain on a loaded CI machine (30 s lost with the page already there); the caller waits for what it reads.
        await page.WaitForURLAsync(url => url.StartsWith(BaseUrl, StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        return received;
    }

    /// <summary>
    /// Rewrites the provider's redirect back to the server (code and state), as an attacker or a stale tab would:
    /// Playwright routes only first requests, so the card form's POST is taken over and its redirects followed here.
    /// </summary>
    private static Task InterceptCallbackAsync(IPage page, Func<string, string> rewrite) =>
        page.RouteAsync(new System.Text.RegularExpressions.Regex("/interaction/[^/]+/login$"), async route =>
        {
            var response = await route.FetchAsync(new() { MaxRedirects = 0 });
            var next = new Uri(new Uri(route.Request.Url), response.Headers["location"]);
            while (!next.AbsolutePath.EndsWith("/signin-psc", StringComparison.Ordinal))
            {
                var hop = await page.Context.APIRequest.GetAsync(next.ToString(), new() { MaxRedirects = 0 });
                next = new Uri(next, hop.Headers["location"]);
            }
            await route.FulfillAsync(new() { Status = 302, Headers = new Dictionary<string, string> { ["Location"] = rewrite(next.ToString()) } });
        });

    private static string WithQuery(string url, string name, string value)
    {
        var builder = new UriBuilder(url);
        var query = System.Web.HttpUtility.ParseQueryString(builder.Query);
        query[name] = value;
        builder.Query = query.ToString();
        return builder.Uri.ToString();
    }

    private static string QueryOf(string url, string name) => System.Web.HttpUtility.ParseQueryString(new Uri(url).Query)[name]!;


    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR", ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        return page;
    }

    private async Task AssertSignedOutAsync(IPage page)
    {
        await page.GotoAsync(BaseUrl + "/");
        Assert.EndsWith("/connexion", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    private async Task LinkAsync(string user, string rpps)
    {
        await using var scope = _factory!.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        Assert.True((await accounts.CreateAsync(user, "mot-de-passe-provisoire-1", Roles.Accueil, Actor.System("test"), CancellationToken.None)).IsSuccess);
        var linked = await accounts.LinkRppsAsync(user, rpps, Actor.System("test"), CancellationToken.None);
        Assert.True(linked is { IsSuccess: true });
    }

    private async Task<IReadOnlyList<IdentityRef.Persistence.Accounts.Account>> AccountsAsync()
    {
        await using var scope = _factory!.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>().ListAsync(CancellationToken.None);
    }

    private async Task<IReadOnlyList<IdentityRef.Persistence.Audit.AuditEntry>> AuditAsync()
    {
        await using var scope = _factory!.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().AuditTrail.AsNoTracking().Where(a => a.Action.StartsWith("account.")).ToListAsync();
    }
}
