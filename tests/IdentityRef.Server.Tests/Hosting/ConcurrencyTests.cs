using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Hosting;

/// <summary>
/// Requests racing on one item through the real host, on SQLite and PostgreSQL: the loser of a race gets a
/// ProblemDetails 409 (or the 400 it would get alone), never a 500, and nothing is written twice.
/// </summary>
public sealed class ConcurrencyTests(Databases databases) : IClassFixture<Databases>
{
    private const int Parallel = 20;

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task TwentyDocumentChecksOnOneIdentity_Are200Or409ConcurrentChange(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var ipp = await CreateAsync(client, PatientJson.Valid().With("confirmDuplicate", true));

        var answers = await RaceAsync(() => client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA", ["number"] = "19AB12345", ["expires"] = "2030-01-01" }.Content()));

        await AssertOkOrConcurrentChangeAsync(answers);
        var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        Assert.Equal(answers.Count(a => a.StatusCode == HttpStatusCode.OK), history.Count(h => (string)h!["action"]! == "document.checked"));
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task TwentyAttributeChangesOnOneIdentity_Are200Or409ConcurrentChange(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var ipp = await CreateAsync(client, PatientJson.Valid().With("confirmDuplicate", true));

        var i = 0;
        var answers = await RaceAsync(() => client.PutAsync($"/api/patients/{ipp}/attributes",
            new JsonObject { ["attributes"] = Interlocked.Increment(ref i) % 2 == 0 ? new JsonArray("homonyme") : new JsonArray() }.Content()));

        await AssertOkOrConcurrentChangeAsync(answers);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task TwentySubscriptionsOfOneName_OneCreatedTheOthers400NamingTheName(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var name = "DPI-" + PatientJson.UniqueLetters();

        var answers = await RaceAsync(() => client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = name, ["host"] = "127.0.0.1", ["port"] = 9, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content()));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(["name"], await refused.ErrorFieldsAsync());
        }
        var all = await (await client.GetAsync("/api/subscriptions")).ReadArrayAsync();
        Assert.Single(all, s => (string)s!["name"]! == name);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task OnePersonAtTwentyDesks_OneIdentityCreatedTheOthers409ProbableDuplicate(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var person = Stranger();

        var answers = await RaceAsync(() => client.PostAsync("/api/patients", person.Content()));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("probable-duplicate", (string)(await refused.ReadObjectAsync())["rule"]!);
        }
        var found = await (await client.GetAsync($"/api/patients?birthName={(string)person["birthName"]!}")).ReadObjectAsync();
        Assert.Equal(1, (int)found["total"]!);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task TwoServersOnOneDatabase_OnePersonAtTwoDesksEach_OneIdentity(DatabaseProvider provider)
    {
        if (provider != DatabaseProvider.PostgreSql)
        {
            return; // several server processes share a database on PostgreSQL only
        }
        using var other = new IdentityRefFactory(provider, connectionString: databases[provider].ConnectionString);
        var clients = new[] { databases[provider].CreateClient(), other.CreateClient() };
        var person = Stranger();
        var n = 0;

        var answers = await RaceAsync(() => clients[Interlocked.Increment(ref n) % 2].PostAsync("/api/patients", person.Content()));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
    }

    /// <summary>A person who looks like no one else of the run (PatientJson.Valid() people share all but the birth name).</summary>
    private static JsonObject Stranger() => PatientJson.Valid()
        .With("firstNames", "J" + PatientJson.UniqueLetters().ToLowerInvariant())
        .With("usedName", "U" + PatientJson.UniqueLetters().ToLowerInvariant())
        .With("birthDate", DateOnly.FromDayNumber(new DateOnly(1930, 1, 1).DayNumber + Random.Shared.Next(30000)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<IReadOnlyList<HttpResponseMessage>> RaceAsync(Func<Task<HttpResponseMessage>> send)
    {
        using var start = new SemaphoreSlim(0, Parallel);
        var tasks = Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await send();
        })).ToList();
        start.Release(Parallel);
        return await Task.WhenAll(tasks);
    }

    private static async Task AssertOkOrConcurrentChangeAsync(IReadOnlyList<HttpResponseMessage> answers)
    {
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        foreach (var answer in answers.Where(a => a.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType!.MediaType);
            Assert.Equal("concurrent-change", (string)(await answer.ReadObjectAsync())["rule"]!);
        }
    }

    private static async Task<string> CreateAsync(HttpClient client, JsonObject body)
    {
        var created = await client.PostAsync("/api/patients", body.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (string)(await created.ReadObjectAsync())["ipp"]!;
    }
}
