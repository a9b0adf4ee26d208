using System.Net;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Security;

/// <summary>
/// Pro Santé Connect without a browser: the RPPS an administrator links (both providers, the unique index included),
/// the mapping that never creates an account, the settings refused at start, the sign-in page with passwords off.
/// The OpenID exchange itself is tested in a browser against oidc-provider (Web/ProSanteConnectBrowserTests).
/// </summary>
public sealed class ProSanteConnectTests(Databases databases) : IClassFixture<Databases>
{
    private const string Rpps = "99700218896";
    private const string OtherRpps = "99700547716";

    [Theory]
    [InlineData("99700218896", "99700218896")]
    [InlineData("899700218896", "99700218896")] // PSC's SubjectNameID: 8 + RPPS
    [InlineData(" 997 0021 8896 ", "99700218896")]
    [InlineData("99700218897", null)] // wrong Luhn key
    [InlineData("9970021889", null)]
    [InlineData("099700218896", null)] // 12 digits but not the RPPS national id
    [InlineData("9970021889a", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Rpps_IsNormalised_AndItsKeyChecked(string? typed, string? expected) => Assert.Equal(expected, AccountService.NormalizeRpps(typed));

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task LinkRpps_OneAccountPerRpps_Unlinks_AndIsAudited(DatabaseProvider provider)
    {
        var factory = databases[provider];
        factory.CreateClient();
        var first = await NewAccountAsync(factory, Roles.Accueil);
        var second = await NewAccountAsync(factory, Roles.Identitovigilance);
        await using var scope = factory.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var rpps = UniqueRpps();

        var linked = await accounts.LinkRppsAsync(first, "8" + rpps, Actor.System("test"), CancellationToken.None);
        Assert.Equal(rpps, linked!.Value.Value.Rpps);
        var taken = await accounts.LinkRppsAsync(second, rpps, Actor.System("test"), CancellationToken.None);
        Assert.Equal("already-linked", Assert.Single(taken!.Value.Errors).Code);
        // Another check digit than the right one (a random RPPS may well end with 0).
        var malformed = await accounts.LinkRppsAsync(second, rpps[..10] + (rpps[10] == '0' ? "1" : "0"), Actor.System("test"), CancellationToken.None);
        Assert.Equal(("rpps", "invalid-format"), (Assert.Single(malformed!.Value.Errors).Field, malformed.Value.Errors[0].Code));
        Assert.Null(await accounts.LinkRppsAsync("nobody-here", rpps, Actor.System("test"), CancellationToken.None));

        // The database holds the line too: a second account with the same RPPS is refused by the unique index.
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var row = await db.Accounts.SingleAsync(a => a.UserName == second);
        row.Rpps = rpps;
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        db.ChangeTracker.Clear();

        Assert.Null((await accounts.LinkRppsAsync(first, "", Actor.System("test"), CancellationToken.None))!.Value.Value.Rpps);
        Assert.True((await accounts.LinkRppsAsync(second, rpps, Actor.System("test"), CancellationToken.None))!.Value.IsSuccess);
        var trail = await db.AuditTrail.AsNoTracking().Where(a => a.Action.StartsWith("account.rpps-")).ToListAsync();
        Assert.Contains(trail, a => a.Action == "account.rpps-linked" && a.After!.Contains(first, StringComparison.Ordinal));
        Assert.Contains(trail, a => a.Action == "account.rpps-unlinked" && a.After!.Contains(first, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignInWithRpps_NeverCreatesAnAccount_AndRefusesAnInactiveOrLockedOne()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var user = await NewAccountAsync(factory, Roles.Accueil);
        var rpps = UniqueRpps();
        await using var scope = factory.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var before = (await accounts.ListAsync(CancellationToken.None)).Count;

        Assert.Equal(SignInOutcome.UnknownRpps, (await accounts.SignInWithRppsAsync("8" + rpps, "t1", CancellationToken.None)).Outcome);
        Assert.Equal(SignInOutcome.InvalidRpps, (await accounts.SignInWithRppsAsync("not-an-rpps", "t2", CancellationToken.None)).Outcome);
        Assert.Equal(SignInOutcome.InvalidRpps, (await accounts.SignInWithRppsAsync(null, "t3", CancellationToken.None)).Outcome);
        Assert.Equal(before, (await accounts.ListAsync(CancellationToken.None)).Count);

        await accounts.LinkRppsAsync(user, rpps, Actor.System("test"), CancellationToken.None);
        var signedIn = await accounts.SignInWithRppsAsync("8" + rpps, "t4", CancellationToken.None);
        Assert.Equal((SignInOutcome.Success, user), (signedIn.Outcome, signedIn.Account!.UserName));
        await accounts.SetActiveAsync(user, false, Actor.System("test"), CancellationToken.None);
        Assert.Equal(SignInOutcome.Invalid, (await accounts.SignInWithRppsAsync(rpps, "t5", CancellationToken.None)).Outcome);

        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var refusals = await db.AuditTrail.AsNoTracking().Where(a => a.Action == "account.psc-refused" && (a.CorrelationId == "t1" || a.CorrelationId == "t5")).ToListAsync();
        Assert.Contains(refusals, a => a.Actor == "psc:" + rpps && a.Details!.Contains("unknown-rpps", StringComparison.Ordinal));
        Assert.Contains(refusals, a => a.Details!.Contains("inactive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CliLinkRpps_LinksAndLists_AndRefusesAnUnknownAccountOrABadNumber()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var user = await NewAccountAsync(factory, Roles.Integrateur);
        var rpps = UniqueRpps();
        var command = new AccountsCommand(factory.Services);

        Assert.Equal(0, await command.LinkRppsAsync(user.ToUpperInvariant(), "8" + rpps, CancellationToken.None));
        Assert.Equal(2, await command.LinkRppsAsync("nobody-" + user, rpps, CancellationToken.None));
        Assert.Equal(2, await command.LinkRppsAsync(user, "12345", CancellationToken.None));
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        try
        {
            await command.ListAsync(CancellationToken.None);
        }
        finally
        {
            Console.SetOut(saved);
        }
        Assert.Contains($"{user}\t{Roles.Integrateur}\tactive\tRPPS {rpps}", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInPage_OffersProSanteConnect_AndWithPasswordsOffHasNoPasswordForm()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>(StandIn())
        {
            ["Security:LocalPasswords"] = "false",
        });
        var client = factory.CreateAnonymousClient();

        var html = await client.GetStringAsync("/connexion");
        Assert.Contains("Pro Santé Connect", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/connexion/psc?ReturnUrl=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"Password\"", html, StringComparison.Ordinal);
        // A password posted anyway (an old bookmark, a script) opens no session: no form, no token, and the service refuses.
        var posted = await client.PostAsync("/connexion", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = IdentityRefFactory.AdminUser, ["Password"] = IdentityRefFactory.AdminPassword,
        }));
        Assert.NotEqual(HttpStatusCode.OK, posted.StatusCode);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var refused = await scope.ServiceProvider.GetRequiredService<AccountService>().SignInAsync(IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword, "t", CancellationToken.None);
            Assert.Equal(SignInOutcome.PasswordsDisabled, refused.Outcome);
        }
        var home = await client.GetAsync("/");
        Assert.EndsWith("/connexion", home.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        // The start of the PSC flow is a redirect to the provider (here unreachable: no stand-in runs in this test).
        var start = await factory.CreateAnonymousClient(followRedirects: false).GetAsync("/connexion/psc");
        Assert.NotEqual(HttpStatusCode.NotFound, start.StatusCode);
    }

    [Fact]
    public async Task WithoutPsc_ThePageHasNoPscLink_AndItsStartIsNotFound()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var client = factory.CreateAnonymousClient(followRedirects: false);

        Assert.DoesNotContain("Pro Santé Connect", await client.GetStringAsync("/connexion"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/connexion/psc")).StatusCode);
    }

    [Theory]
    [InlineData("ProSanteConnect:Authority", "http://psc.example.org/auth/realms/esante-wallet", "RequireHttpsMetadata=false is accepted only")]
    [InlineData("ProSanteConnect:ClientSecret", "", "ClientSecret is required")]
    [InlineData("ProSanteConnect:Authority", "not a url", "Authority must be the absolute URL")]
    public void MisconfiguredPsc_StopsTheStart_NamingTheSetting(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?>(StandIn()) { [key] = value };
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, settings);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordsOff_WithoutPsc_StopsTheStart()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Security:LocalPasswords"] = "false" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("nobody can sign in", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("psc-acr-refused", "acr")]
    [InlineData("Message contains error: 'invalid_grant', error_description: 'grant request is invalid'", "code")]
    [InlineData("Unable to unprotect the message.State.", "state")]
    [InlineData("Correlation failed.", "correlation")]
    [InlineData("Message contains error: 'access_denied'", "annule")]
    [InlineData("something else", "protocole")]
    public void ProviderFailures_AreClassified(string message, string reason) =>
        Assert.Equal(reason, ProSanteConnect.Classify(new InvalidOperationException(message)));

    private static Dictionary<string, string?> StandIn() => new()
    {
        ["ProSanteConnect:Enabled"] = "true",
        ["ProSanteConnect:Authority"] = "http://127.0.0.1:9/psc",
        ["ProSanteConnect:ClientId"] = "identityref",
        ["ProSanteConnect:ClientSecret"] = "a-secret-from-configuration",
        ["ProSanteConnect:RequireHttpsMetadata"] = "false",
    };

    private static async Task<string> NewAccountAsync(IdentityRefFactory factory, string role)
    {
        var name = "psc-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await using var scope = factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(name, "un-mot-de-passe-assez-long", role, Actor.System("test"), CancellationToken.None);
        Assert.True(created.IsSuccess);
        return name;
    }

    private static int _next = Random.Shared.Next(1_000_000);

    /// <summary>A fresh RPPS with its Luhn key (the fixture's databases are shared by the tests of this class).</summary>
    private static string UniqueRpps()
    {
        var body = "1" + Interlocked.Increment(ref _next).ToString("D9", System.Globalization.CultureInfo.InvariantCulture);
        for (var key = 0; key < 10; key++)
        {
            if (AccountService.NormalizeRpps(body + key) is { } valid)
            {
                return valid;
            }
        }
        throw new InvalidOperationException("no Luhn key");
    }
}
