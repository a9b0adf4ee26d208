using IdentityRef.Application.Jobs;
using IdentityRef.Application.Security;
using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.WorkItems;

/// <summary><c>/api/work-items</c> through the real server: listing, taking, resolving, errors, and who may see which kind.</summary>
public sealed class WorkItemApiTests(Databases databases) : IClassFixture<Databases>
{
    private static readonly DateTimeOffset Day = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Adds an item as a job would (in the database, with a chosen date) and returns its id.</summary>
    internal static async Task<long> SeedAsync(IdentityRefFactory factory, string kind, string? ipp, object details, DateTimeOffset createdAt,
        string state = WorkItem.Open)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        Guid? identityId = ipp is null ? null : await db.Identities.Where(i => i.Ipp == ipp).Select(i => i.Id).SingleAsync();
        var item = WorkItem.Raise(kind, identityId, System.Text.Json.JsonSerializer.Serialize(details), createdAt);
        if (state == WorkItem.InReview)
        {
            item.Review("seed", createdAt);
        }
        else if (state == WorkItem.Resolved)
        {
            item.Resolve("seed", "seeded resolved", createdAt);
        }
        db.WorkItems.Add(item);
        await db.SaveChangesAsync();
        return item.Id;
    }

    internal static async Task<string> CreatePatientAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    private static StringContent Comment(string text) => new JsonObject { ["comment"] = text }.Content();

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task List_IsNewestFirst_Paged_Filtered_AndNamesTheIdentityByItsIpp(DatabaseProvider provider)
    {
        using var factory = new IdentityRefFactory(provider); // an empty queue of its own: the test counts
        var client = factory.CreateClient();
        var ipp = await CreatePatientAsync(client);
        var oldest = await SeedAsync(factory, WorkItemKinds.ReverificationNotFound, ipp, new { reason = "not-verified", code = "01" }, Day);
        var middle = await SeedAsync(factory, WorkItemKinds.OutboxParked, null, new { parked = 3 }, Day.AddHours(1));
        var newest = await SeedAsync(factory, WorkItemKinds.TechnicalFailure, ipp, new { attempts = 3 }, Day.AddHours(2));
        var resolved = await SeedAsync(factory, WorkItemKinds.SubscriptionLagging, null, new { subscriptions = Array.Empty<object>() }, Day.AddHours(3), WorkItem.Resolved);

        var all = await (await client.GetAsync("/api/work-items")).ReadObjectAsync();
        Assert.Equal([resolved, newest, middle, oldest], all["items"]!.AsArray().Select(i => (long)i!["id"]!));
        Assert.Equal(4, (int)all["total"]!);

        var first = await (await client.GetAsync("/api/work-items?state=open&pageSize=2")).ReadObjectAsync();
        Assert.Equal([newest, middle], first["items"]!.AsArray().Select(i => (long)i!["id"]!));
        Assert.Equal((3, 1, 2), ((int)first["total"]!, (int)first["page"]!, (int)first["pageSize"]!));
        var second = await (await client.GetAsync("/api/work-items?state=open&pageSize=2&page=2")).ReadObjectAsync();
        var last = Assert.Single(second["items"]!.AsArray())!;
        Assert.Equal((oldest, ipp, "ins-reverification-not-found"), ((long)last["id"]!, (string?)last["ipp"], (string)last["kind"]!));
        Assert.Equal("not-verified", (string)last["details"]!["reason"]!); // an object, not a string of JSON

        var byKind = await (await client.GetAsync("/api/work-items?kind=outbox-parked")).ReadObjectAsync();
        var parked = Assert.Single(byKind["items"]!.AsArray())!;
        Assert.Equal(middle, (long)parked["id"]!);
        Assert.Null(parked["ipp"]);
        Assert.Equal(3, (int)parked["details"]!["parked"]!);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task ReviewThenResolve_RecordsWhoAndWhat_AuditsOnTheIdentity_AndResolvingTwiceIs409(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var ipp = await CreatePatientAsync(factory.CreateClient());
        var id = await SeedAsync(factory, WorkItemKinds.ReverificationMismatch, ipp, new { reason = "several-identities" }, Day);
        var cell = factory.CreateClient(Roles.Identitovigilance);

        var taken = await cell.PostAsync($"/api/work-items/{id}/review", null);
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        var inReview = await taken.ReadObjectAsync();
        Assert.Equal((WorkItem.InReview, "test-identitovigilance"), ((string)inReview["state"]!, (string)inReview["reviewedBy"]!));

        var resolved = await cell.PostAsync($"/api/work-items/{id}/resolve", Comment("  Pièce vérifiée au guichet, INS confirmé par téléphone.  "));
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var done = await (await cell.GetAsync($"/api/work-items/{id}")).ReadObjectAsync();
        Assert.Equal((WorkItem.Resolved, "test-identitovigilance", "Pièce vérifiée au guichet, INS confirmé par téléphone."),
            ((string)done["state"]!, (string)done["resolvedBy"]!, (string)done["resolution"]!));
        Assert.NotNull(done["resolvedAt"]);

        var again = await cell.PostAsync($"/api/work-items/{id}/resolve", Comment("encore"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("work-item-resolved", (string)(await again.ReadObjectAsync())["rule"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await cell.PostAsync($"/api/work-items/{id}/review", null)).StatusCode);

        var history = await (await factory.CreateClient().GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        Assert.Equal(["work-item.in-review", "work-item.resolved"], history.Select(h => (string)h!["action"]!).TakeLast(2));
        // The comment is in the audit trail, never in a log line.
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains("INS confirmé par téléphone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadQueryOrBody_Is400NamingTheField_AndAnUnknownItemIs404()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var client = factory.CreateClient();
        foreach (var (query, field) in new[] { ("state=done", "state"), ("kind=duplicate", "kind"), ("page=0", "page"), ("pageSize=500", "pageSize"), ("page=x", "page"),
            ("page=10737420&pageSize=200", "page") /* its offset would wrap round an int */ })
        {
            var response = await client.GetAsync("/api/work-items?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal([field], await response.ErrorFieldsAsync());
        }
        var id = await SeedAsync(factory, WorkItemKinds.OutboxParked, null, new { parked = 1 }, Day);
        foreach (var body in new HttpContent?[] { null, Comment("   "), Comment(new string('x', 501)), new JsonObject { ["comment"] = 12 }.Content() })
        {
            var response = await client.PostAsync($"/api/work-items/{id}/resolve", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(["comment"], await response.ErrorFieldsAsync());
        }
        Assert.Equal(WorkItem.Open, (string)(await (await client.GetAsync($"/api/work-items/{id}")).ReadObjectAsync())["state"]!);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/work-items/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/work-items/999999/review", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/work-items/999999/resolve", Comment("x"))).StatusCode);
    }

    public static TheoryData<string> AllRoles() => new(Roles.All);

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task EachRole_SeesAndActsOnlyOnTheKindsOfItsCell(string role)
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var ipp = await CreatePatientAsync(factory.CreateClient());
        var identityItem = await SeedAsync(factory, WorkItemKinds.TechnicalFailure, ipp, new { attempts = 3 }, Day);
        var operationalItem = await SeedAsync(factory, WorkItemKinds.SubscriptionLagging, null, new { subscriptions = Array.Empty<object>() }, Day);
        var client = factory.CreateClient(role);
        var seesIdentity = Policies.Allows(Policies.Duplicates, role);
        var seesOperational = Policies.Allows(Policies.Messages, role);

        var list = await client.GetAsync("/api/work-items?pageSize=200");
        if (!seesIdentity && !seesOperational)
        {
            Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
            Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            var kinds = (await list.ReadObjectAsync())["items"]!.AsArray().Select(i => (string)i!["kind"]!).ToHashSet();
            Assert.Equal(seesIdentity, kinds.Contains(WorkItemKinds.TechnicalFailure));
            Assert.Equal(seesOperational, kinds.Contains(WorkItemKinds.SubscriptionLagging));
            Assert.All(kinds, k => Assert.True(WorkItemKinds.Operational.Contains(k) ? seesOperational : seesIdentity, k));
        }
        foreach (var (id, kind, allowed) in new[] { (identityItem, WorkItemKinds.TechnicalFailure, seesIdentity), (operationalItem, WorkItemKinds.SubscriptionLagging, seesOperational) })
        {
            var expected = allowed ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
            Assert.Equal(expected, (await client.GetAsync($"/api/work-items/{id}")).StatusCode);
            Assert.Equal(expected, (await client.GetAsync($"/api/work-items?kind={kind}")).StatusCode);
            Assert.Equal(expected, (await client.PostAsync($"/api/work-items/{id}/review", null)).StatusCode);
            Assert.Equal(expected, (await client.PostAsync($"/api/work-items/{id}/resolve", Comment("fait"))).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateAnonymousClient(followRedirects: false).GetAsync($"/api/work-items/{identityItem}")).StatusCode);
    }

    [Fact]
    public async Task TwoPeopleActingAtOnce_TheSecondIsRefused_NotSilentlyOverwritten()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var id = await SeedAsync(factory, WorkItemKinds.OutboxParked, null, new { parked = 1 }, Day);
        await using var first = factory.Services.CreateAsyncScope();
        await using var second = factory.Services.CreateAsyncScope();
        var queueA = first.ServiceProvider.GetRequiredService<IdentityRef.Application.WorkItems.WorkItemQueue>();
        var queueB = second.ServiceProvider.GetRequiredService<IdentityRef.Application.WorkItems.WorkItemQueue>();
        var itemA = (await queueA.FindAsync(id, default))!;
        var itemB = (await queueB.FindAsync(id, default))!; // both read it open

        await queueA.ResolveAsync(itemA, new IdentityRef.Application.Audit.Actor("anne", "c1"), "Messages rejoués.", default);
        var refused = await Assert.ThrowsAsync<IdentityRef.Domain.Common.DomainRuleException>(() =>
            queueB.ResolveAsync(itemB, new IdentityRef.Application.Audit.Actor("bruno", "c2"), "Autre chose.", default));
        Assert.Equal("work-item-changed", refused.Rule);
        var stored = await (await factory.CreateClient().GetAsync($"/api/work-items/{id}")).ReadObjectAsync();
        Assert.Equal(("anne", "Messages rejoués."), ((string)stored["resolvedBy"]!, (string)stored["resolution"]!));
    }

    [Fact]
    public void WorkItemsPolicy_LetsInExactlyTheRolesOfTheKindsPolicies()
    {
        var door = Policies.Matrix.Single(r => r.Policy == Policies.WorkItems).Roles.Order();
        var kinds = WorkItemKinds.All.Select(WorkItemKinds.PolicyOf).Distinct().SelectMany(p => Policies.Matrix.Single(r => r.Policy == p).Roles).Distinct().Order();
        Assert.Equal(kinds, door);
    }
}
