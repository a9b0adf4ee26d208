using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>
/// Merges, their undo and links together (found by a review, each test failed before its fix): a link keeps two records apart
/// whatever path would merge them; a link made before a merge holds between the survivors and can be undone; a chain of merges
/// can be undone in the order the server asks; an undo reopens only its own item.
/// </summary>
public sealed class MergeLinkAndChainTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Hl7:RetryMinSeconds"] = "0.1",
        ["Hl7:RetryMaxSeconds"] = "0.2",
        ["Hl7:ReceivingApplication"] = "IDENTITYREF",
        ["Hl7:ReceivingFacility"] = "HOPITAL",
    };

    /// <summary>
    /// The cell links A–B (kept apart on purpose). A and B still both pair with C, so the queue shows one group {A, B, C}. Merging
    /// that group into C fuses A and B, the pair the cell decided must not be merged. Expected: the link is a blocker (409 naming
    /// the pair, nothing written), as a "not a duplicate" decision is.
    /// </summary>
    [Fact]
    public async Task GroupMerge_OfAGroupWhoseTwoMembersTheCellLinked_IsRefused_NotMergedThroughTheThirdMember()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings);
        var client = factory.CreateClient();
        var t = await DuplicateGroupTests.TriangleAsync(client);
        var linked = await client.PostAsync($"/api/duplicates/{t.AB}/link", new JsonObject { ["comment"] = "kept apart while the cell investigates" }.Content());
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);

        var read = await client.GetAsync($"/api/duplicates/groups/{t.AC}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var group = await read.ReadObjectAsync();
        Assert.Equal(3, group["members"]!.AsArray().Count);
        var blocker = Assert.Single(group["blockers"]!.AsArray())!;
        Assert.Equal("identities-linked", (string)blocker["rule"]!);
        Assert.Equal(new[] { t.A, t.B }.Order(), new[] { (string)blocker["ippA"]!, (string)blocker["ippB"]! }.Order());

        var merged = await GroupMergeAsync(client, t.AC, t.C, read.Headers.ETag!.Tag);

        var body = await merged.Content.ReadAsStringAsync();
        Assert.True(merged.StatusCode == HttpStatusCode.Conflict,
            $"the group merge fused the linked pair {t.A}–{t.B}: {(int)merged.StatusCode} {body}; blockers shown: {group["blockers"]!.ToJsonString()}");
        Assert.Contains("identities-linked", body, StringComparison.Ordinal);
        foreach (var ipp in new[] { t.A, t.B })
        {
            Assert.True((bool)(await (await client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["active"]!);
        }
    }

    /// <summary>
    /// Another identity source links A and B (inbound A24): one person's two records kept apart. Their duplicate item stays open,
    /// and "Fusionner" on it merges them without a word; the link row is left pointing to an inactive identity. Expected: 409 (unlink
    /// first), nothing written.
    /// </summary>
    [Fact]
    public async Task PairMerge_OfTwoIdentitiesLinkedByAnInboundA24_IsRefused_UnlinkFirst()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings);
        var client = factory.CreateClient();
        var t = await DuplicateGroupTests.TriangleAsync(client);
        await using var sender = await ConnectAsync(factory);
        Assert.Equal("AA", Code(await SendAsync(sender, TwoPids("A24", t.A, t.B))));
        Assert.Equal(1, await CountAsync(factory, db => db.IdentityLinks));

        var merged = await client.PostAsync($"/api/duplicates/{t.AB}/merge", new JsonObject { ["survivorIpp"] = t.A }.Content());

        Assert.True(merged.StatusCode == HttpStatusCode.Conflict,
            $"a linked pair was merged: {(int)merged.StatusCode} {await merged.Content.ReadAsStringAsync()}");
        Assert.Equal("identities-linked", (string)(await merged.ReadObjectAsync())["rule"]!);
        Assert.True((bool)(await (await client.GetAsync($"/api/patients/{t.B}")).ReadObjectAsync())["active"]!);
        Assert.Equal("open", (string)(await (await client.GetAsync($"/api/duplicates/{t.AB}")).ReadObjectAsync())["item"]!["state"]!);

        // an inbound A40 of the pair is refused too, and writes nothing
        var a40 = await SendAsync(sender, $"MSH|^~\\&|LAB|HOP|IDENTITYREF|HOPITAL|20260101120000+0100||ADT^A40^ADT_A39|L{Guid.NewGuid():N}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR\r"
            + "EVN||20260101120000\r"
            + $"PID|1||{t.A}^^^IDENTITYREF^PI||MARTIN^JEAN^JEAN^^M.^^L||19700101|M\r"
            + $"MRG|{t.B}^^^IDENTITYREF^PI\r");
        Assert.Equal("AE", Code(a40));
        Assert.Contains(a40.Errs(), e => e.Segment.ToString().Contains("identities-linked", StringComparison.Ordinal));
        Assert.True((bool)(await (await client.GetAsync($"/api/patients/{t.B}")).ReadObjectAsync())["active"]!);
        // the sender holds one person where this server keeps two: the cell is told, by a work item of its own (and only it is written)
        var items = (await (await client.GetAsync("/api/work-items?kind=inbound-merge-refused")).ReadObjectAsync())["items"]!.AsArray();
        var item = Assert.Single(items)!;
        Assert.Equal((t.A, "open"), ((string)item["ipp"]!, (string)item["state"]!));
        Assert.Equal(("identities-linked", t.A, t.B, "hl7:LAB"), ((string)item["details"]!["rule"]!, (string)item["details"]!["survivorIpp"]!,
            (string)item["details"]!["mergedIpp"]!, (string)item["details"]!["source"]!));
        Assert.Equal(0, await CountAsync(factory, db => db.Merges));
    }

    /// <summary>
    /// The cell links X and B; B is then merged into A. The link holds between X and A: the pair X–A cannot be merged, and the
    /// cell's "unlink" on the X–B item undoes it (the A37 names X and A) and leaves that item obsolete, not open with an inactive
    /// identity in it.
    /// </summary>
    [Fact]
    public async Task ALinkMadeBeforeAMerge_HoldsForTheSurvivor_AndTheCellCanStillUndoIt()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings);
        var client = factory.CreateClient();
        await Subscriptions.CreateAsync(client, "DPI", 9, Subscriptions.AllEvents);
        var t = await DuplicateGroupTests.TriangleAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/duplicates/{t.BC}/link", null)).StatusCode);
        await PairMergeAsync(client, t.AB, t.A); // B into A: C is now linked to A

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var db = services.GetRequiredService<IdentityRefDbContext>();
            var a = await db.Identities.SingleAsync(i => i.Ipp == t.A);
            var c = await db.Identities.SingleAsync(i => i.Ipp == t.C);
            var refused = await Assert.ThrowsAsync<IdentityRef.Domain.Common.DomainRuleException>(() =>
                services.GetRequiredService<IdentityRef.Application.Merges.MergeService>().MergeAsync(a, c,
                    new IdentityRef.Application.Audit.Actor("test", Guid.NewGuid().ToString("N")), null, CancellationToken.None));
            Assert.Equal("identities-linked", refused.Rule);
        }

        var unlinked = await client.PostAsync($"/api/duplicates/{t.BC}/unlink", null);

        Assert.Equal(HttpStatusCode.OK, unlinked.StatusCode);
        Assert.Equal(0, await CountAsync(factory, db => db.IdentityLinks));
        var item = (await (await client.GetAsync($"/api/duplicates/{t.BC}")).ReadObjectAsync())["item"]!;
        Assert.Equal(("resolved", "obsolete"), ((string)item["state"]!, (string)item["resolution"]!));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var a37 = Hl7Parser.Parse((await db.Outbox.AsNoTracking().SingleAsync(m => m.Event == "A37")).Payload).Message!;
            Assert.Equal(new[] { t.A, t.C }.Order(), a37.Pids().Select(p => p.Identifiers.Single(c => c.IdentifierTypeCode == "PI").Id).Order());
        }
    }

    /// <summary>
    /// Source LAB links X and B (A24, AA, A24 re-sent to our subscribers). The cell then merges B into A (A40: B is now A at every
    /// receiver). LAB unlinks X and B (A37). B stands for A here, the link X–B exists: expected AA and the link deleted (A37 to our
    /// subscribers). Observed: AE 204 "these two patients are not linked here", and the link row stays forever.
    /// </summary>
    [Fact]
    public async Task InboundA37_ForALinkWhoseMemberWasMergedMeanwhile_UndoesTheLink_NotAe204()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings);
        var client = factory.CreateClient();
        var t = await DuplicateGroupTests.TriangleAsync(client);
        var x = await CreateAsync(client, PatientJson.Valid("LIENX" + PatientJson.UniqueLetters()).With("birthDate", "1950-03-03").With("confirmDuplicate", true));
        await using var sender = await ConnectAsync(factory);
        Assert.Equal("AA", Code(await SendAsync(sender, TwoPids("A24", x, t.B))));

        var merged = await client.PostAsync($"/api/duplicates/{t.AB}/merge", new JsonObject { ["survivorIpp"] = t.A }.Content());
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);

        var unlinked = await SendAsync(sender, TwoPids("A37", x, t.B));

        var err = string.Join(" / ", unlinked.Errs().Select(e => e.Segment.ToString()));
        Assert.True(Code(unlinked) == "AA", $"A37 for an existing link answered {Code(unlinked)}: {err}");
        Assert.Equal(0, await CountAsync(factory, db => db.IdentityLinks));
    }

    /// <summary>
    /// C merged into B (m1), then B merged into A (m2). Undo m1 is refused "survivor-merged: undo that merge first". The cell undoes
    /// m2 (B restored exactly as it was after m1), then m1 again: refused "survivor-changed" — B's version moved only because m2 and
    /// its undo touched it. Expected: m1 can be undone once m2 is.
    /// </summary>
    [Fact]
    public async Task ChainOfMerges_UndoTheLaterThenTheEarlier_AsTheServerAsks_RestoresAllThree()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings);
        var client = factory.CreateClient();
        var t = await DuplicateGroupTests.TriangleAsync(client);
        var m1 = await PairMergeAsync(client, t.BC, t.B);
        var m2 = await PairMergeAsync(client, t.AB, t.A);

        var first = await client.PostAsync($"/api/merges/{m1}/undo", null);
        Assert.Equal(HttpStatusCode.Conflict, first.StatusCode);
        Assert.Equal("survivor-merged", (string)(await first.ReadObjectAsync())["rule"]!); // "undo that merge first"
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/merges/{m2}/undo", null)).StatusCode);

        var again = await client.PostAsync($"/api/merges/{m1}/undo", null);

        Assert.True(again.StatusCode == HttpStatusCode.OK,
            $"the earlier merge of the chain cannot be undone after the later one was: {(int)again.StatusCode} {await again.Content.ReadAsStringAsync()}");
        Assert.True((bool)(await (await client.GetAsync($"/api/patients/{t.C}")).ReadObjectAsync())["active"]!);
    }

    /// <summary>
    /// C merged into B (m1, item BC), then B merged into A (m2, item AB). Undoing m2 must reopen AB only (docs/duplicates.md: "undoing
    /// the merge reopens the item"). Observed: BC is reopened too although C is still merged into B, so the queue (and the groups)
    /// offer a pair whose one side is an inactive identity.
    /// </summary>
    [Fact]
    public async Task UndoOfAMerge_ReopensOnlyItsOwnItem_NotTheItemOfAnEarlierMergeThatStillStands()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings);
        var client = factory.CreateClient();
        var t = await DuplicateGroupTests.TriangleAsync(client);
        await PairMergeAsync(client, t.BC, t.B);
        var m2 = await PairMergeAsync(client, t.AB, t.A);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/merges/{m2}/undo", null)).StatusCode);

        Assert.Equal("open", (string)(await (await client.GetAsync($"/api/duplicates/{t.AB}")).ReadObjectAsync())["item"]!["state"]!);
        Assert.False((bool)(await (await client.GetAsync($"/api/patients/{t.C}")).ReadObjectAsync())["active"]!); // m1 stands
        var bc = (await (await client.GetAsync($"/api/duplicates/{t.BC}")).ReadObjectAsync())["item"]!;
        Assert.True((string)bc["state"]! == "resolved" && (string?)bc["resolution"] == "merged",
            $"the item of the merge C→B, which still stands, was reopened by the undo of B→A: state {bc["state"]}, resolution {bc["resolution"]}");
    }

    // ---------------------------------------------------------------------------------------------------------------------
    // helpers
    // ---------------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// The cell reads a pair (its ETag: both identities' versions); a desk then corrects one of them. A merge sent with the ETag
    /// read is refused 412 <c>pair-changed</c>, nothing merged; with the pair read again it goes through. Without If-Match the API
    /// merges as before (the page always sends the tag it showed).
    /// </summary>
    [Fact]
    public async Task PairMerge_WithTheETagOfAPairReadBeforeAChange_Is412_ReadAgainItMerges()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings);
        var client = factory.CreateClient();
        var t = await DuplicateGroupTests.TriangleAsync(client);
        var read = await client.GetAsync($"/api/duplicates/{t.AB}");
        var shown = read.Headers.ETag!.Tag;
        Assert.Equal(shown, (string)(await read.ReadObjectAsync())["eTag"]!);

        await PatientJson.UpdateAsync(client, t.B, body => body.With("phone", "0102030405"));
        var stale = await MergeWithAsync(client, t.AB, t.A, shown);

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("pair-changed", (string)(await stale.ReadObjectAsync())["rule"]!);
        Assert.True((bool)(await (await client.GetAsync($"/api/patients/{t.B}")).ReadObjectAsync())["active"]!);
        Assert.Equal("open", (string)(await (await client.GetAsync($"/api/duplicates/{t.AB}")).ReadObjectAsync())["item"]!["state"]!);

        var fresh = (await client.GetAsync($"/api/duplicates/{t.AB}")).Headers.ETag!.Tag;
        Assert.NotEqual(shown, fresh);
        Assert.Equal(HttpStatusCode.OK, (await MergeWithAsync(client, t.AB, t.A, fresh)).StatusCode);
        Assert.False((bool)(await (await client.GetAsync($"/api/patients/{t.B}")).ReadObjectAsync())["active"]!);
    }

    private static Task<HttpResponseMessage> MergeWithAsync(HttpClient client, long itemId, string survivorIpp, string etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/duplicates/{itemId}/merge")
        {
            Content = new JsonObject { ["survivorIpp"] = survivorIpp }.Content(),
        };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        return client.SendAsync(request);
    }

    private static async Task<long> PairMergeAsync(HttpClient client, long itemId, string survivorIpp)
    {
        var response = await client.PostAsync($"/api/duplicates/{itemId}/merge", new JsonObject { ["survivorIpp"] = survivorIpp }.Content());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (long)(await response.ReadObjectAsync())["item"]!["mergeId"]!;
    }

    private static Task<HttpResponseMessage> GroupMergeAsync(HttpClient client, long itemId, string survivorIpp, string etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/duplicates/groups/{itemId}/merge")
        {
            Content = new JsonObject { ["survivorIpp"] = survivorIpp, ["comment"] = "review" }.Content(),
        };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        return client.SendAsync(request);
    }

    private static async Task<string> CreateAsync(HttpClient client, JsonObject body)
    {
        var response = await client.PostAsync("/api/patients", body.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    private static async Task<MllpClient> ConnectAsync(IdentityRefFactory factory)
    {
        factory.CreateClient();
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        return new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });
    }

    /// <summary>An A24/A37 of source LAB naming two of our IPPs (our assigning authority IDENTITYREF).</summary>
    private static string TwoPids(string trigger, string first, string second) =>
        $"MSH|^~\\&|LAB|HOP|IDENTITYREF|HOPITAL|20260101120000+0100||ADT^{trigger}^ADT_{trigger}|L{Guid.NewGuid():N}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR\r"
        + "EVN||20260101120000\r"
        + $"PID|1||{first}^^^IDENTITYREF^PI||MARTIN^JEAN^JEAN^^M.^^L||19700101|M\r"
        + $"PID|2||{second}^^^IDENTITYREF^PI||MARTIN^JEAN^JEAN^^M.^^L||19700101|M\r";

    internal static string Code(Hl7Message ack) => ack.Msa()!.Value.AcknowledgmentCode;

    internal static async Task<Hl7Message> SendAsync(MllpClient client, string text)
    {
        var result = await client.SendAsync(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsAcknowledged, result.Detail);
        return Hl7Parser.Parse(result.Response!).Message!;
    }

    private static async Task<int> CountAsync<T>(IdentityRefFactory factory, Func<IdentityRefDbContext, IQueryable<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>()).CountAsync();
    }
}
