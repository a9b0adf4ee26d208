using IdentityRef.Application.Audit;
using IdentityRef.Application.Security;
using System.Net;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Security;

/// <summary>Local accounts through the real sign-in form: hashing, lockout, CSRF, roles on the pages, audit.</summary>
public sealed class AccountTests(Databases databases) : IClassFixture<Databases>
{
    private const string Password = "un-mot-de-passe-assez-long";

    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    private async Task<string> NewAccountAsync(string role)
    {
        var name = "user-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await using var scope = Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(name, Password, role, Actor.System("test"), CancellationToken.None);
        Assert.True(created.IsSuccess, created.ToString());
        return name;
    }

    [Fact]
    public async Task BootstrapAdministrator_CanSignIn_AndThePasswordIsStoredHashed()
    {
        var client = Factory.CreateAnonymousClient();
        var response = await WebForms.SignInAsync(client, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Tableau de bord", await response.Content.ReadAsStringAsync());

        await using var scope = Factory.Services.CreateAsyncScope();
        var account = await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Accounts.SingleAsync(a => a.UserName == IdentityRefFactory.AdminUser);
        Assert.Equal(Roles.Administrateur, account.Role);
        Assert.DoesNotContain(IdentityRefFactory.AdminPassword, account.PasswordHash, StringComparison.Ordinal);
        Assert.StartsWith("AQAAAA", account.PasswordHash, StringComparison.Ordinal); // Identity v3 format: PBKDF2 with a salt
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_EvenAgainstTheRightOne()
    {
        var name = await NewAccountAsync(Roles.Accueil);
        var client = Factory.CreateAnonymousClient();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var wrong = await (await WebForms.SignInAsync(client, name, "wrong-password-" + attempt)).Content.ReadAsStringAsync();
            Assert.Contains("Identifiant ou mot de passe incorrect", wrong);
        }
        var fifth = await (await WebForms.SignInAsync(client, name, "wrong-password-5")).Content.ReadAsStringAsync();
        Assert.Contains("Compte verrouillé", fifth);

        var right = await (await WebForms.SignInAsync(client, name, Password)).Content.ReadAsStringAsync();
        Assert.Contains("Compte verrouillé", right);
        var home = await Factory.CreateAnonymousClient(followRedirects: false).GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);

        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var trail = await db.AuditTrail.Where(a => a.Actor == name).Select(a => a.Action).ToListAsync();
        Assert.Equal(4, trail.Count(a => a == "account.sign-in-failed"));
        Assert.Single(trail, a => a == "account.locked");

        var unlocked = await scope.ServiceProvider.GetRequiredService<AccountService>().UnlockAsync(name, Actor.System("test"), CancellationToken.None);
        Assert.True(unlocked);
        var after = await WebForms.SignInAsync(Factory.CreateAnonymousClient(), name, Password);
        Assert.Contains("Tableau de bord", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownUserAndWrongPassword_GetTheSameAnswer()
    {
        var client = Factory.CreateAnonymousClient();
        var unknown = await (await WebForms.SignInAsync(client, "nobody-here", Password)).Content.ReadAsStringAsync();
        Assert.Contains("Identifiant ou mot de passe incorrect", unknown);
    }

    [Fact]
    public async Task FormPostWithoutAntiforgeryToken_IsRefused()
    {
        var anonymous = Factory.CreateAnonymousClient(followRedirects: false);
        var login = await anonymous.PostAsync("/connexion", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = IdentityRefFactory.AdminUser, ["Password"] = IdentityRefFactory.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.DoesNotContain(login.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith(SecuritySetup.CookieName, StringComparison.Ordinal)));

        var client = Factory.CreateAnonymousClient();
        await WebForms.SignInAsync(client, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        var birthName = "CSRF" + PatientJson.UniqueLetters();
        var forged = await client.PostAsync("/identites/nouvelle", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["birthName"] = birthName, ["firstNames"] = "Jean", ["birthDate"] = "1980-01-01", ["sex"] = "M",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var found = await (await Factory.CreateClient().GetAsync($"/api/patients?birthName={birthName}")).ReadObjectAsync();
        Assert.Equal(0, (int)found["total"]!);
    }

    public static TheoryData<string, string, bool> PagesByRole() => new()
    {
        { Roles.Accueil, "/comptes", false },
        { Roles.Integrateur, "/identites/nouvelle", false },
        { Roles.Integrateur, "/identites", true },
        { Roles.Identitovigilance, "/identites/nouvelle", true },
        { Roles.Administrateur, "/comptes", true },
    };

    [Theory]
    [MemberData(nameof(PagesByRole))]
    public async Task Pages_FollowTheMatrix(string role, string page, bool allowed)
    {
        var name = await NewAccountAsync(role);
        var client = Factory.CreateAnonymousClient(followRedirects: false);
        var signIn = await WebForms.SignInAsync(client, name, Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var response = await client.GetAsync(page);
        if (allowed)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/acces-refuse", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnonymousPage_RedirectsABrowserToSignIn_AndAnswers401ToAProgram()
    {
        var response = await Factory.CreateAnonymousClient(followRedirects: false).GetAsync("/identites");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/connexion", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        // A program (no HTML accepted) gets a status it can act on, wherever the route is.
        var program = Factory.CreateAnonymousClient(followRedirects: false);
        program.DefaultRequestHeaders.Accept.Clear();
        program.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        var status = await program.GetAsync("/identites");
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        Assert.Equal("application/problem+json", status.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task DeactivatedAccount_LosesItsOpenSession()
    {
        var name = await NewAccountAsync(Roles.Accueil);
        var client = Factory.CreateAnonymousClient(followRedirects: false);
        await WebForms.SignInAsync(client, name, Password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/identites")).StatusCode);
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AccountService>().SetActiveAsync(name, false, Actor.System("test"), CancellationToken.None);
        }
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/identites")).StatusCode);
    }

    [Theory]
    [InlineData("x", Password, Roles.Accueil, "userName")]
    [InlineData("valid-name", "short", Roles.Accueil, "password")]
    [InlineData("valid-name", Password, "Chef", "role")]
    public async Task InvalidAccount_IsRefusedWithTheField(string user, string password, string role, string field)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(user, password, role, Actor.System("test"), CancellationToken.None);
        Assert.Contains(created.Errors, e => e.Field == field);
    }

    [Fact]
    public async Task CliAccountsAdd_ReadsThePasswordFromStdin_AndRefusesAShortOne()
    {
        var name = "cli-" + PatientJson.UniqueLetters().ToLowerInvariant();
        var command = new AccountsCommand(Factory.Services);
        Assert.Equal(0, await command.AddAsync(name, "integrateur", new StringReader(Password + "\n"), inputRedirected: true, CancellationToken.None));
        Assert.Equal(2, await command.AddAsync(name + "x", Roles.Accueil, new StringReader("short\n"), inputRedirected: true, CancellationToken.None));

        await using var scope = Factory.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        Assert.Equal(Roles.Integrateur, (await accounts.FindAsync(name, CancellationToken.None))!.Role);
        Assert.Null(await accounts.FindAsync(name + "x", CancellationToken.None));
        var signIn = await WebForms.SignInAsync(Factory.CreateAnonymousClient(), name, Password);
        Assert.Contains("Tableau de bord", await signIn.Content.ReadAsStringAsync());
    }

    [Fact]
    public void RoleNames_AreReadWithOrWithoutAccents()
    {
        Assert.Equal(Roles.Integrateur, Roles.Parse("integrateur"));
        Assert.Equal(Roles.Identitovigilance, Roles.Parse("IDENTITOVIGILANCE"));
        Assert.Null(Roles.Parse("root"));
    }
}
