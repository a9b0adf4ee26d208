using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Fhir;

/// <summary>
/// The query side against the mistaken and the hostile (found by a review, each test failed before its fix): a parameter the
/// interaction does not take, a control character in a parameter, and an INS asked for by a query, kept in the history.
/// </summary>
public sealed class QuerySideHostileTests(Databases databases) : IClassFixture<Databases>
{
    private const string NirSystem = "urn:oid:1.2.250.1.213.1.4.8";

    /// <summary>
    /// README: "an INS in the history is shown only to the identity vigilance cell's roles"; IdentityHistory masks the
    /// <c>ins</c>/<c>insHistory</c> fields of before/after "whatever the status" (a withdrawn INS may be another person's).
    /// A PIXm query by that INS writes it, in clear, in the details of a <c>query.pixm</c> line attached to the identity,
    /// and <c>GET /api/patients/{ipp}/history</c> hands the details on unmasked to Accueil and Intégrateur.
    /// </summary>
    [Fact]
    public async Task APixmQueryByAnIns_IsInTheHistoryWithTheInsMasked_ForEveryRoleButTheCell()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var admin = factory.CreateClient();
        const string ins = AdrunZoeIns;
        var ipp = await QualifiedAdrunZoeAsync(factory);

        // a lab resolves the INS to our IPP (allowed: the identity is qualified)
        var pix = await factory.CreateClient(Roles.Consultation).GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={NirSystem}|{ins}");
        Assert.Equal(HttpStatusCode.OK, pix.StatusCode);
        // then the INS turns out to be another person's: withdrawn, the trail masks it for everyone but the cell
        await (await admin.PostAsync($"/api/patients/{ipp}/ins/withdraw", new JsonObject { ["reason"] = "wrongly-attributed" }.Content())).ReadOkObjectAsync();

