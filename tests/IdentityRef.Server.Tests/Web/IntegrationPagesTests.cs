using IdentityRef.Application.Audit;
using IdentityRef.Application.Security;
using System.Net;
using IdentityRef.Persistence;
using IdentityRef.Persistence.Audit;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The integrators' screens over plain HTTP: who may open them, the subscription rules in French, the resend.</summary>
public sealed class IntegrationPagesTests(Databases databases) : IClassFixture<Databases>
{
    private const string Password = "mot-de-passe-de-test-integration";

    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    /// <summary>Creates an account of <paramref name="role"/> and signs a browser-like client in with it.</summary>
    internal static async Task<HttpClient> SignedInAsAsync(IdentityRefFactory factory, string role, bool followRedirects = true)
    {
        var userName = "agent-" + PatientJson.UniqueLetters().ToLowerInvariant();
        await CreateAccountAsync(factory, userName, role);
        var client = factory.CreateAnonymousClient(followRedirects);
        var signedIn = await WebForms.SignInAsync(client, userName, Password);
        Assert.True(signedIn.IsSuccessStatusCode || signedIn.StatusCode == HttpStatusCode.Redirect, $"sign-in failed: {signedIn.StatusCode}");
        return client;
    }

    internal static async Task CreateAccountAsync(IdentityRefFactory factory, string userName, string role)
    {
        using var scope = factory.Services.CreateScope();
        var created = await scope.ServiceProvider.GetRequiredService<AccountService>()
            .CreateAsync(userName, Password, role, new Actor("test", "test"), CancellationToken.None);
        Assert.True(created.IsSuccess, created.ToString());
    }

    internal static string PasswordOfTestAccounts => Password;

