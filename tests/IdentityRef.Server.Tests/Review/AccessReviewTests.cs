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

    private static async Task<string> CreateAsync(IdentityRefFactory factory, JsonObject person)
    {
        var response = await factory.CreateClient().PostAsync("/api/patients", person.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }
}
