using IdentityRef.Application.Jobs;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Insi.Simulator;
using IdentityRef.Persistence;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Jobs;

/// <summary>The scheduled INS re-verification, run directly on the real server with a fake clock and a teleservice on a socket.</summary>
public sealed class InsReverificationTests
{
    private static readonly TimeSpan PastMaxAge = TimeSpan.FromDays(400); // the default age is 365 days

    private static Task<JobCounters> RunAsync(JobsTestHost host, CancellationToken cancellationToken = default) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<InsReverifier>().RunAsync(cancellationToken));

    /// <summary>
    /// Runs the job, moving the fake clock to each wait of the rate gate once the job waits on it (the adapter's own
    /// timeout timers are ten minutes away in these tests, so they are never mistaken for the gate).
    /// </summary>
    private static async Task<JobCounters> RunPumpingAsync(JobsTestHost host)
    {
        var run = RunAsync(host);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!run.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "The run did not finish in time.");
            host.Clock.AdvanceToNextTimer(GateWaits);
            await Task.WhenAny(run, Task.Delay(20));
        }
        return await run;
    }

    private static readonly TimeSpan GateWaits = TimeSpan.FromSeconds(10);

    /// <summary>Waits (in real time) until the job waits on the rate gate.</summary>
    private static Task WaitForGateAsync(JobsTestHost host) => WaitUntilAsync(() => host.Clock.NextDueWithin(GateWaits) is not null);

    [Fact]
    public async Task DueIdentities_AreExactlyTheRecupAndQualCheckedLongerAgoThanTheMaxAge()
    {
        await using var host = await JobsTestHost.StartAsync();
        var recup = await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: false);
        var qual = await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: true);
        var provisional = await host.CreateAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"));
        host.Clock.Advance(PastMaxAge);
        var fresh = await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Toussaint", "1960-01-01", "M"), withDocument: false);
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        var runStart = host.Clock.GetUtcNow();
        host.Insi.ResetCount();

        var due = await host.WithScopeAsync(async sp => (await sp.GetRequiredService<InsReverifier>().DueAsync(default)).Select(i => i.Ipp).ToList());
        Assert.Equal([recup, qual], due.Order());

        var counters = await RunPumpingAsync(host);
        Assert.Equal((2, 2, 2), (counters["due"], counters["confirmed"], host.Insi.Requests));
        Assert.True((await host.IdentityAsync(recup)).InsiCheckedAt >= runStart);
        Assert.True((await host.IdentityAsync(qual)).InsiCheckedAt >= runStart);
        Assert.Equal(JobsTestHost.Start + PastMaxAge, (await host.IdentityAsync(fresh)).InsiCheckedAt);
        Assert.Null((await host.IdentityAsync(provisional)).InsiCheckedAt);
        Assert.Equal("ins.reverified", (await host.HistoryActionsAsync(recup)).Last());

        // Confirmed: not due any more.
        Assert.Equal(0, (await RunAsync(host).WaitAsync(TimeSpan.FromSeconds(60)))["due"]);
    }

    [Fact]
    public async Task Calls_AreSpacedByTheConfiguredRate_OnTheClock()
    {
        await using var host = await JobsTestHost.StartAsync(new Dictionary<string, string?> { ["Scheduler:InsReverification:CallsPerSecond"] = "2" });
        await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: false);
        await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: true);
        await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: false);
        await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Toussaint", "1960-01-01", "M"), withDocument: true);
        host.Clock.Advance(PastMaxAge);
        host.Insi.ResetCount();
        var started = host.Clock.GetUtcNow();

        var run = RunAsync(host);
        for (var expected = 1; expected <= 4; expected++)
        {
            await WaitUntilAsync(() => host.Insi.Requests >= expected);
            if (expected < 4)
            {
                // The job is parked on the rate gate's timer, which fires only when the fake clock moves: no pause
                // in real time could let a further call through, so none is needed to prove there is none.
                await WaitForGateAsync(host);
                Assert.Equal(expected, host.Insi.Requests);
                Assert.Equal(host.Clock.GetUtcNow().AddMilliseconds(500), host.Clock.NextDueWithin(GateWaits));
                host.Clock.Advance(TimeSpan.FromMilliseconds(500)); // one interval at 2 calls per second
            }
        }
        var counters = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4, counters["confirmed"]);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), host.Clock.GetUtcNow() - started);
    }

    [Fact]
    public async Task DailyCap_DefersTheRestToTheNextDay()
    {
        await using var host = await JobsTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Scheduler:InsReverification:DailyCap"] = "2",
            ["Scheduler:InsReverification:CallsPerSecond"] = "100",
        });
        await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: false);
        await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: false);
        await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: false);
        host.Clock.Advance(PastMaxAge);
        host.Insi.ResetCount();

        var first = await RunPumpingAsync(host);
        Assert.Equal((2, 1, 2), (first["confirmed"], first["deferred-daily-cap"], host.Insi.Requests));

        var sameDay = await RunAsync(host).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((0, 1, 2), (sameDay["confirmed"], sameDay["deferred-daily-cap"], host.Insi.Requests));

        host.Clock.Advance(TimeSpan.FromDays(1));
        var nextDay = await RunAsync(host).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((1, 3), (nextDay["confirmed"], host.Insi.Requests));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task EachOutcome_IsApplied_ReplacedConfirmedMismatchNotFound(DatabaseProvider provider)
    {
        await using var host = await JobsTestHost.StartAsync(provider: provider);
        var nia = await host.QualifyAsync(JobsTestHost.Person("Provisoire", "Matricule", "2009-07-01", "M"), withDocument: true);
        var unchanged = await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Toussaint", "1960-01-01", "M"), withDocument: true);
        var gone = await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: true);
        var otherIns = await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: false);
        var niaBefore = await host.IdentityAsync(nia);
        Assert.Equal(InsKind.Nia, niaBefore.InsKind);

        // Meanwhile at the teleservice: the NIA became a NIR, one person is no longer found, one has another INS.
        var newNir = WithKey("1090763220889");
        var changedBefore = (await host.IdentityAsync(otherIns)).InsValue!;
        var otherNir = WithKey(changedBefore[..10] + "999");
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities()
            .Where(p => !(p.BirthName == "ADRTROIS" && p.FirstNames == "DOMINIQUE"))
            .Select(p => p.BirthName == "PROVISOIRE"
                ? p with { Ins = new SimulatedIns(newNir[..13], newNir[13..], InsOids.Nir), History = [p.Ins] }
                : p.BirthName == "ADRUN" ? p with { Ins = new SimulatedIns(otherNir[..13], otherNir[13..], InsOids.Nir), History = [] } : p));
        // A downstream system subscribed (not listening: the messages stay in the outbox, where the test reads them).
        Assert.Equal(HttpStatusCode.Created, (await host.Client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = 9, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content())).StatusCode);
        host.Clock.Advance(PastMaxAge);
        var runStart = host.Clock.GetUtcNow();

        var counters = await RunPumpingAsync(host);
        Assert.Equal((1, 1, 1, 1), (counters["replaced"], counters["confirmed"], counters["not-found"], counters["mismatch"]));

        // NIA → NIR reaches the receivers as an A31 carrying the NIR with VALI (PAM FR §4.4.1).
        var niaId = (await host.IdentityAsync(nia)).Id;
        var broadcast = await host.WithScopeAsync(async services => await services.GetRequiredService<IdentityRefDbContext>().Outbox
            .Where(m => m.IdentityId == niaId && m.CreatedAt >= runStart).Select(m => new { m.Event, m.Payload }).ToListAsync());
        var a31 = Assert.Single(broadcast);
        Assert.Equal("A31", a31.Event);
        var text = System.Text.Encoding.UTF8.GetString(a31.Payload);
        Assert.Contains(newNir + "^^^ASIP-SANTE-INS-NIR&" + InsOids.Nir, text, StringComparison.Ordinal);
        Assert.Contains("|VALI", text, StringComparison.Ordinal);

        var replaced = await host.IdentityAsync(nia);
        Assert.Equal((newNir, InsKind.Nir, IdentityStatus.Qual), (replaced.InsValue, replaced.InsKind, replaced.Status));
        Assert.Contains(replaced.InsHistory, h => h.Value == niaBefore.InsValue && h.Oid == InsOids.Nia);
        Assert.True(replaced.InsiCheckedAt >= runStart);
        Assert.Equal("ins.replaced", (await host.HistoryActionsAsync(nia)).Last());

        Assert.True((await host.IdentityAsync(unchanged)).InsiCheckedAt >= runStart);

        // Default policy (Downgrade): a qualified INS that INSi no longer confirms leaves the receivers (QUAL → RECUP) and is
        // kept locally; the cell gets an item; the identity is not asked again meanwhile. Not found: a generic work item.
        // Another INS for the same traits: an INSi contradiction in the cell's collision queue instead.
        var notFound = await host.IdentityAsync(gone);
        Assert.Equal((IdentityStatus.Recup, true), (notFound.Status, notFound.InsValue is not null));
        var mismatch = await host.IdentityAsync(otherIns);
        Assert.Equal((IdentityStatus.Recup, changedBefore), (mismatch.Status, mismatch.InsValue));
        var items = await host.WorkItemsAsync();
        Assert.Equal([(WorkItemKinds.ReverificationNotFound, notFound.Id)], items.Select(w => (w.Kind, w.IdentityId!.Value)));
        Assert.All(items, w => Assert.Equal(WorkItem.Open, w.State));
        var contradiction = Assert.Single(await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().DuplicateItems.AsNoTracking().ToListAsync()));
        Assert.Equal((mismatch.Id, (Guid?)null, DuplicateClasses.InsiContradiction), (contradiction.IdentityA, contradiction.IdentityB, contradiction.Class));
        Assert.Equal(1, counters["insi-contradiction"]);
        Assert.Equal("ins.withdrawn", (await host.HistoryActionsAsync(gone)).Last()); // the downgrade, audited as a withdrawal (document-invalid)

        host.Insi.ResetCount();
        Assert.Equal(0, (await RunAsync(host).WaitAsync(TimeSpan.FromSeconds(60)))["due"]);
        Assert.Equal(0, host.Insi.Requests);
    }

    [Fact]
    public async Task VerifyMode_ChecksTheInsWithTheVerificationOperation()
    {
        await using var host = await JobsTestHost.StartAsync(new Dictionary<string, string?> { ["Scheduler:InsReverification:Mode"] = "Verify" });
        var kept = await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: true);
        var gone = await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: true);
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Where(p => p.BirthName != "ADRTROIS"));
        host.Clock.Advance(PastMaxAge);

        var counters = await RunPumpingAsync(host);

        Assert.Equal((1, 1), (counters["confirmed"], counters["not-found"]));
        var calls = await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().InsiCalls.AsNoTracking()
            .Where(c => c.Actor == InsReverifier.ActorName).Select(c => c.Operation).ToListAsync());
        Assert.Equal(["verify", "verify"], calls);
        Assert.Equal("ins.reverified", (await host.HistoryActionsAsync(kept)).Last());
        Assert.Equal(WorkItemKinds.ReverificationNotFound, Assert.Single(await host.WorkItemsAsync()).Kind);
        Assert.Equal(IdentityStatus.Recup, (await host.IdentityAsync(gone)).Status); // the default policy: Downgrade
    }

    [Fact]
    public async Task DowngradePolicy_WithdrawsTheInsFromReceivers_KeepsItLocally_AndRaisesAWorkItem()
    {
        await using var host = await JobsTestHost.StartAsync(new Dictionary<string, string?> { ["Scheduler:InsReverification:OnMismatch"] = "Downgrade" });
        var gone = await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: true);
        var insBefore = (await host.IdentityAsync(gone)).InsValue;
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Where(p => p.BirthName != "ADRTROIS"));
        host.Clock.Advance(PastMaxAge);

        var counters = await RunAsync(host).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal((1, 1), (counters["not-found"], counters["downgraded"]));
        var downgraded = await host.IdentityAsync(gone);
        Assert.Equal((IdentityStatus.Recup, insBefore), (downgraded.Status, downgraded.InsValue));
        Assert.Equal("ins.withdrawn", (await host.HistoryActionsAsync(gone)).Last());
        Assert.Equal(WorkItemKinds.ReverificationNotFound, Assert.Single(await host.WorkItemsAsync()).Kind);
    }

    // From the review of the INSi answer paths: INSi confirms the identity's own INS and traits, and another identity was
    // created since with that INS declared. The answer is not a traits change of this identity: it keeps its INS and
    // status, and the cell gets the same-INS pair (the other holder is the suspect).
    [Fact]
    public async Task Review_Reverification_InsAlsoHeldByAnotherIdentity_IsASameInsPair_NotTraitsChanged()
    {
        await using var host = await JobsTestHost.StartAsync();
        await SubscribeAsync(host);
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: true);
        var ins = (await host.IdentityAsync(ipp)).InsValue!;
        var other = JobsTestHost.Person("Autre", "Marie", "1960-02-03", "F");
        other["ins"] = new JsonObject { ["value"] = ins, ["oid"] = InsOids.Nir };
        var otherIpp = await host.CreateAsync(other);
        host.Clock.Advance(PastMaxAge);
        var runStart = host.Clock.GetUtcNow();

        var counters = await RunAsync(host).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal((1, 1), (counters["ins-held-elsewhere"], counters["same-ins-collision"]));
        Assert.Equal((0, 0, 0), (counters["mismatch"], counters["downgraded"], counters["insi-contradiction"]));
        var kept = await host.IdentityAsync(ipp);
        Assert.Equal((IdentityStatus.Qual, ins), (kept.Status, kept.InsValue));
        Assert.True(kept.InsiCheckedAt >= runStart); // INSi confirmed it
        Assert.DoesNotContain("A47", await OutboxEventsAsync(host, kept.Id, runStart));
        var holder = await host.IdentityAsync(otherIpp);
        var pair = Assert.Single(await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().DuplicateItems.AsNoTracking()
            .Where(d => d.Kind == DuplicateKinds.Collision && d.State != DuplicateStates.Resolved).ToListAsync()));
        Assert.Equal(DuplicateClasses.SameIns, pair.Class);
        Assert.Equal(new[] { kept.Id, holder.Id }.Order(), new[] { pair.IdentityA, pair.IdentityB!.Value }.Order());
        Assert.Empty(await host.WorkItemsAsync()); // the pair is the cell's item, not a generic mismatch
        var history = await (await host.Client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        var line = history.Last(h => ((string)h!["action"]!).StartsWith("ins.", StringComparison.Ordinal))!;
        Assert.Equal("ins.reverified", (string)line["action"]!);
        var details = line["details"]!.ToJsonString();
        Assert.Contains("ins-held-elsewhere", details, StringComparison.Ordinal);
        Assert.DoesNotContain("traits-changed", history.ToJsonString(), StringComparison.Ordinal);
    }

    // A real change of the traits at INSi (same INS) is still a mismatch: contradiction for the cell, downgrade by default,
    // whether or not another identity also holds the INS (then the same-INS pair is raised too).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TraitsChangedAtInsi_ForTheSameIns_IsStillAMismatch_AndDowngrades(bool insAlsoHeldElsewhere)
    {
        await using var host = await JobsTestHost.StartAsync();
        await SubscribeAsync(host);
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: true);
        var ins = (await host.IdentityAsync(ipp)).InsValue!;
        if (insAlsoHeldElsewhere)
        {
            var other = JobsTestHost.Person("Autre", "Marie", "1960-02-03", "F");
            other["ins"] = new JsonObject { ["value"] = ins, ["oid"] = InsOids.Nir };
            await host.CreateAsync(other);
        }
        // Meanwhile at the teleservice: the same INS now carries a longer list of first names.
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Select(p => p.BirthName == "ADRUN" ? p with { FirstNames = "ZOE MARIE" } : p));
        host.Clock.Advance(PastMaxAge);
        var runStart = host.Clock.GetUtcNow();

        var counters = await RunAsync(host).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal((1, 1, 1, 0), (counters["mismatch"], counters["downgraded"], counters["insi-contradiction"], counters["ins-held-elsewhere"]));
        Assert.Equal(insAlsoHeldElsewhere ? 1 : 0, counters["same-ins-collision"]);
        var downgraded = await host.IdentityAsync(ipp);
        Assert.Equal((IdentityStatus.Recup, ins), (downgraded.Status, downgraded.InsValue)); // kept locally, withdrawn from receivers
        Assert.Equal(["A47"], await OutboxEventsAsync(host, downgraded.Id, runStart));
        var history = await (await host.Client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        var line = history.Last(h => ((string)h!["action"]!).StartsWith("ins.", StringComparison.Ordinal))!;
        Assert.Equal("ins.withdrawn", (string)line["action"]!);
        Assert.Contains("traits-changed", line["details"]!.ToJsonString(), StringComparison.Ordinal);
    }

    private static async Task SubscribeAsync(JobsTestHost host) =>
        // A downstream system subscribed (not listening: the messages stay in the outbox, where the test reads them).
        Assert.Equal(HttpStatusCode.Created, (await host.Client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = 9, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content())).StatusCode);

    private static Task<List<string>> OutboxEventsAsync(JobsTestHost host, Guid identityId, DateTimeOffset since) =>
        host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().Outbox.AsNoTracking()
            .Where(m => m.IdentityId == identityId && m.CreatedAt >= since).OrderBy(m => m.Id).Select(m => m.Event).ToListAsync());

    [Fact]
    public async Task TeleserviceDown_StopsAfterTheConfiguredFailures_AndLeavesTheIdentitiesDue()
    {
        await using var host = await JobsTestHost.StartAsync(new Dictionary<string, string?> { ["Scheduler:InsReverification:StopAfterConsecutiveErrors"] = "2" });
        await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: false);
        await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: false);
        await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: false);
        host.Clock.Advance(PastMaxAge);
        host.Insi.Down = true;
        host.Insi.ResetCount();

        var counters = await RunPumpingAsync(host);

        Assert.Equal((2, 1, 2), (counters["technical-error"], counters["stopped-teleservice-failing"], host.Insi.Requests));
        Assert.Empty(await host.WorkItemsAsync());
        var due = await host.WithScopeAsync(async sp => (await sp.GetRequiredService<InsReverifier>().DueAsync(default)).Count);
        Assert.Equal(3, due);
        // Its failures are its own to retry: the INSi retry job leaves them alone.
        Assert.Empty(await host.WithScopeAsync(sp => sp.GetRequiredService<InsiRetrier>().DueAsync(default)));
    }

    [Fact]
    public async Task Cancellation_StopsTheRunBetweenTwoIdentities()
    {
        await using var host = await JobsTestHost.StartAsync();
        await host.QualifyAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"), withDocument: false);
        await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: false);
        host.Clock.Advance(PastMaxAge);
        host.Insi.ResetCount();
        using var stop = new CancellationTokenSource();

        var run = RunAsync(host, stop.Token);
        await WaitForGateAsync(host);
        await stop.CancelAsync(); // the run waits on the rate gate for the second call

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, host.Insi.Requests);
        var checkedNow = await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().Identities
            .CountAsync(i => i.InsiCheckedAt == host.Clock.GetUtcNow()));
        Assert.Equal(1, checkedNow);
    }

    /// <summary>
    /// A NIA becomes a NIR, often keeping its number: NIR and NIA are told by the OID, never by the digits
    /// (ins-insi-rniv.md §1), and NIA → NIR is an A31 carrying the NIR (pam-fr.md). The job compared 15 characters only and
    /// counted this answer "confirmed", leaving the NIA's authority with every receiver (review, December 8, 2026).
    /// </summary>
    [Fact]
    public async Task NiaBecomeANirWithItsNumber_TakesTheNirOid_AndSendsTheNirInAnA31()
    {
        await using var host = await JobsTestHost.StartAsync();
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Provisoire", "Matricule", "2009-07-01", "M"), withDocument: true);
        var before = await host.IdentityAsync(ipp);
        Assert.Equal((InsKind.Nia, IdentityStatus.Qual), (before.InsKind, before.Status));
        // At the teleservice: the same matricule, now under the INS-NIR authority, the NIA in its history.
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities()
            .Select(p => p.BirthName == "PROVISOIRE" ? p with { Ins = p.Ins with { Oid = InsOids.Nir }, History = [p.Ins] } : p));
        await Subscriptions.CreateAsync(host.Client, "DPI", 9);
        host.Clock.Advance(PastMaxAge);
        var runStart = host.Clock.GetUtcNow();

        var counters = await RunPumpingAsync(host);

        Assert.Equal((1, 0), (counters["replaced"], counters["confirmed"]));
        var after = await host.IdentityAsync(ipp);
        Assert.Equal((before.InsValue, InsKind.Nir, IdentityStatus.Qual), (after.InsValue, after.InsKind, after.Status));
        var payloads = await host.WithScopeAsync(async services => await services.GetRequiredService<IdentityRefDbContext>().Outbox
            .Where(m => m.IdentityId == after.Id && m.CreatedAt >= runStart).Select(m => m.Payload).ToListAsync());
        var a31 = System.Text.Encoding.UTF8.GetString(Assert.Single(payloads));
        Assert.Contains("ADT^A31^ADT_A05", a31, StringComparison.Ordinal);
        Assert.Contains(after.InsValue + "^^^ASIP-SANTE-INS-NIR&" + InsOids.Nir, a31, StringComparison.Ordinal);
    }

    /// <summary>The reverse is never a confirmation: a NIR held from INSi, answered with the same digits as a NIA, is the cell's mismatch.</summary>
    [Fact]
    public async Task NirAnsweredAsANiaWithItsNumber_IsAMismatch_AndTheNirStays()
    {
        await using var host = await JobsTestHost.StartAsync();
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: true);
        var before = await host.IdentityAsync(ipp);
        Assert.Equal(InsKind.Nir, before.InsKind);
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities()
            .Select(p => p.BirthName == "NESSI" ? p with { Ins = p.Ins with { Oid = InsOids.Nia } } : p));
        host.Clock.Advance(PastMaxAge);

        var counters = await RunPumpingAsync(host);

        Assert.Equal((1, 0, 0), (counters["mismatch"], counters["confirmed"], counters["replaced"]));
        var after = await host.IdentityAsync(ipp);
        Assert.Equal((before.InsValue, InsKind.Nir), (after.InsValue, after.InsKind));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition was not met in time.");
            await Task.Delay(20);
        }
    }

    private static string WithKey(string matricule13) =>
        matricule13 + InsNumber.ComputeKey(matricule13).ToString("00", CultureInfo.InvariantCulture);
}
