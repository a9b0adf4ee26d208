using System.Net;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Import;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Patients;
using IdentityRef.Application.TraitMatching;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>
/// <c>identity_keys</c> (one row per keyed identity listing its keys) replaces the index of <c>match_keys</c> by identity:
/// a change finds the identity's present keys through it, so it must agree with <c>match_keys</c> after every change —
/// a trait change removes exactly the stale keys, a merge removes the merged identity's keys and row, an undo brings them
/// back — and the identities without keys are exactly those without a row.
/// </summary>
public sealed class IdentityKeyListTests(Databases databases) : IClassFixture<Databases>
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task TraitChange_Merge_Undo_KeepTheKeysAndTheirListInStep(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var client = factory.CreateClient();
        var survivorIpp = await CreateAsync(client, PatientJson.Valid());
        var mergedIpp = await CreateAsync(client, PatientJson.Valid());
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var survivor = await db.Identities.AsNoTracking().SingleAsync(i => i.Ipp == survivorIpp);
        var merged = await db.Identities.AsNoTracking().SingleAsync(i => i.Ipp == mergedIpp);
        Assert.Equal(2, await KeyTables.AssertAgreeAsync(db, [survivor.Id, merged.Id]));

        // A new birth name: the keys made from the old one go, and the old name's keys no longer lead to the identity.
        var oldKeys = KeysOf(survivor);
        Assert.Contains(await MatchRows.ByKeysAsync(db, oldKeys, CancellationToken.None), r => r.Id == survivor.Id);
        await PatientJson.UpdateAsync(client, survivorIpp, body => body.With("birthName", "RENAMED" + PatientJson.UniqueLetters()));
        var renamed = await db.Identities.AsNoTracking().SingleAsync(i => i.Id == survivor.Id);
        var stale = oldKeys.Except(KeysOf(renamed)).ToList();
        Assert.NotEmpty(stale);
        Assert.DoesNotContain(await MatchRows.ByKeysAsync(db, stale, CancellationToken.None), r => r.Id == survivor.Id);
        Assert.Empty(await db.MatchKeys.AsNoTracking().Where(k => k.IdentityNumber == survivor.Number && stale.Contains(k.Key)).ToListAsync());
        await KeyTables.AssertAgreeAsync(db, [survivor.Id]);

        // Merged: the merged identity has neither keys nor a list, and its keys no longer lead to it.
        var mergedKeys = KeysOf(merged);
        long mergeId;
        await using (var merging = factory.Services.CreateAsyncScope())
        {
            var mdb = merging.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var merge = await merging.ServiceProvider.GetRequiredService<MergeService>().MergeAsync(
                await mdb.Identities.SingleAsync(i => i.Id == survivor.Id), await mdb.Identities.SingleAsync(i => i.Id == merged.Id),
                new Actor("test", Guid.NewGuid().ToString("N")), null, CancellationToken.None);
            mergeId = merge.Id;
        }
        Assert.False((await db.Identities.AsNoTracking().SingleAsync(i => i.Id == merged.Id)).IsActive);
        Assert.False(await db.IdentityKeys.AnyAsync(k => k.IdentityNumber == merged.Number));
        Assert.DoesNotContain(await MatchRows.ByKeysAsync(db, mergedKeys, CancellationToken.None), r => r.Id == merged.Id);
        Assert.Equal(2, await KeyTables.AssertAgreeAsync(db, [survivor.Id, merged.Id]));

        // Undone: both active again, each with its keys and its list.
        await using (var undoing = factory.Services.CreateAsyncScope())
        {
            var udb = undoing.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            await undoing.ServiceProvider.GetRequiredService<MergeService>().UndoAsync(await udb.Merges.SingleAsync(m => m.Id == mergeId),
                new Actor("test", Guid.NewGuid().ToString("N")), CancellationToken.None);
        }
        Assert.True((await db.Identities.AsNoTracking().SingleAsync(i => i.Id == merged.Id)).IsActive);
        Assert.Contains(await MatchRows.ByKeysAsync(db, mergedKeys, CancellationToken.None), r => r.Id == merged.Id);
        Assert.Equal(2, await KeyTables.AssertAgreeAsync(db, [survivor.Id, merged.Id]));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task TwoChangesInOneUnitOfWork_TheSecondRemovesTheKeysTheFirstAdded(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var ipp = await CreateAsync(factory.CreateClient(), PatientJson.Valid());
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var patients = scope.ServiceProvider.GetRequiredService<PatientService>();
        var identity = await db.Identities.SingleAsync(i => i.Ipp == ipp);
        var firstName = identity.BirthName;

        // Renamed then named back in one context: the second change removes keys the first one added and this context still tracks.
        await patients.UpdateAsync(identity, Traits(factory, "AUTRE" + PatientJson.UniqueLetters()), Actor.System("test"), CancellationToken.None);
        await patients.UpdateAsync(identity, Traits(factory, firstName), Actor.System("test"), CancellationToken.None);

        Assert.Equal(firstName, (await db.Identities.AsNoTracking().SingleAsync(i => i.Id == identity.Id)).BirthName);
        await KeyTables.AssertAgreeAsync(db, [identity.Id]);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task WithoutKeys_FindsExactlyTheActiveIdentitiesWithoutAList(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var keyed = await CreateAsync(factory.CreateClient(), PatientJson.Valid());
        // Two identities of a bulk writer that defers its keys (the seed), not keyed yet.
        var writer = new IdentityBatch(factory.Services, deferMatchKeys: true);
        await writer.WriteAsync([new IdentityBatch.NewIdentity(Traits(factory, "UNKEYED" + PatientJson.UniqueLetters()), null, null),
            new IdentityBatch.NewIdentity(Traits(factory, "UNKEYED" + PatientJson.UniqueLetters()), null, null)],
            new Actor("test", "c"), "identity.seeded", CancellationToken.None);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var unkeyed = await db.Identities.AsNoTracking().Where(i => i.BirthName.StartsWith("UNKEYED")).Select(i => i.Number).ToListAsync();
        Assert.Equal(2, unkeyed.Count);

        Assert.Equal(unkeyed.Order(), (await MatchRows.WithoutKeysAsync(db, CancellationToken.None)).Select(r => r.Number).Order());
        Assert.True(await MatchKeyBuild.AnyMissingAsync(db, CancellationToken.None));

        Assert.Equal(2, (await writer.CompleteAsync(CancellationToken.None)).Identities);
        Assert.Empty(await MatchRows.WithoutKeysAsync(db, CancellationToken.None));
        Assert.False(await MatchKeyBuild.AnyMissingAsync(db, CancellationToken.None));
        var all = await db.Identities.AsNoTracking().Select(i => i.Id).ToListAsync();
        Assert.Contains(await db.Identities.AsNoTracking().Where(i => i.Ipp == keyed).Select(i => i.Id).SingleAsync(), all);
        Assert.Equal(all.Count, await KeyTables.AssertAgreeAsync(db, all));
    }

    private static async Task<string> CreateAsync(HttpClient client, System.Text.Json.Nodes.JsonObject person)
    {
        var created = await client.PostAsync("/api/patients", person.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (string)(await created.ReadObjectAsync())["ipp"]!;
    }

    private static ValidatedTraits Traits(IdentityRefFactory factory, string birthName) => IdentityValidator.Validate(new IdentityInput
    {
        BirthName = birthName, FirstNames = "Lise", BirthDate = "1972-03-09", Sex = "F", Postcode = "69003", City = "Lyon",
    }, factory.Services.GetRequiredService<IBirthPlaceDirectory>(), new DateOnly(2026, 1, 1)).Value;

    private static List<long> KeysOf(Identity identity) => [.. IdentityMatching.KeyHashes(IdentityMatching.ToRecord(identity))];
}
