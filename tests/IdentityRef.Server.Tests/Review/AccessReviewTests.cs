using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Cli;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Review;

/// <summary>
/// Adversarial review (authorization, FHIR query side, import CLI): each test reproduces one finding and fails on the code
/// it was written against. See the review report for the cause and the suggested fix of each.
/// </summary>
public sealed class AccessReviewTests(Databases databases) : IClassFixture<Databases>
{
    private const string NirSystem = "urn:oid:1.2.250.1.213.1.4.8";

    /// <summary>
    /// README: "an INS in the history is shown only to the identity vigilance cell's roles"; IdentityHistory masks the
    /// <c>ins</c>/<c>insHistory</c> fields of before/after "whatever the status" (a withdrawn INS may be another person's).
    /// A PIXm query by that INS writes it, in clear, in the details of a <c>query.pixm</c> line attached to the identity,
    /// and <c>GET /api/patients/{ipp}/history</c> hands the details on unmasked to Accueil and Intégrateur.
    /// </summary>
    [Fact]
    public async Task Finding1_PixmByIns_PutsTheInsInTheIdentitysHistory_UnmaskedForAccueilAndIntegrateur()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var admin = factory.CreateClient();
        const string ins = "275126322074974"; // ADRUN ZOE in the INSi simulator
        var ipp = await CreateAsync(factory, new JsonObject { ["birthName"] = "Adrun", ["firstNames"] = "Zoe", ["birthDate"] = "1975-12-31", ["sex"] = "F" });
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{ipp}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{ipp}/insi/accept", null)).StatusCode);
        var document = new JsonObject { ["type"] = "PA", ["number"] = "19AB12345", ["expires"] = factory.Today.AddYears(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Equal("QUAL", (string)(await (await admin.PostAsync($"/api/patients/{ipp}/documents", document.Content())).ReadOkObjectAsync())["status"]!);

        // a lab resolves the INS to our IPP (allowed: the identity is qualified)
        var pix = await factory.CreateClient(Roles.Consultation).GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={NirSystem}|{ins}");
        Assert.Equal(HttpStatusCode.OK, pix.StatusCode);
        // then the INS turns out to be another person's: withdrawn, the trail masks it for everyone but the cell
        await (await admin.PostAsync($"/api/patients/{ipp}/ins/withdraw", new JsonObject { ["reason"] = "wrongly-attributed" }.Content())).ReadOkObjectAsync();

        foreach (var role in new[] { Roles.Accueil, Roles.Integrateur })
        {
            var history = await (await factory.CreateClient(role).GetAsync($"/api/patients/{ipp}/history")).Content.ReadAsStringAsync();
            Assert.Contains("(masqu", history, StringComparison.Ordinal); // the before/after fields are masked...
            Assert.DoesNotContain(ins, history, StringComparison.Ordinal); // ...but the query line's details carry it in clear
        }
    }

    /// <summary>
    /// README, FHIR: "400 for an unknown or unsupported parameter or modifier (nothing is silently ignored)". The search and
    /// $ihe-pix honour it (PdqmPixmTests); the read and $match ignore any query parameter.
    /// </summary>
    [Fact]
    public async Task Finding2_FhirReadAndMatch_SilentlyIgnoreAnUnknownParameter()
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
    }

