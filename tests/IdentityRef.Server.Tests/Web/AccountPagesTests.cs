using System.Net;
using System.Text.RegularExpressions;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// Accounts from the web interface: full name, role change, an administrator's reset (a temporary password shown once),
/// the person's own change (a temporary password opens nothing else until changed), the first start's sign-in page.
/// </summary>
public sealed partial class AccountPagesTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    private async Task<HttpClient> SignedInAsync(string user = IdentityRefFactory.AdminUser, string password = IdentityRefFactory.AdminPassword)
    {
        var client = Factory.CreateAnonymousClient();
        await WebForms.SignInAsync(client, user, password);
        return client;
    }

    private static async Task<string> HtmlAsync(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    private async Task<string> CreateAccountAsync(HttpClient admin, string role = "Accueil", string password = "provisoire-123456")
    {
        var name = "agent-" + PatientJson.UniqueLetters().ToLowerInvariant();
        var created = await WebForms.PostAsync(admin, "/comptes", new Dictionary<string, string>
        {
            ["userName"] = name, ["fullName"] = "  Marie   Curie ", ["password"] = password, ["role"] = role,
        }, "/comptes?handler=Create");
        Assert.Contains($"Compte {name} créé", await HtmlAsync(created));
        return name;
    }

    private async Task<List<(string Action, string Actor, string? Details)>> AuditOfAsync(string userName)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var rows = await db.AuditTrail.AsNoTracking().Where(a => a.Action.StartsWith("account.")).OrderBy(a => a.Id).ToListAsync();
        return [.. rows.Where(a => a.After != null && a.After.Contains($"\"{userName}\"", StringComparison.Ordinal)).Select(a => (a.Action, a.Actor, a.Details))];
    }

    [GeneratedRegex("<p class=\"temporary-password\"><code>([^<]+)</code>")]
    private static partial Regex TemporaryPassword();

    [Fact]
    public async Task AnAccountCreatedByAnAdministrator_MustChangeItsPassword_BeforeAnythingElse()
    {
        var admin = await SignedInAsync();
        var name = await CreateAccountAsync(admin);
        var list = await admin.GetStringAsync("/comptes");
        Assert.Contains("value=\"Marie Curie\"", list); // spaces tidied
        Assert.Contains("Actif (mot de passe provisoire)", WebUtility.HtmlDecode(list));

        var user = Factory.CreateAnonymousClient(followRedirects: false);
        var signIn = await WebForms.SignInAsync(user, name, "provisoire-123456");
        Assert.Equal("/mot-de-passe", signIn.Headers.Location!.OriginalString);
        var elsewhere = await user.GetAsync("/identites?q=x");
        Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode);
        Assert.Equal("/mot-de-passe", elsewhere.Headers.Location!.OriginalString);
        Assert.Contains("Votre mot de passe est provisoire", WebUtility.HtmlDecode(await user.GetStringAsync("/mot-de-passe")));

        async Task<HttpResponseMessage> ChangeAsync(string current, string replacement, string confirmation) =>
            await WebForms.PostAsync(user, "/mot-de-passe", new Dictionary<string, string>
            {
                ["currentPassword"] = current, ["newPassword"] = replacement, ["confirmation"] = confirmation,
            });
        Assert.Contains("Ce n'est pas votre mot de passe actuel.", await HtmlAsync(await ChangeAsync("mauvais-mot-de-passe", "une phrase assez longue", "une phrase assez longue")));
        Assert.Contains("au moins 12 caractères", await HtmlAsync(await ChangeAsync("provisoire-123456", "court", "court")));
        Assert.Contains("Les deux saisies du nouveau mot de passe diffèrent.", await HtmlAsync(await ChangeAsync("provisoire-123456", "une phrase assez longue", "une autre phrase longue")));
        Assert.Contains("doit être différent de l'actuel", await HtmlAsync(await ChangeAsync("provisoire-123456", "provisoire-123456", "provisoire-123456")));
        var changed = await ChangeAsync("provisoire-123456", "une phrase assez longue", "une phrase assez longue");
        Assert.Equal("/mot-de-passe", changed.Headers.Location!.OriginalString);
        Assert.Contains("Mot de passe changé.", WebUtility.HtmlDecode(await user.GetStringAsync("/mot-de-passe")));
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/identites?q=x")).StatusCode);

        var again = Factory.CreateAnonymousClient(followRedirects: false);
        Assert.Equal("/", (await WebForms.SignInAsync(again, name, "une phrase assez longue")).Headers.Location!.OriginalString);
        var audit = await AuditOfAsync(name);
        Assert.Contains(audit, a => a.Action == "account.created" && a.Actor == IdentityRefFactory.AdminUser);
        Assert.Contains(audit, a => a.Action == "account.password-changed" && a.Actor == name);
        Assert.DoesNotContain(audit, a => a.Details?.Contains("une phrase", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task AnAdministrator_ChangesFullNameAndRole_Audited_AndTheSessionOfTheOldRoleEnds()
    {
        var admin = await SignedInAsync();
        var name = await CreateAccountAsync(admin);
        var user = await SignedInAsync(name, "provisoire-123456");
        await WebForms.PostAsync(user, "/mot-de-passe", new Dictionary<string, string>
        {
            ["currentPassword"] = "provisoire-123456", ["newPassword"] = "une phrase assez longue", ["confirmation"] = "une phrase assez longue",
        });
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/identites")).StatusCode);

        var saved = await WebForms.PostAsync(admin, "/comptes", new Dictionary<string, string>
        {
            ["userName"] = name, ["fullName"] = "Marie Sklodowska-Curie", ["role"] = "Identitovigilance",
        }, "/comptes?handler=Profile");
        Assert.Contains($"Compte {name} enregistré (Identitovigilance)", await HtmlAsync(saved));
        Assert.Contains("value=\"Marie Sklodowska-Curie\"", await HtmlAsync(saved));
        var audit = await AuditOfAsync(name);
        Assert.Contains(audit, a => a.Action == "account.role-changed" && a.Details!.Contains("\"before\":\"Accueil\"", StringComparison.Ordinal)
            && a.Details.Contains("\"after\":\"Identitovigilance\"", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Action == "account.profile-changed");

        // the session opened with the old role is over: the person signs in again
        var stale = await user.GetAsync("/identites");
        Assert.EndsWith("/connexion", stale.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);

        // a role that does not exist, a full name too long: errors on the row, nothing written
        var bad = await HtmlAsync(await WebForms.PostAsync(admin, "/comptes", new Dictionary<string, string>
        {
            ["userName"] = name, ["fullName"] = new string('x', 201), ["role"] = "Chef",
        }, "/comptes?handler=Profile"));
        Assert.Contains($"Nom complet ({name})</a> : 200 caractères au plus.", bad);
        Assert.Contains($"Rôle ({name})", bad);
        Assert.DoesNotContain(await AuditOfAsync(name), a => a.Details?.Contains("Chef", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task TheLastAdministrator_KeepsTheRole()
    {
        var admin = await SignedInAsync();
        var answer = await HtmlAsync(await WebForms.PostAsync(admin, "/comptes", new Dictionary<string, string>
        {
            ["userName"] = IdentityRefFactory.AdminUser, ["fullName"] = "", ["role"] = "Accueil",
        }, "/comptes?handler=Profile"));
        Assert.Contains("C'est le dernier administrateur actif", answer);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/comptes")).StatusCode);
    }

    [Fact]
    public async Task AnAdministratorsReset_GivesATemporaryPasswordOnce_TheOldOneStopsWorking_AndTheLockoutEnds()
    {
        var admin = await SignedInAsync();
        var name = await CreateAccountAsync(admin);
        for (var i = 0; i < 5; i++)
        {
            await WebForms.SignInAsync(Factory.CreateAnonymousClient(), name, "pas-le-bon-mot-de-passe");
        }
        Assert.Contains("Verrouillé", WebUtility.HtmlDecode(await admin.GetStringAsync("/comptes")));

        var reset = await HtmlAsync(await WebForms.PostAsync(admin, "/comptes", new Dictionary<string, string> { ["userName"] = name }, "/comptes?handler=Reset"));
        var temporary = TemporaryPassword().Match(reset).Groups[1].Value;
        Assert.Equal(16, temporary.Length);
        Assert.Contains($"Mot de passe provisoire de {name}", reset);
        Assert.DoesNotContain(temporary, WebUtility.HtmlDecode(await admin.GetStringAsync("/comptes"))); // shown once

        var old = Factory.CreateAnonymousClient(followRedirects: false);
        Assert.Contains("Identifiant ou mot de passe incorrect", await HtmlAsync(await WebForms.SignInAsync(old, name, "provisoire-123456")));
        var fresh = Factory.CreateAnonymousClient(followRedirects: false);
        Assert.Equal("/mot-de-passe", (await WebForms.SignInAsync(fresh, name, temporary)).Headers.Location!.OriginalString);
        var audit = await AuditOfAsync(name);
        Assert.Contains(audit, a => a.Action == "account.password-reset" && a.Actor == IdentityRefFactory.AdminUser);
        Assert.DoesNotContain(audit, a => a.Details?.Contains(temporary, StringComparison.Ordinal) == true);

        // with its temporary password the agent reaches nothing but the password change; after it, not the accounts (not an administrator)
        var agent = await SignedInAsync(name, temporary);
        Assert.Equal("/mot-de-passe", (await agent.GetAsync("/comptes")).RequestMessage!.RequestUri!.AbsolutePath);
        await WebForms.PostAsync(agent, "/mot-de-passe", new Dictionary<string, string>
        {
            ["currentPassword"] = temporary, ["newPassword"] = "une phrase assez longue", ["confirmation"] = "une phrase assez longue",
        });
        Assert.Equal("/acces-refuse", (await agent.GetAsync("/comptes")).RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task SignInPage_OnAFirstStart_SaysNoAccountExistsAndHowToCreateOne()
    {
        using var empty = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Security:Bootstrap:Password"] = "" });
        var html = WebUtility.HtmlDecode(await empty.CreateAnonymousClient().GetStringAsync("/connexion"));
        Assert.Contains("Aucun compte n'existe encore", html);
        Assert.Contains("Security__Bootstrap__User", html);
        Assert.Contains("accounts add --user admin --role Administrateur", html);

        var usual = WebUtility.HtmlDecode(await Factory.CreateAnonymousClient().GetStringAsync("/connexion"));
        Assert.DoesNotContain("Aucun compte n'existe encore", usual);
    }
}
