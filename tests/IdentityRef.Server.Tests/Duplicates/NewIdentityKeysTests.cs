using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Application.TraitMatching;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>
/// The blocking keys of an identity created one at a time (the desk's check-before-create, the inbound feed): on SQLite
/// they are written by SQLite's own prepared statement after SaveChanges, in the creation's transaction, rather than as
/// tracked entities (<see cref="MatchKeyIndex"/>). Whichever way, on both providers: the keys are exactly those of the
/// identity, the check finds a just-created identity, and a failure after the keys are written leaves neither the
/// identity nor its keys.
/// </summary>
public sealed class NewIdentityKeysTests(Databases databases) : IClassFixture<Databases>
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task DeskAndFeedCreations_StoreExactlyTheIdentitysKeys_AndTheCheckFindsThemAtOnce(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var client = factory.CreateClient();
        var person = PatientJson.Valid();
        var created = await client.PostAsync("/api/patients", person.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var deskIpp = (string)(await created.ReadObjectAsync())["ipp"]!;
        // The same person at the next desk, just after: the check finds the identity through the keys just written.
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/patients", person.Content())).StatusCode);

        await using var sender = await InboundCheckBeforeCreateTests.ConnectAsync(factory);
        var ext = "LAB" + PatientJson.UniqueLetters();
        var fedName = "FEED" + PatientJson.UniqueLetters();
        var ack = await InboundCheckBeforeCreateTests.SendAsync(sender, InboundCheckBeforeCreateTests.A28(ext, fedName, "LUCIE", new DateOnly(1988, 3, 4), "F", "13055"));
        Assert.Equal("AA", ack.Msa()!.Value.AcknowledgmentCode);
        // A desk registering the person the feed has just created is stopped at the probable duplicate.
        var fedPerson = new JsonObject { ["birthName"] = fedName, ["firstNames"] = "Lucie", ["birthDate"] = "1988-03-04", ["sex"] = "F", ["birthPlaceCode"] = "13055" };
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/patients", fedPerson.Content())).StatusCode);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var desk = await db.Identities.AsNoTracking().SingleAsync(i => i.Ipp == deskIpp);
        var fed = await db.Identities.AsNoTracking().SingleAsync(i => i.BirthName == fedName);
        foreach (var identity in new[] { desk, fed })
        {
            Assert.NotEmpty(await KeysAsync(db, identity.Number));
            Assert.Equal(ExpectedKeys(identity), await KeysAsync(db, identity.Number));
        }

        // The feed then changes the person (A31, another first name): its keys follow the new traits.
        var a31 = InboundCheckBeforeCreateTests.A28(ext, fedName, "CAMILLE", new DateOnly(1988, 3, 4), "F", "13055", control: "U" + ext)
            .Replace("ADT^A28^ADT_A05", "ADT^A31^ADT_A05", StringComparison.Ordinal);
        Assert.Equal("AA", (await InboundCheckBeforeCreateTests.SendAsync(sender, a31)).Msa()!.Value.AcknowledgmentCode);
        var changed = await db.Identities.AsNoTracking().SingleAsync(i => i.Id == fed.Id);
        Assert.Equal("CAMILLE", changed.FirstName);
        Assert.NotEqual(ExpectedKeys(fed), ExpectedKeys(changed));
        Assert.Equal(ExpectedKeys(changed), await KeysAsync(db, changed.Number));
        Assert.Equal(2, await KeyTables.AssertAgreeAsync(db, [desk.Id, fed.Id]));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task AFailureAfterTheKeysAreWritten_LeavesNeitherTheIdentityNorItsKeys(DatabaseProvider provider)
    {
        var failing = new FailingCommit();
        using var factory = new IdentityRefFactory(provider, services: s =>
        {
            if (provider == DatabaseProvider.Sqlite)
            {
                s.ConfigureDbContext<SqliteIdentityRefDbContext>(o => o.AddInterceptors(failing));
            }
            else
            {
                s.ConfigureDbContext<PostgresIdentityRefDbContext>(o => o.AddInterceptors(failing));
            }
        });
        var client = factory.CreateClient();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();

        // The desk: the commit of the creation fails (a full disk), after the identity and its keys were written in it.
        var person = PatientJson.Valid();
        failing.BirthName = (string)person["birthName"]!;
        var refused = await client.PostAsync("/api/patients", person.Content());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var (number, keys) = Assert.Single(failing.Seen);
        Assert.True(keys > 0, "the keys were in the transaction when its commit failed");
        Assert.False(await db.Identities.AnyAsync(i => i.BirthName == failing.BirthName));
        Assert.Empty(await KeysAsync(db, number));
        Assert.False(await db.IdentityKeys.AnyAsync(k => k.IdentityNumber == number));

        // Sent again once the disk has room: created, with its keys (the same store number may come back: nothing of the
        // failed attempt stands in its way).
        failing.BirthName = null;
        var created = await client.PostAsync("/api/patients", person.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        var identity = await db.Identities.AsNoTracking().SingleAsync(i => i.Ipp == ipp);
        Assert.Equal(ExpectedKeys(identity), await KeysAsync(db, identity.Number));
        await KeyTables.AssertAgreeAsync(db, [identity.Id]);

        // The feed: the same failure answers AR (send it again later), nothing written.
        failing.Seen.Clear();
        var ext = "LAB" + PatientJson.UniqueLetters();
        failing.BirthName = "FEED" + PatientJson.UniqueLetters();
        await using var sender = await InboundCheckBeforeCreateTests.ConnectAsync(factory);
        var ack = await InboundCheckBeforeCreateTests.SendAsync(sender, InboundCheckBeforeCreateTests.A28(ext, failing.BirthName, "LUCIE", new DateOnly(1988, 3, 4), "F", "13055"));
        Assert.Equal("AR", ack.Msa()!.Value.AcknowledgmentCode);
        (number, keys) = Assert.Single(failing.Seen);
        Assert.True(keys > 0, "the keys were in the transaction when its commit failed");
        Assert.False(await db.Identities.AnyAsync(i => i.BirthName == failing.BirthName));
        Assert.False(await db.Identifiers.AnyAsync(i => i.Value == ext));
        Assert.Empty(await KeysAsync(db, number));
        Assert.False(await db.IdentityKeys.AnyAsync(k => k.IdentityNumber == number));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task ACreationOutsideATransaction_KeepsTheTrackedKeys_TheSameKeys(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var traits = IdentityValidator.Validate(new IdentityInput
        {
            BirthName = "ALONE" + PatientJson.UniqueLetters(), FirstNames = "Lise", BirthDate = "1972-03-09", Sex = "F",
        }, factory.Services.GetRequiredService<IBirthPlaceDirectory>(), new DateOnly(2026, 1, 1)).Value;
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        Assert.Null(db.Database.CurrentTransaction);

        // No transaction to hold a later statement with the identity: the keys are saved with it, as tracked rows.
        var identity = await scope.ServiceProvider.GetRequiredService<PatientService>().CreateAsync(traits, Actor.System("test"), null, CancellationToken.None);

        Assert.Equal(ExpectedKeys(identity), await KeysAsync(db, identity.Number));
        Assert.NotEmpty(await KeysAsync(db, identity.Number));
        await KeyTables.AssertAgreeAsync(db, [identity.Id]);
    }

    private static List<long> ExpectedKeys(Identity identity) => [.. IdentityMatching.KeyHashes(IdentityMatching.ToRecord(identity)).Order()];

    private static Task<List<long>> KeysAsync(IdentityRefDbContext db, long number) =>
        db.MatchKeys.AsNoTracking().Where(k => k.IdentityNumber == number).Select(k => k.Key).OrderBy(k => k).ToListAsync();

    /// <summary>
    /// Fails the commit of a transaction that wrote an identity of <see cref="BirthName"/>, as a full disk would, after
    /// noting what that transaction held: the identity's store number and how many keys it had written for it.
    /// </summary>
    private sealed class FailingCommit : DbTransactionInterceptor
    {
        public volatile string? BirthName;
        public readonly List<(long Number, long Keys)> Seen = [];

        public override async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (BirthName is not { } name)
            {
                return result;
            }
            var number = await ScalarAsync(transaction, "SELECT \"Number\" FROM identities WHERE \"BirthName\" = @p", name, cancellationToken);
            if (number is null)
            {
                return result;
            }
            var keys = await ScalarAsync(transaction, "SELECT count(*) FROM match_keys WHERE \"IdentityNumber\" = @p", number.Value, cancellationToken);
            lock (Seen)
            {
                Seen.Add((number.Value, keys ?? 0));
            }
            throw new SqliteException("database or disk is full", 13);
        }

        private static async Task<long?> ScalarAsync(DbTransaction transaction, string sql, object value, CancellationToken cancellationToken)
        {
            await using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p";
            parameter.Value = value;
            command.Parameters.Add(parameter);
            var scalar = await command.ExecuteScalarAsync(cancellationToken);
            return scalar is null or DBNull ? null : Convert.ToInt64(scalar, CultureInfo.InvariantCulture);
        }
    }
}
