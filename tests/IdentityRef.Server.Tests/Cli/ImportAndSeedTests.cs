using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Domain.Identities;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using IdentityRef.Server.Cli;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Cli;

public sealed class ImportAndSeedTests(Databases databases) : IClassFixture<Databases>
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Import_CommitsValidRows_ReportsRejectedOnesWithTheirLine(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var domain = "test" + PatientJson.UniqueLetters().ToLowerInvariant();
        using var csvFile = new TempFile();
        using var rejectsFile = new TempFile();
        var (csv, rejects) = (csvFile.Path, rejectsFile.Path);
        await File.WriteAllLinesAsync(csv,
        [
            "external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone",
            "A1,d'Arc-Dupont,Éléonore Marie,1980-02-14,F,75112,,,\"3, rue de la Paix\",75002,Paris,0102030405",
            "A2,DUP0NT,JEAN,1980-02-14,M,,,,,,,",
            "A3,MARTIN,PAUL,1980-02-31,M,,,,,,,",
            "A4,LEFEVRE,,1975-01-01,M,,,,,,,",
            "A1,DOUBLON,JEAN,1980-02-14,M,,,,,,,",
            "A5,NGUYEN,THI,1990-00-00,F,99243,TRAN,,,,,",
        ]);

        var exit = await new ImportCommand(factory.Services).RunAsync(new FileInfo(csv), domain, batchSize: 2, new FileInfo(rejects), CancellationToken.None);

        Assert.Equal(0, exit);
        var lines = await File.ReadAllLinesAsync(rejects);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("line 3: birth_name:", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("line 4: birth_date:", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("line 5: first_names:", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("line 6: external_id: already imported", lines[3], StringComparison.Ordinal);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var imported = await db.Identifiers.Where(i => i.System == "import:" + domain)
            .Join(db.Identities, x => x.IdentityId, i => i.Id, (x, i) => new { x.Value, i.BirthName, i.BirthDateCorrected, i.Address })
            .OrderBy(x => x.Value).ToListAsync();
        Assert.Equal(["A1", "A5"], imported.Select(i => i.Value));
        Assert.Equal("D'ARC-DUPONT", imported[0].BirthName);
        Assert.Equal("3, rue de la Paix", imported[0].Address);
        Assert.True(imported[1].BirthDateCorrected);
        var audited = await db.AuditTrail.CountAsync(a => a.Action == "identity.imported" && a.Actor == "cli:import"
            && imported.Select(i => i.BirthName).Contains(db.Identities.First(i => i.Id == a.IdentityId).BirthName));
        Assert.Equal(2, audited);

        // A second import of the same file adds nothing: external ids are kept per import domain.
        await new ImportCommand(factory.Services).RunAsync(new FileInfo(csv), domain, batchSize: 100, null, CancellationToken.None);
        Assert.Equal(2, await db.Identifiers.CountAsync(i => i.System == "import:" + domain));
    }

    private const string CsvHeader = "external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone";

    /// <summary>
    /// docs/import.md: a re-run counts as already imported only the rows an earlier run committed. A row whose external_id
    /// an earlier run imported with other strict traits (another person, or corrected traits) is a reject naming the
    /// differing columns, never their values; the identity keeps its traits and the id; the other rows go on as usual.
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task ImportRerun_SameExternalIdWithOtherTraits_IsARejectNotAlreadyImported(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var domain = "rerun" + PatientJson.UniqueLetters().ToLowerInvariant();
        using var first = new TempFile();
        using var second = new TempFile();
        using var rejects = new TempFile();
        var name = "REV" + PatientJson.UniqueLetters();
        await File.WriteAllLinesAsync(first.Path, [CsvHeader, $"X1,{name},PAUL,1980-02-14,M,,,,,,,", $"X2,{name},JEANNE,1975-03-01,F,75056,,,,,,"]);
        await File.WriteAllLinesAsync(second.Path,
        [
            CsvHeader,
            $"X1,AUTRE{name},MARIE,1991-07-03,F,,,,,,,", // the source now says X1 is someone else
            $"X2,{name.ToLowerInvariant()},Jeanne,1975-03-01,F,75056,,,9 rue Neuve,,,", // the same strict traits once validated: the same row
            $"X3,{name},LUC,2001-11-30,M,,,,,,,",
        ]);

        Assert.Equal(0, await new ImportCommand(factory.Services).RunAsync(new FileInfo(first.Path), domain, 100, null, CancellationToken.None));
        Assert.Equal(0, await new ImportCommand(factory.Services).RunAsync(new FileInfo(second.Path), domain, 100, new FileInfo(rejects.Path), CancellationToken.None));

        var reported = Assert.Single(await File.ReadAllLinesAsync(rejects.Path));
        Assert.Equal($"line 2: external_id: imported in import:{domain} by an earlier run with other traits (birth_name, first_names, birth_date, sex differ): not imported again", reported);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var imported = await db.Identifiers.Where(i => i.System == "import:" + domain)
            .Join(db.Identities, x => x.IdentityId, i => i.Id, (x, i) => new { x.Value, i.FirstNames, i.Sex })
            .OrderBy(x => x.Value).ToListAsync();
        Assert.Equal(["X1", "X2", "X3"], imported.Select(i => i.Value));
        var x1 = imported.Single(i => i.Value == "X1");
        Assert.Equal(("PAUL", IdentityRef.Domain.Traits.Sex.Male), (x1.FirstNames, x1.Sex)); // the first person keeps the id and the traits
    }

    /// <summary>One differing strict trait is enough; a re-run whose only row is such a reject imported nothing: exit code 1.</summary>
    [Fact]
    public async Task ImportRerun_OnlyTheBirthPlaceDiffers_IsARejectNamingIt_AndTheRunFails()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var domain = "rerun" + PatientJson.UniqueLetters().ToLowerInvariant();
        using var first = new TempFile();
        using var second = new TempFile();
        using var rejects = new TempFile();
        var name = "REV" + PatientJson.UniqueLetters();
        await File.WriteAllLinesAsync(first.Path, [CsvHeader, $"P1,{name},PAUL,1980-02-14,M,75056,,,,,,"]);
        await File.WriteAllLinesAsync(second.Path, [CsvHeader, $"P1,{name},PAUL,1980-02-14,M,69123,,,,,,"]);

        Assert.Equal(0, await new ImportCommand(factory.Services).RunAsync(new FileInfo(first.Path), domain, 100, null, CancellationToken.None));
        Assert.Equal(1, await new ImportCommand(factory.Services).RunAsync(new FileInfo(second.Path), domain, 100, new FileInfo(rejects.Path), CancellationToken.None));

        Assert.Equal([$"line 2: external_id: imported in import:{domain} by an earlier run with other traits (birth_place_code differ): not imported again"],
            await File.ReadAllLinesAsync(rejects.Path));
    }

    /// <summary>
    /// A refused name character that does not print (a bidi override, a NUL) is named U+XXXX in the rejects report: copied raw,
    /// it would reverse the rest of the operator's line or cut the report.
    /// </summary>
    [Fact]
    public async Task ImportRejects_ABidiOrNulCharacterInAName_IsNamedByItsCodePoint_NeverCopiedRaw()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var domain = "bidi" + PatientJson.UniqueLetters().ToLowerInvariant();
        using var csv = new TempFile();
        using var rejects = new TempFile();
        await File.WriteAllTextAsync(csv.Path, CsvHeader + "\n"
            + "B1,DUP\u202EONT,JEAN,1980-02-14,M,,,,,,,\n"
            + "B2,MAR\0TIN,JEAN,1980-02-14,M,,,,,,,\n"
            + "B3,MAR@TIN,JEAN,1980-02-14,M,,,,,,,\n");

        Assert.Equal(1, await new ImportCommand(factory.Services).RunAsync(new FileInfo(csv.Path), domain, 100, new FileInfo(rejects.Path), CancellationToken.None));

        var report = await File.ReadAllTextAsync(rejects.Path);
        Assert.DoesNotContain('\u202E', report);
        Assert.DoesNotContain('\0', report);
        const string NoEquivalent = "has no equivalent in the INS alphabet (letters, space, apostrophe, hyphen).";
        Assert.Equal(
        [
            $"line 2: birth_name: The character U+202E {NoEquivalent}",
            $"line 3: birth_name: The character U+0000 {NoEquivalent}",
            $"line 4: birth_name: The character '@' {NoEquivalent}", // a printable character may be shown
        ], report.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// The import writes its rows in bulk (SQLite's own statements, PostgreSQL's binary COPY), the downstream systems' messages
    /// included: one A28 per imported identity, in the file's order, each naming its identity.
    /// </summary>
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Import_WithASubscriber_QueuesOneA28PerIdentity_InTheFilesOrder(DatabaseProvider provider)
    {
        // A server of its own: a subscriber on the shared base would make the other tests' imports queue messages.
        using var factory = new IdentityRefFactory(provider, new Dictionary<string, string?> { ["Hl7:DispatcherEnabled"] = "false" });
        var client = factory.CreateClient();
        var subscribed = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = 2576, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        using var csv = new TempFile();
        string[] names = ["AUBERT", "BRUNEAU", "CARRE", "DELMAS", "ESNAULT"];
        await File.WriteAllLinesAsync(csv.Path, new[] { "external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone" }
            .Concat(names.Select((name, i) => $"R{i},{name},JEANNE,19{50 + i}-0{i + 1}-1{i},F,,,,,,,")));

        Assert.Equal(0, await new ImportCommand(factory.Services).RunAsync(new FileInfo(csv.Path), "outbox", batchSize: 2, null, CancellationToken.None));

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var ipps = await db.Identifiers.Where(x => x.System == "import:outbox")
            .Join(db.Identities, x => x.IdentityId, i => i.Id, (x, i) => new { x.Value, i.Ipp }).OrderBy(x => x.Value).Select(x => x.Ipp).ToListAsync();
        var queued = await db.Outbox.OrderBy(m => m.Id).ToListAsync();
        Assert.Equal(names.Length, ipps.Count);
        Assert.All(queued, m => Assert.Equal(("A28", "pending"), (m.Event, m.State)));
        Assert.Equal(ipps, queued.Select(m => Hl7Parser.Parse(m.Payload).Message!.Pid()!.Value.Identifiers[0].Id));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Seed_CreatesValidFrenchIdentitiesWithAMixOfStatuses(DatabaseProvider provider)
    {
        var factory = databases[provider];
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var before = await db.Identities.CountAsync();

        Assert.Equal(0, await new SeedCommand(factory.Services).RunAsync(400, randomSeed: 7, CancellationToken.None));

        var seeded = await db.Identities.AsNoTracking().OrderByDescending(i => i.CreatedAt).Take(400).ToListAsync();
        Assert.Equal(before + 400, await db.Identities.CountAsync());
        var statuses = seeded.GroupBy(i => i.Status).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(Enum.GetValues<IdentityStatus>(), s => Assert.True(statuses.GetValueOrDefault(s) > 0, $"no {s}"));
        Assert.Contains(seeded, i => i.BirthName.Contains('\'', StringComparison.Ordinal) || i.BirthName.Contains(' ', StringComparison.Ordinal));
        Assert.Contains(seeded, i => i.BirthName.Contains('-', StringComparison.Ordinal));
        Assert.All(seeded.Where(i => i.Status == IdentityStatus.Qual), i => Assert.Equal(IdentityRef.Domain.Ins.InsKind.TestNir, i.InsKind));
    }

    [Fact]
    public void SeedIns_OfPeopleBornTheSameMonthInOneCommune_AreUnique()
    {
        // 999 order numbers per sex, month and commune: drawn blindly, a crowded month gave the same INS twice.
        var faker = new Bogus.Faker("fr") { Random = new Bogus.Randomizer(3) };
        var strict = IdentityValidator.Validate(new IdentityInput
        {
            BirthName = "MARTIN", FirstNames = "Paul", BirthDate = "1980-05-12", Sex = "M", BirthPlaceCode = "75056",
        }, databases[DatabaseProvider.Sqlite].Services.GetRequiredService<IdentityRef.Domain.Traits.IBirthPlaceDirectory>(), new DateOnly(2026, 1, 1)).Value.Strict;
        var issued = new HashSet<string>(StringComparer.Ordinal);
        var values = Enumerable.Range(0, 999).Select(_ => SeedCommand.TestIns(faker, strict, issued).Value).ToList();
        Assert.Equal(999, values.Distinct(StringComparer.Ordinal).Count());
    }
}
