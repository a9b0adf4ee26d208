using IdentityRef.Application.Duplicates;
using System.Net;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using IdentityRef.Server.Duplicates;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>Keys written by another version of the matcher's blocking are computed again at start, never left to miss candidates.</summary>
public sealed class MatchKeyVersionTests
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task KeysOfAnotherBlockingVersion_AreRebuilt_ThenTheVersionIsRecorded(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider);
        var client = factory.CreateClient();
        var ipps = new List<string>();
        foreach (var name in new[] { "VERSIONA", "VERSIONB" })
        {
            var response = await client.PostAsync("/api/patients", PatientJson.Valid(name + PatientJson.UniqueLetters()).With("confirmDuplicate", true).Content());
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ipps.Add((string)(await response.ReadObjectAsync())["ipp"]!);
        }
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        Assert.Equal(Blocking.Version, await VersionAsync(db)); // recorded when the server started
        var identities = await db.Identities.AsNoTracking().Where(i => ipps.Contains(i.Ipp)).ToListAsync();

        // As an older blocking left them: one identity's keys gone, the other's wrong, the old version recorded.
        await db.MatchKeys.Where(k => k.IdentityId == identities[0].Id).ExecuteDeleteAsync();
        await db.MatchKeys.Where(k => k.IdentityId == identities[1].Id).ExecuteUpdateAsync(u => u.SetProperty(k => k.Key, k => k.Key + 1));
        await db.Counters.Where(c => c.Name == MatchKeyVersion.Counter).ExecuteUpdateAsync(u => u.SetProperty(c => c.Next, Blocking.Version - 1));

        Assert.True(await MatchKeyVersion.EnsureCurrentAsync(db, NullLogger.Instance, CancellationToken.None));

        foreach (var identity in identities)
        {
            var stored = await db.MatchKeys.AsNoTracking().Where(k => k.IdentityId == identity.Id).Select(k => k.Key).OrderBy(k => k).ToListAsync();
            Assert.Equal(IdentityMatching.KeyHashes(IdentityMatching.ToRecord(identity)).Distinct().Order(), stored);
        }
        Assert.Equal(Blocking.Version, await VersionAsync(db));
        Assert.False(await MatchKeyVersion.EnsureCurrentAsync(db, NullLogger.Instance, CancellationToken.None));
    }

    [Fact]
    public async Task KeysWrittenBeforeVersionsWereRecorded_AreRebuilt()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/patients", PatientJson.Valid("UNVERSIONED" + PatientJson.UniqueLetters()).Content())).StatusCode);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        await db.Counters.Where(c => c.Name == MatchKeyVersion.Counter).ExecuteDeleteAsync();

        Assert.True(await MatchKeyVersion.EnsureCurrentAsync(db, NullLogger.Instance, CancellationToken.None));
        Assert.Equal(Blocking.Version, await VersionAsync(db));
    }

    private static async Task<long?> VersionAsync(IdentityRefDbContext db) =>
        await db.Counters.AsNoTracking().Where(c => c.Name == MatchKeyVersion.Counter).Select(c => (long?)c.Next).FirstOrDefaultAsync();
}
