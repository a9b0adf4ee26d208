using IdentityRef.Application.Duplicates;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Cli;
using IdentityRef.Server.Duplicates;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>The command line: imported identities are keyed by the batch writer, <c>dedupe</c> queues their pairs, the export names them by import id.</summary>
public sealed class DuplicateCommandTests
{
    [Fact]
    public async Task ImportThenDedupeThenExport_WritesThePairWithItsImportIds()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        var name = "GARNIER" + PatientJson.UniqueLetters();
        using var csvFile = new TempFile();
        using var exportFile = new TempFile();
        var (csv, export) = (csvFile.Path, exportFile.Path);
        await File.WriteAllLinesAsync(csv,
        [
            "external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone",
            $"P1,{name},Anne-Sophie,1991-05-07,F,,,,8 rue Neuve,13001,Marseille,",
            $"P2,{name},Anne Sophie,1991-07-05,F,,,,8 rue Neuve,13001,Marseille,",
            "P3,BERTHELOT,Hugues,1949-11-30,M,,,,,,,",
        ]);
        Assert.Equal(0, await new ImportCommand(factory.Services).RunAsync(new FileInfo(csv), "cli", batchSize: 10, null, CancellationToken.None));

        // The batch writer keyed the imported identities: check-before-create finds them at once.
        var probe = new JsonObject { ["birthName"] = name, ["firstNames"] = "Anne-Sophie", ["birthDate"] = "1991-05-07", ["sex"] = "F" };
        var match = await (await client.PostAsync("/api/patients/match", probe.Content())).ReadObjectAsync();
        Assert.Equal(2, match["candidates"]!.AsArray().Count);

        Assert.Equal(0, await DuplicateCommands.DedupeAsync(factory.Services, full: false, train: false, summaryJson: null, CancellationToken.None));
        Assert.Equal(0, await DuplicateCommands.ExportAsync(factory.Services, new FileInfo(export), CancellationToken.None));
        var lines = await File.ReadAllLinesAsync(export);
        Assert.Equal("external_id_a,external_id_b,score,class", lines[0]);
        var pair = Assert.Single(lines.Skip(1)).Split(',');
        Assert.Equal(["P1", "P2"], pair[..2].Order());
        Assert.True(double.Parse(pair[2], System.Globalization.CultureInfo.InvariantCulture) >= 5);
        Assert.Contains(pair[3], new[] { "probable", "possible" });

        var queue = await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync();
        Assert.Equal(1, (int)queue["total"]!);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/duplicates/detect?full=false", null)).StatusCode);
        Assert.Equal(1, (int)(await (await client.GetAsync("/api/duplicates?state=open")).ReadObjectAsync())["total"]!);
    }

    [Fact]
    public async Task BaseWithoutKeys_FullRunBuildsThem_ThenCheckBeforeCreateFindsTheIdentities()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        var person = new JsonObject { ["birthName"] = "ROUSSEL" + PatientJson.UniqueLetters(), ["firstNames"] = "Claire", ["birthDate"] = "1966-02-11", ["sex"] = "F" };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/patients", person.Content())).StatusCode);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // A base from before duplicate detection: identities, no keys (nor lists of them).
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            await db.MatchKeys.ExecuteDeleteAsync();
            await db.IdentityKeys.ExecuteDeleteAsync();
        }
        Assert.Empty((await (await client.PostAsync("/api/patients/match", person.Content())).ReadObjectAsync())["candidates"]!.AsArray());

        Assert.Equal(0, await DuplicateCommands.DedupeAsync(factory.Services, full: true, train: false, summaryJson: null, CancellationToken.None));
        Assert.Single((await (await client.PostAsync("/api/patients/match", person.Content())).ReadObjectAsync())["candidates"]!.AsArray());
    }
}
