using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Application.Quality;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Persistence.Audit;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The indicators page, its CSV export, its printable page and the lists behind two figures.</summary>
public sealed class IndicatorsPagesTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    [Fact]
    public async Task Dashboard_LinksACsvExport_WhoseFiguresAgreeWithThemselves()
    {
        var admin = Factory.CreateClient();
        await admin.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Accueil);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/tableau-de-bord"));
        Assert.Contains("href=\"/tableau-de-bord.csv\"", page);
        Assert.Contains("Taux d'INS", page);
        Assert.Contains("Par service d'admission : non disponible", page);
        Assert.Contains("href=\"/tableau-de-bord/liste/insi-en-attente\"", page);
        Assert.Contains("href=\"/tableau-de-bord/impression\"", page);
        var home = WebUtility.HtmlDecode(await client.GetStringAsync("/"));
        Assert.Contains("href=\"/tableau-de-bord\"", home); // in the menu
        Assert.Contains("href=\"/tableau-de-bord.csv\"", home); // the home dashboard links the export
        Assert.Contains("href=\"/tableau-de-bord/liste/douteuses-fictives\"", home);

        var csv = await client.GetAsync("/tableau-de-bord.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith(".csv", csv.Content.Headers.ContentDisposition!.FileName!.Trim('"'), StringComparison.Ordinal);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var rows = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(';')).ToList();
        Assert.Equal(["indicateur", "periode", "valeur"], rows[0]);
        Assert.All(rows, r => Assert.Equal(3, r.Length));
        double Value(string name) => double.Parse(rows.Single(r => r[0] == name)[2], System.Globalization.CultureInfo.GetCultureInfo("fr-FR"));
        var active = Value("identites_actives");
        Assert.True(active >= 1);
        Assert.Equal((Value("identites_recup") + Value("identites_qual")) / active, Value("taux_ins"), 4);
        Assert.Equal(Value("identites_qual") / active, Value("taux_qualification"), 4);
        Assert.Equal(12, rows.Count(r => r[0] == "identites_creees"));
        Assert.True(rows.Where(r => r[0] == "identites_creees").Sum(r => int.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture)) >= 1);

        var printable = WebUtility.HtmlDecode(await client.GetStringAsync("/tableau-de-bord/impression"));
        Assert.Contains("Indicateurs d'identitovigilance", printable);
        Assert.DoesNotContain("Navigation principale", printable);
    }

    [Fact]
    public async Task QualifiedThisMonth_CountsTheChangeToQual_NotIdentitiesLoadedAlreadyQualified()
    {
        var before = await ComputeAsync();
        using (var scope = Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
            foreach (var action in new[] { "identity.seeded", "identity.imported", "identity.updated" })
            {
                db.AuditTrail.Add(new AuditEntry { Action = action, Actor = "test", At = now, CorrelationId = "indicators", After = "{\"status\":\"QUAL\"}" });
            }
            await db.SaveChangesAsync();
        }

        var after = await ComputeAsync();

        Assert.Equal(before.Months[^1].Qualified + 1, after.Months[^1].Qualified);
    }

    [Fact]
    public async Task Lists_ShowTheDoubtfulIdentities_AndAnUnknownListIsAFrench404()
    {
        var admin = Factory.CreateClient();
        var created = await admin.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/patients/{ipp}/attributes", new JsonObject { ["attributes"] = new JsonArray("douteuse") }.Content())).StatusCode);
        var client = await IntegrationPagesTests.SignedInAsAsync(Factory, Roles.Accueil);

        var doubtful = WebUtility.HtmlDecode(await client.GetStringAsync("/tableau-de-bord/liste/douteuses-fictives"));
        Assert.Contains($"href=\"/identites/{ipp}\"", doubtful);
        Assert.Contains("douteuse", doubtful);
        var pending = await client.GetAsync("/tableau-de-bord/liste/insi-en-attente");
        Assert.Equal(HttpStatusCode.OK, pending.StatusCode);
        Assert.Contains("Réponses INSi en attente de décision", WebUtility.HtmlDecode(await pending.Content.ReadAsStringAsync()));

        var unknown = await client.GetAsync("/tableau-de-bord/liste/tout");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("Cette liste n'existe pas.", WebUtility.HtmlDecode(await unknown.Content.ReadAsStringAsync()));
        var anonymous = await Factory.CreateAnonymousClient(false).GetAsync("/tableau-de-bord.csv");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
    }

    private async Task<IndicatorsView> ComputeAsync()
    {
        using var scope = Factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<QualityIndicators>().ComputeAsync(CancellationToken.None);
    }
}
