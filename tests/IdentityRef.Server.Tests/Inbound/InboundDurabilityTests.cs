using System.Data.Common;
using System.Text;
using IdentityRef.Application.Inbound;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Inbound;

/// <summary>
/// <c>Hl7:Inbound:Durability</c> (docs/hl7.md, "Durability of an inbound commit"): by default every inbound commit waits for
/// the disk; Relaxed, for a replayed onboarding feed, really lowers it inside the inbound unit of work on both providers
/// (read back from the database, not from the settings), only there (a connection taken from the pool afterwards is
/// durable again), is announced at start-up, and a feed replayed twice creates nobody twice.
/// </summary>
public sealed class InboundDurabilityTests
{
    private static readonly Dictionary<string, string?> Relaxed = new() { ["Hl7:Inbound:Durability"] = "Relaxed" };

    public static TheoryData<DatabaseProvider> Providers => Databases.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ByDefault_TheInboundUnitOfWorkCommitsDurably(DatabaseProvider provider)
    {
        using var factory = Start(new IdentityRefFactory(provider));

        Assert.Equal(Durable(provider), await SettingInsideTheUnitOfWorkAsync(factory));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains("durability is Relaxed", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Relaxed_LowersTheCommitsDurabilityInsideTheInboundUnitOfWorkOnly_AndSaysSoAtStartUp(DatabaseProvider provider)
    {
        using var factory = Start(new IdentityRefFactory(provider, new Dictionary<string, string?>(Relaxed)));
        await factory.Services.GetRequiredService<InboundFeed>().Port;

        Assert.Equal(provider == DatabaseProvider.Sqlite ? "1" : "off", await SettingInsideTheUnitOfWorkAsync(factory)); // NORMAL = 1
        // Every other use of a connection, after it went back to the pool, commits durably.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            await db.Database.OpenConnectionAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.Equal(Durable(provider), await ReadAsync(db, transaction));
        }
        // Once integrated through the real listener too.
        await using (var sender = await InboundCheckBeforeCreateTests.ConnectAsync(factory))
        {
            Assert.Equal("AA", (await InboundCheckBeforeCreateTests.SendAsync(sender, InboundCheckBeforeCreateTests.A28("LAB" + PatientJson.UniqueLetters(), "DURA" + PatientJson.UniqueLetters(),
                "ALICE", new DateOnly(1970, 1, 2), "F", "75112"))).Msa()!.Value.AcknowledgmentCode);
        }
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            await db.Database.OpenConnectionAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.Equal(Durable(provider), await ReadAsync(db, transaction));
        }

        var line = Assert.Single(factory.Logs.Lines, l => l.Contains("durability is Relaxed", StringComparison.Ordinal));
        Assert.Contains("power cut", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Relaxed_AFeedReplayedTwice_CreatesNobodyTwice_EveryMessageAnsweredAa(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider, new Dictionary<string, string?>(Relaxed));
        factory.CreateClient();
        var people = Enumerable.Range(0, 6).Select(_ => (Ext: "LAB" + PatientJson.UniqueLetters(), Name: "REPLAY" + PatientJson.UniqueLetters())).ToList();
        var feed = people.Select((p, i) => InboundCheckBeforeCreateTests.A28(p.Ext, p.Name, "MARIE CLAIRE", new DateOnly(1960 + i, 5, 6), "F", "69123"))
            .Concat(people.Take(2).Select((p, i) => InboundCheckBeforeCreateTests.A28(p.Ext, p.Name, "MARIE CLAIRE", new DateOnly(1960 + i, 5, 6), "F", "69123")
                .Replace("ADT^A28^ADT_A05", "ADT^A31^ADT_A05", StringComparison.Ordinal)))
            .ToList();

        for (var replay = 0; replay < 2; replay++)
        {
            await using var sender = await InboundCheckBeforeCreateTests.ConnectAsync(factory);
            foreach (var message in feed)
            {
                Assert.Equal("AA", (await InboundCheckBeforeCreateTests.SendAsync(sender, message)).Msa()!.Value.AcknowledgmentCode);
            }
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        foreach (var (ext, name) in people)
        {
            Assert.Equal(1, await db.Identities.CountAsync(i => i.BirthName == name));
            var id = await db.Identifiers.Where(i => i.Value == ext).Select(i => i.IdentityId).SingleAsync();
            Assert.Equal(1, await db.AuditTrail.CountAsync(a => a.IdentityId == id && a.Action == "identity.created"));
        }
    }

    /// <summary>
    /// Starts the server. The test PostgreSQL runs with <c>synchronous_commit=off</c> (speed); its database is set back to
    /// PostgreSQL's default (<c>on</c>) first, so that what the unit of work changes is seen.
    /// </summary>
    private static IdentityRefFactory Start(IdentityRefFactory factory)
    {
        if (factory.Provider == DatabaseProvider.PostgreSql)
        {
            using var connection = new Npgsql.NpgsqlConnection(factory.ConnectionString + ";Pooling=false"); // not kept for the server: it would keep the old setting
            connection.Open();
            using var name = new Npgsql.NpgsqlCommand("SELECT current_database()", connection);
            using var alter = new Npgsql.NpgsqlCommand($"ALTER DATABASE \"{(string)name.ExecuteScalar()!}\" SET synchronous_commit = on", connection);
            alter.ExecuteNonQuery();
        }
        factory.CreateClient();
        return factory;
    }

    private static string Durable(DatabaseProvider provider) => provider == DatabaseProvider.Sqlite ? "2" : "on"; // FULL = 2

    /// <summary>The commit's durability as the database reports it inside an inbound unit of work's transaction.</summary>
    private static async Task<string> SettingInsideTheUnitOfWorkAsync(IdentityRefFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var work = scope.ServiceProvider.GetRequiredService<InboundUnitOfWork>();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        await using var transaction = await work.BeginAsync(CancellationToken.None);
        var value = await ReadAsync(db, transaction);
        await transaction.RollbackAsync();
        return value;
    }

    private static async Task<string> ReadAsync(IdentityRefDbContext db, IDbContextTransaction transaction)
    {
        await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = db.Provider == DatabaseProvider.Sqlite ? "PRAGMA synchronous" : "SHOW synchronous_commit";
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
