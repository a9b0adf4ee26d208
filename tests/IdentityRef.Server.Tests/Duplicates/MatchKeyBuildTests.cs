using IdentityRef.Application.Audit;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Patients;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Cli;
using IdentityRef.Server.Duplicates;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using IdentityRef.Application.Import;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>
/// The bulk paths of duplicate detection: keys written in one sorted pass must be exactly those the listener writes,
/// and the plain data reader must read exactly what EF reads.
/// </summary>
public sealed class MatchKeyBuildTests(Databases databases) : IClassFixture<Databases>
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task BulkBuild_WritesTheKeysTheListenerWrote(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var ipps = await CreatePeopleAsync(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var ids = await db.Identities.Where(i => ipps.Contains(i.Ipp)).Select(i => i.Id).ToListAsync();
        var byListener = await KeysOfAsync(db, ids);
        Assert.All(ids, id => Assert.NotEmpty(byListener[id]));

        var numbers = await db.Identities.Where(i => ids.Contains(i.Id)).Select(i => i.Number).ToListAsync();
        await db.MatchKeys.Where(k => numbers.Contains(k.IdentityNumber)).ExecuteDeleteAsync();
        await db.IdentityKeys.Where(k => numbers.Contains(k.IdentityNumber)).ExecuteDeleteAsync();
        var (keyed, written) = await MatchKeyBuild.BuildMissingAsync(db, CancellationToken.None);

        Assert.Equal(ids.Count, keyed);
        var byBuild = await KeysOfAsync(db, ids);
        Assert.Equal(byListener.Values.Sum(k => k.Count), written);
        Assert.All(ids, id => Assert.Equal(byListener[id], byBuild[id]));
        await KeyTables.AssertAgreeAsync(db, ids);
        Assert.Equal((0, 0L), await MatchKeyBuild.BuildMissingAsync(db, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Seed_WritesEveryIdentitysKeysAfterTheBatches(DatabaseProvider provider)
    {
        var factory = databases[provider];
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var before = await db.Identities.Select(i => i.Id).ToListAsync();

        Assert.Equal(0, await new SeedCommand(factory.Services).RunAsync(300, randomSeed: 11, CancellationToken.None));

        var seeded = await db.Identities.AsNoTracking().Where(i => !before.Contains(i.Id)).ToListAsync();
        Assert.Equal(300, seeded.Count);
        var stored = await KeysOfAsync(db, seeded.Select(i => i.Id).ToList());
        Assert.All(seeded, identity => Assert.Equal(IdentityMatching.KeyHashes(IdentityMatching.ToRecord(identity)).Order(), stored[identity.Id]));
        Assert.Equal(300, await KeyTables.AssertAgreeAsync(db, [.. seeded.Select(i => i.Id)]));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task InterruptedBulkWrite_LeavesAPendingMark_FullRunKeysTheIdentities(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var client = factory.CreateClient();
        var person = new JsonObject { ["birthName"] = "PENDING" + PatientJson.UniqueLetters(), ["firstNames"] = "Lise", ["birthDate"] = "1972-03-09", ["sex"] = "F" };
        var input = new IdentityInput
        {
            BirthName = (string)person["birthName"]!, FirstNames = "Lise", BirthDate = "1972-03-09", Sex = "F",
        };
        var traits = IdentityValidator.Validate(input, factory.Services.GetRequiredService<IBirthPlaceDirectory>(), new DateOnly(2026, 1, 1)).Value;

        // A bulk writer that stopped after its batches, before writing the keys.
        await new IdentityBatch(factory.Services, deferMatchKeys: true).WriteAsync([new IdentityBatch.NewIdentity(traits, null, null)],
            new Actor("test", "c"), "identity.seeded", CancellationToken.None);
        Assert.Empty((await (await client.PostAsync("/api/patients/match", person.Content())).ReadObjectAsync())["candidates"]!.AsArray());
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.True(await MatchKeyBuild.AnyMissingAsync(scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>(), CancellationToken.None));
        }

        Assert.Equal(0, await DuplicateCommands.DedupeAsync(factory.Services, full: true, train: false, summaryJson: null, CancellationToken.None));

        Assert.Single((await (await client.PostAsync("/api/patients/match", person.Content())).ReadObjectAsync())["candidates"]!.AsArray());
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.False(await MatchKeyBuild.AnyMissingAsync(scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>(), CancellationToken.None));
        }
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task WriterBuild_KeepsKeysWrittenMeanwhile_AndTakesOnlyItsOwnBatchesOffThePendingCount(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var ipps = await CreatePeopleAsync(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var identities = await db.Identities.AsNoTracking().Where(i => ipps.Contains(i.Ipp)).ToListAsync();
        var ids = identities.Select(i => i.Id).ToList();
        var before = await KeysOfAsync(db, ids);
        // Three batches pending: this writer's two and another writer's one (still running, or interrupted).
        for (var batch = 0; batch < 3; batch++)
        {
            await MatchKeyBuild.MarkPendingAsync(db, CancellationToken.None);
        }

        // The listener keyed these identities already (as when one is changed through the API during an import).
        await MatchKeyBuild.BuildWrittenAsync(db, identities.Select(MatchRow.Of).ToList(), batches: 2, CancellationToken.None);

        Assert.Equal(before, await KeysOfAsync(db, ids));
        Assert.True(await MatchKeyBuild.AnyMissingAsync(db, CancellationToken.None));
        await MatchKeyBuild.BuildWrittenAsync(db, [], batches: 5, CancellationToken.None);
        Assert.False(await MatchKeyBuild.AnyMissingAsync(db, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task RebuildKeys_ReplacesStaleKeysWithTheMatchersCurrentOnes(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var ipps = await CreatePeopleAsync(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var identities = await db.Identities.AsNoTracking().Where(i => ipps.Contains(i.Ipp)).ToListAsync();
        var ids = identities.Select(i => i.Id).ToList();
        // Keys of an older blocking: one missing, one the matcher no longer makes.
        var first = await db.MatchKeys.FirstAsync(k => k.IdentityNumber == identities[0].Number);
        db.MatchKeys.Remove(first);
        db.MatchKeys.Add(new MatchKey { IdentityNumber = identities[1].Number, Key = 42 });
        await db.SaveChangesAsync();

        Assert.Equal(0, await DuplicateCommands.RebuildKeysAsync(factory.Services, CancellationToken.None));

        var stored = await KeysOfAsync(db, ids);
        Assert.All(identities, identity => Assert.Equal(IdentityMatching.KeyHashes(IdentityMatching.ToRecord(identity)).Order(), stored[identity.Id]));
        await KeyTables.AssertAgreeAsync(db, ids);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task MatchRows_ReadWhatEfReads(DatabaseProvider provider)
    {
        var factory = databases[provider];
        await CreatePeopleAsync(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();

        var byEf = (await db.Identities.AsNoTracking().Where(i => i.MergedIntoId == null).ToListAsync()).Select(MatchRow.Of).OrderBy(r => r.Id).ToList();
        var byReader = (await MatchRows.ActiveAsync(db, CancellationToken.None)).OrderBy(r => r.Id).ToList();

        Assert.Equal(byEf, byReader);
        var probe = byEf[^1];
        var keys = IdentityMatching.KeyHashes(probe.ToRecord());
        Assert.Contains(probe, await MatchRows.ByKeysAsync(db, keys, CancellationToken.None));
        Assert.Empty(await MatchRows.ByKeysAsync(db, [], CancellationToken.None));
    }

    /// <summary>Nulls and values in every optional column, compound names, a used name; confirmed, as tests share a base.</summary>
    /// <summary>Creates <see cref="People"/> through the API; their IPPs.</summary>
    private static async Task<List<string>> CreatePeopleAsync(IdentityRefFactory factory)
    {
        var client = factory.CreateClient();
        var ipps = new List<string>();
        foreach (var body in People())
        {
            var response = await client.PostAsync("/api/patients", body.Content());
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ipps.Add((string)(await response.ReadObjectAsync())["ipp"]!);
        }
        return ipps;
    }

    private static IEnumerable<JsonObject> People() => Bodies().Select(b => b.With("confirmDuplicate", true));

    private static IEnumerable<JsonObject> Bodies()
    {
        var name = "BULK" + PatientJson.UniqueLetters();
        yield return PatientJson.Valid(name);
        yield return new JsonObject { ["birthName"] = name + "-LEROY", ["firstNames"] = "Anne Claire", ["birthDate"] = "2001-12-03", ["sex"] = "F" };
        yield return new JsonObject
        {
            ["birthName"] = "D'" + name, ["firstNames"] = "Éloïse", ["birthDate"] = "1948-07-01", ["sex"] = "F", ["usedName"] = "DUPONT",
            ["usedFirstName"] = "LOLA", ["birthPlaceCode"] = "99134", ["postcode"] = "13001", ["city"] = "Marseille",
        };
    }

    private static async Task<Dictionary<Guid, List<long>>> KeysOfAsync(IdentityRefDbContext db, IReadOnlyList<Guid> ids)
    {
        var numbers = await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Number);
        var values = numbers.Values.ToList();
        var keys = await db.MatchKeys.AsNoTracking().Where(k => values.Contains(k.IdentityNumber)).ToListAsync();
        return ids.ToDictionary(id => id, id => keys.Where(k => k.IdentityNumber == numbers[id]).Select(k => k.Key).Order().ToList());
    }
}