        foreach (var role in new[] { Roles.Accueil, Roles.Integrateur })
        {
            var history = await (await factory.CreateClient(role).GetAsync($"/api/patients/{ipp}/history")).Content.ReadAsStringAsync();
            Assert.Contains("(masqu", history, StringComparison.Ordinal); // the before/after fields are masked...
            Assert.DoesNotContain(ins, history, StringComparison.Ordinal); // ...and so are the query line's details
            Assert.Contains("query.pixm", history, StringComparison.Ordinal);
        }
        var cell = await (await factory.CreateClient(Roles.Identitovigilance).GetAsync($"/api/patients/{ipp}/history")).Content.ReadAsStringAsync();
        Assert.Contains(ins, cell, StringComparison.Ordinal); // the cell's work: who asked for that INS
    }

    /// <summary>
    /// README, FHIR: "400 for an unknown or unsupported parameter or modifier (nothing is silently ignored)". The search and
    /// $ihe-pix honour it (PdqmPixmTests); the read and $match ignore any query parameter.
    /// </summary>
    [Fact]
    public async Task TheReadAndMatch_AnswerAnUnknownParameter400_AsTheSearchDoes()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var ipp = await CreateAsync(factory, PatientJson.Valid());
        var client = factory.CreateClient(Roles.Consultation);

        var read = await client.GetAsync($"/fhir/Patient/{ipp}?foo=bar");

        var parameters = """
            {"resourceType":"Parameters","parameter":[{"name":"resource","resource":{"resourceType":"Patient",
            "name":[{"use":"official","family":"Dupont","given":["Jean"]}],"birthDate":"1975-04-12","gender":"male"}}]}
            """;
        var match = await client.PostAsync("/fhir/Patient/$match?foo=bar", new StringContent(parameters, Encoding.UTF8, "application/fhir+json"));
        // for comparison, the search answers 400 NotSupported naming the parameter
        var search = await client.GetAsync("/fhir/Patient?family=DUPONT&foo=bar");
        Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (read.StatusCode, match.StatusCode));
        foreach (var answer in new[] { read, match })
        {
            var outcome = await answer.Content.ReadAsStringAsync();
            Assert.Contains("OperationOutcome", outcome, StringComparison.Ordinal);
            Assert.Contains("foo", outcome, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Every FHIR error is an OperationOutcome with a 4xx, never a 500: a NUL or a bidi control in any parameter is a 400 naming
    /// it (on PostgreSQL a NUL that reached the database was a 500: Npgsql 22021, invalid byte sequence).
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task AControlCharacterInAnyParameter_Is400NamingIt_NeverADatabaseError(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient(Roles.Consultation);
        foreach (var (url, parameter) in new[]
        {
            ("/fhir/Patient?address-postalcode=75%00", "address-postalcode"),
            ("/fhir/Patient?identifier=A%001", "identifier"),
            ("/fhir/Patient?family=DU%E2%80%AEPONT", "family"),
            ("/fhir/Patient/$ihe-pix?sourceIdentifier=urn:oid:1.2.250.1.999.1.1|10000%000", "sourceIdentifier"),
        })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url} → {(int)response.StatusCode}");
            var outcome = await response.Content.ReadAsStringAsync();
            Assert.Contains("OperationOutcome", outcome, StringComparison.Ordinal);
            Assert.Contains(parameter, outcome, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A qualified identity merged into a provisional one hands its INS over (the survivor is qualified with it). The merged
    /// record, still readable by its IPP, no longer shows the INS: one INS, one patient, on the query side as on the wire.
    /// </summary>
    [Fact]
    public async Task AMergedQualifiedRecord_ReadByItsIpp_ShowsNoIns_ItsSurvivorDoes()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite); // a base of its own: ADRUN ZOE is qualified once per base
        var admin = factory.CreateClient();
        const string ins = AdrunZoeIns;
        var qualified = await QualifiedAdrunZoeAsync(factory);
        // a provisional record with the INS traits (a merge hands the INS over with its traits)
        var survivor = await CreateAsync(factory, PatientJson.TraitsOf(await (await admin.GetAsync($"/api/patients/{qualified}")).ReadObjectAsync()));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            await scope.ServiceProvider.GetRequiredService<IdentityRef.Application.Merges.MergeService>().MergeAsync(
                await db.Identities.SingleAsync(i => i.Ipp == survivor), await db.Identities.SingleAsync(i => i.Ipp == qualified),
                new IdentityRef.Application.Audit.Actor("test", Guid.NewGuid().ToString("N")), null, CancellationToken.None);
        }
        var client = factory.CreateClient(Roles.Consultation);

        var merged = await (await client.GetAsync($"/fhir/Patient/{qualified}")).Content.ReadAsStringAsync();
        var kept = await (await client.GetAsync($"/fhir/Patient/{survivor}")).Content.ReadAsStringAsync();

        Assert.Contains("\"active\":false", merged, StringComparison.Ordinal);
        Assert.DoesNotContain(ins, merged, StringComparison.Ordinal);
        Assert.Contains(ins, kept, StringComparison.Ordinal);
    }

    /// <summary>ADRUN ZOE's NIR in the INSi simulator.</summary>
    private const string AdrunZoeIns = "275126322074974";

    /// <summary>ADRUN ZOE created, her INS taken from INSi and a passport checked: qualified (once per base).</summary>
    private static async Task<string> QualifiedAdrunZoeAsync(IdentityRefFactory factory)
    {
        var admin = factory.CreateClient();
        var ipp = await CreateAsync(factory, new JsonObject { ["birthName"] = "Adrun", ["firstNames"] = "Zoe", ["birthDate"] = "1975-12-31", ["sex"] = "F" });
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{ipp}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{ipp}/insi/accept", null)).StatusCode);
        var document = new JsonObject { ["type"] = "PA", ["number"] = "19AB12345", ["expires"] = factory.Today.AddYears(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Equal("QUAL", (string)(await (await admin.PostAsync($"/api/patients/{ipp}/documents", document.Content())).ReadOkObjectAsync())["status"]!);
        return ipp;
    }

    private static async Task<string> CreateAsync(IdentityRefFactory factory, JsonObject person)
    {
        var response = await factory.CreateClient().PostAsync("/api/patients", person.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }
}