    [Fact]
    public async Task Accueil_CannotOpenTheIntegratorsPages_NorSeeThemInTheMenu()
    {
        var client = await SignedInAsAsync(Factory, Roles.Accueil, followRedirects: false);
        foreach (var page in new[] { "/abonnements", "/abonnements/edition", "/messages" })
        {
            var response = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/acces-refuse", response.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        }
        var refused = await WebForms.PostAsync(client, "/", new Dictionary<string, string> { ["id"] = "1" }, "/messages?handler=Resend&id=1");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/acces-refuse", refused.Headers.Location!.AbsolutePath, StringComparison.Ordinal);

        var home = WebUtility.HtmlDecode(await client.GetStringAsync("/"));
        Assert.DoesNotContain("href=\"/abonnements\"", home);
        Assert.DoesNotContain("href=\"/messages\"", home);
        Assert.DoesNotContain("Santé des flux", home);
        Assert.Contains("Taux de qualification", home);
    }

    [Fact]
    public async Task Integrateur_SeesTheScreensInTheMenu_AndTheFlowHealth()
    {
        var client = await SignedInAsAsync(Factory, Roles.Integrateur);
        var home = WebUtility.HtmlDecode(await client.GetStringAsync("/"));
        Assert.Contains("href=\"/abonnements\"", home);
        Assert.Contains("href=\"/messages\"", home);
        Assert.Contains("Santé des flux", home);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/abonnements")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/messages?state=parked")).StatusCode);
    }

    [Fact]
    public async Task SubscriptionForm_WithBadFields_ShowsEachErrorInFrench_AndCreatesNothing()
    {
        var client = await SignedInAsAsync(Factory, Roles.Integrateur);
        var name = "BAD" + PatientJson.UniqueLetters();
        var response = await WebForms.PostAsync(client, "/abonnements/edition", new Dictionary<string, string>
        {
            ["name"] = name, ["host"] = "bad host!", ["port"] = "70000", ["receivingApplication"] = "A|B", ["receivingFacility"] = "",
            ["charset"] = "EBCDIC", ["enabled"] = "true",
        });
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("5 erreurs empêchent l'opération", html);
        Assert.Contains("Un nom d'hôte ou une adresse IP", html);
        Assert.Contains("Un port TCP de 1 à 65535.", html);
        Assert.Contains("sans délimiteur HL7", html);
        Assert.Contains("Ce champ est obligatoire.", html);
        Assert.Contains("Le jeu de caractères (MSH-18) est l'un de", html);
        Assert.Contains("<a href=\"#receivingFacility\">Établissement destinataire (MSH-6)</a>", html);
        Assert.Contains("aria-invalid=\"true\"", html);

        var notANumber = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/abonnements/edition", new Dictionary<string, string>
        {
            ["name"] = name, ["host"] = "127.0.0.1", ["port"] = "douze", ["receivingApplication"] = "APP", ["receivingFacility"] = "HOP", ["charset"] = "ASCII",
        })).Content.ReadAsStringAsync());
        Assert.Contains("Un nombre entier est attendu.", notANumber);

        var all = await (await Factory.CreateClient().GetAsync("/api/subscriptions")).ReadArrayAsync();
        Assert.DoesNotContain(all, s => (string)s!["name"]! == name);
    }

    [Fact]
    public async Task SubscriptionForm_CreatesChangesAndDisables_AsTheApiSeesIt()
    {
        var client = await SignedInAsAsync(Factory, Roles.Integrateur);
        var name = "DPI" + PatientJson.UniqueLetters();
        var created = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/abonnements/edition", new Dictionary<string, string>
        {
            ["name"] = name, ["host"] = "127.0.0.1", ["port"] = "1", ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
            ["charset"] = "8859/15", ["enabled"] = "true", ["events"] = "A28",
        })).Content.ReadAsStringAsync());
        Assert.Contains($"Abonnement {name} créé.", created);

        var duplicate = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/abonnements/edition", new Dictionary<string, string>
        {
            ["name"] = name, ["host"] = "127.0.0.1", ["port"] = "2", ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL", ["charset"] = "ASCII",
        })).Content.ReadAsStringAsync());
        Assert.Contains("Un abonnement porte déjà ce nom.", duplicate);

        var api = Factory.CreateClient();
        var stored = (await (await api.GetAsync("/api/subscriptions")).ReadArrayAsync()).Single(s => (string)s!["name"]! == name)!;
        var id = (string)stored["id"]!;
        Assert.Equal("8859/15", (string)stored["charset"]!);
        Assert.Equal("A28", (string)stored["events"]![0]!);

        var edit = WebUtility.HtmlDecode(await client.GetStringAsync($"/abonnements/edition/{id}"));
        Assert.Contains($"value=\"{name}\"", edit);
        var changed = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, $"/abonnements/edition/{id}", new Dictionary<string, string>
        {
            ["name"] = name, ["host"] = "localhost", ["port"] = "2576", ["receivingApplication"] = "DPI2", ["receivingFacility"] = "HOPITAL",
            ["charset"] = "UNICODE UTF-8", ["enabled"] = "true",
        })).Content.ReadAsStringAsync());
        Assert.Contains($"Abonnement {name} enregistré.", changed);
        var after = await (await api.GetAsync($"/api/subscriptions/{id}")).ReadObjectAsync();
        Assert.Equal(("localhost", 2576, "DPI2"), ((string)after["host"]!, (int)after["port"]!, (string)after["receivingApplication"]!));
        Assert.Empty(after["events"]!.AsArray()); // nothing ticked: every event

        var disabled = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/abonnements", new Dictionary<string, string> { ["enabled"] = "false" },
            $"/abonnements?handler=Enabled&id={id}")).Content.ReadAsStringAsync());
        Assert.Contains($"Abonnement {name} désactivé", disabled);
        Assert.False((bool)(await (await api.GetAsync($"/api/subscriptions/{id}")).ReadObjectAsync())["enabled"]!);
    }

    [Fact]
    public async Task TestConnection_ToAClosedPort_SaysItFailed()
    {
        var client = await SignedInAsAsync(Factory, Roles.Integrateur);
        var name = "FERME" + PatientJson.UniqueLetters();
        using var closed = new IdentityRef.Tests.ReservedPort(); // held, never listening: refused, and no parallel test can take it
        var closedPort = closed.Port;
        var created = await (await Factory.CreateClient().PostAsync("/api/subscriptions", new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = name, ["host"] = "127.0.0.1", ["port"] = closedPort, ["receivingApplication"] = "X", ["receivingFacility"] = "Y", ["enabled"] = false,
        }.Content())).ReadObjectAsync();
        var html = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/abonnements", new Dictionary<string, string>(),
            $"/abonnements?handler=Test&id={(string)created["id"]!}")).Content.ReadAsStringAsync());
        Assert.Contains($"Connexion MLLP impossible à {name} (127.0.0.1:{closedPort})", html);
    }

    [Fact]
    public async Task QualifiedPerDay_CountsTheChangesToQualInTheAuditTrail_OverThirtyDays()
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var clock = Factory.Clock; // the server's: the page counts its days in the server's time zone
        var dashboard = new IdentityRef.Application.Dashboard.HomeDashboard(db, clock);
        var before = await dashboard.QualifiedPerDayAsync(30, CancellationToken.None);
        // Noon, three days ago, where the server is: entries minutes apart stay on one day whatever the hour of the run.
        var day = Factory.Today.AddDays(-3);
        var noon = day.ToDateTime(new TimeOnly(12, 0));
        var at = new DateTimeOffset(noon, clock.LocalTimeZone.GetUtcOffset(noon));
        AuditEntry Entry(DateTimeOffset at, string after) => new()
        {
            Action = "document.checked", Actor = "test", At = at, CorrelationId = "test", After = after,
        };
        db.AuditTrail.AddRange(
            Entry(at, "{\"status\":\"QUAL\"}"),
            Entry(at.AddMinutes(1), "{\"status\":\"QUAL\",\"documentType\":\"PA\"}"),
            Entry(at.AddMinutes(2), "{\"status\":\"VALI\"}"), // another status: not counted
            Entry(at.AddDays(-42), "{\"status\":\"QUAL\"}")); // too old
        await db.SaveChangesAsync();

        var after = await dashboard.QualifiedPerDayAsync(30, CancellationToken.None);
        Assert.Equal(30, after.Count);
        Assert.Equal(before.Sum(d => d.Count) + 2, after.Sum(d => d.Count));
        Assert.Equal(before.Single(d => d.Day == day).Count + 2, after.Single(d => d.Day == day).Count);

        var client = await SignedInAsAsync(Factory, Roles.Accueil);
        var home = WebUtility.HtmlDecode(await client.GetStringAsync("/"));
        // French, by hand: never the test machine's culture (under de-DE, "dd/MM/yyyy" gives 03.12.2026 on both sides)
        var french = day.ToString("dd'/'MM'/'yyyy", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"<title>{french} : {after.Single(d => d.Day == day).Count}</title>", home);
    }
}