    /// <summary>
    /// Brief/README: every FHIR error is an OperationOutcome with a 4xx, never a 500. On PostgreSQL, a NUL character in a
    /// search value that reaches the database unchecked (address-postalcode, identifier, the read's id, PIXm's value) makes
    /// Npgsql throw (22021, invalid byte sequence): a 500.
    /// </summary>
    [Fact]
    public async Task Finding3_FhirQueryWithANulCharacter_IsA500OnPostgreSql()
    {
        if (!PostgresServer.RunningOnCi && PostgresServer.UnavailableReason is { } reason)
        {
            Assert.Fail("PostgreSQL is needed for this finding: " + reason);
        }
        var factory = databases[DatabaseProvider.PostgreSql];
        var client = factory.CreateClient(Roles.Consultation);
        var failures = new List<string>();
        foreach (var url in new[]
        {
            "/fhir/Patient?address-postalcode=75%00",
            "/fhir/Patient?identifier=A%001",
            "/fhir/Patient/$ihe-pix?sourceIdentifier=urn:oid:1.2.250.1.999.1.1|10000%000",
        })
        {
            var response = await client.GetAsync(url);
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{url} → {(int)response.StatusCode}");
            }
        }
        Assert.Empty(failures);
    }

    /// <summary>
    /// docs/import.md: a re-run skips the rows "whose external_id an earlier run committed". A row whose external_id was
    /// imported with other traits (another person, or corrected traits) was never committed: it is counted as "already
    /// imported", not reported, and the base keeps the external_id on the first person without anyone being told.
    /// </summary>
    [Fact]
    public async Task Finding4_ImportRerun_SameExternalIdWithOtherTraits_IsSilentlyCountedAsAlreadyImported()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var domain = "rev" + PatientJson.UniqueLetters().ToLowerInvariant();
        const string header = "external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone";
        using var first = new TempFile();
        using var second = new TempFile();
        using var rejects = new TempFile();
        var name = "REV" + PatientJson.UniqueLetters();
        await File.WriteAllLinesAsync(first.Path, [header, $"X1,{name},PAUL,1980-02-14,M,,,,,,,"]);
        // the source now says X1 is someone else: another birth name, first name, date and sex
        await File.WriteAllLinesAsync(second.Path, [header, $"X1,AUTRE{name},MARIE,1991-07-03,F,,,,,,,"]);

        Assert.Equal(0, await new ImportCommand(factory.Services).RunAsync(new FileInfo(first.Path), domain, 100, null, CancellationToken.None));
        await new ImportCommand(factory.Services).RunAsync(new FileInfo(second.Path), domain, 100, new FileInfo(rejects.Path), CancellationToken.None);

        var reported = await File.ReadAllLinesAsync(rejects.Path);
        Assert.Contains(reported, l => l.StartsWith("line 2: ", StringComparison.Ordinal)); // the differing row must be reported
    }

    /// <summary>
    /// README: free text and identifiers follow one policy (control characters, bidirectional controls refused; TextPolicy
    /// names them as U+XXXX). A name with such a character is refused, but InsText's message quotes the character itself, so
    /// the rejects report (file and stderr) carries a raw U+202E / NUL from the patient's file: the operator's terminal or
    /// spreadsheet shows the rest of the line reversed, or the report is cut at the NUL.
    /// </summary>
    [Fact]
    public async Task Finding5_ImportRejectsReport_CarriesARawBidiOrNulCharacterFromTheFile()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var domain = "rev" + PatientJson.UniqueLetters().ToLowerInvariant();
        using var csv = new TempFile();
        using var rejects = new TempFile();
        await File.WriteAllTextAsync(csv.Path,
            "external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone\n"
            + "B1,DUP\u202EONT,JEAN,1980-02-14,M,,,,,,,\n"
            + "B2,MAR\0TIN,JEAN,1980-02-14,M,,,,,,,\n");

        await new ImportCommand(factory.Services).RunAsync(new FileInfo(csv.Path), domain, 100, new FileInfo(rejects.Path), CancellationToken.None);

        var report = await File.ReadAllTextAsync(rejects.Path);
        Assert.Equal(2, report.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain('\u202E', report);
        Assert.DoesNotContain('\0', report);
    }

    /// <summary>
    /// README: "Every change is audited with the signed-in user (or the API key's name) as actor"; ApiKeyAuthenticationHandler:
    /// "so the audit trail shows which system acted". Two keys of one name (here with different roles) are accepted at start,
    /// and the changes of both are audited under that one name: who acted is lost.
    /// </summary>
    [Fact]
    public async Task Finding6_TwoApiKeysWithOneName_AreAccepted_AndTheAuditCannotTellThemApart()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Security:ApiKeys:5:Name"] = "test-accueil", // the name of the Accueil key (IdentityRefFactory), another key, another role
            ["Security:ApiKeys:5:Key"] = "another-system-key-0123456789",
            ["Security:ApiKeys:5:Role"] = Roles.Administrateur,
        };
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, settings);
        Exception? refused = null;
        try
        {
            factory.CreateClient();
        }
        catch (Exception e)
        {
            refused = e;
        }
        Assert.True(refused is not null, "the server started with two API keys named test-accueil: their changes are audited under one actor");
    }

    private static async Task<string> CreateAsync(IdentityRefFactory factory, JsonObject person)
    {
        var response = await factory.CreateClient().PostAsync("/api/patients", person.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }
}
