using System.Globalization;
using System.Net;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Hosting;

/// <summary>
/// A walk-in patient registered at a desk at the very moment the lab's feed (inbound A28 over a real MLLP socket)
/// sends the same person, on both providers. Whoever commits second must see the first: either the desk is stopped
/// at the probable duplicate (409), or the feed, which cannot be stopped, creates its record with the pair in the
/// cell's queue. Never two records that nobody will review, never a 500, every message answered AA.
/// </summary>
public sealed class DeskAndFeedRaceTests(Databases databases) : IClassFixture<Databases>
{
    private const int Rounds = 8;

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task OnePersonAtADeskAndOnTheFeedAtOnce_NeverTwoRecordsUnreviewed(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var api = factory.CreateClient();
        await using var feed = await InboundCheckBeforeCreateTests.ConnectAsync(factory);
        var outcomes = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var name = "RACE" + PatientJson.UniqueLetters();
            var birthDate = new DateOnly(1940, 1, 1).AddDays(Random.Shared.Next(25000));
            var person = PatientJson.Valid(name).With("birthDate", birthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            var ext = "LAB" + PatientJson.UniqueLetters();
            var message = InboundCheckBeforeCreateTests.A28(ext, name, "JEAN-PIERRE MARIE", birthDate, "M", "75112");

            using var start = new SemaphoreSlim(0, 2);
            var desk = Task.Run(async () => { await start.WaitAsync(); return await api.PostAsync("/api/patients", person.Content()); });
            var fed = Task.Run(async () => { await start.WaitAsync(); await Task.Delay(round % 4 * 4); return await InboundCheckBeforeCreateTests.SendAsync(feed, message); });
            start.Release(2);
            var answer = await desk;
            var ack = await fed;

            Assert.Equal("AA", ack.Msa()!.Value.AcknowledgmentCode);
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var records = await db.Identities.AsNoTracking().Where(i => i.BirthName == name).Select(i => (Guid?)i.Id).ToListAsync();
            if (answer.StatusCode == HttpStatusCode.Conflict)
            {
                // the feed's record was there first: the desk is shown it
                Assert.Equal("probable-duplicate", (string)(await answer.ReadObjectAsync())["rule"]!);
                Assert.Single(records);
                outcomes.Add("feed first");
            }
            else
            {
                Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
                // the desk's record was there first: the feed's record is created and the pair is in the cell's queue
                Assert.Equal(2, records.Count);
                Assert.True(await db.DuplicateItems.AnyAsync(d => d.State == "open" && records.Contains(d.IdentityA) && records.Contains(d.IdentityB)),
                    $"round {round}: two records of one person and no pair for the cell");
                outcomes.Add("desk first");
            }
        }
        Assert.Equal(Rounds, outcomes.Count);
    }
}
