using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Jobs;

/// <summary>
/// The real server on a fresh database with a fake clock, its INSi adapter pointed at a <see cref="TestInsiServer"/>
/// on a real socket. People are qualified through the API, as staff would.
/// </summary>
public sealed class JobsTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    private JobsTestHost(FakeTimeProvider clock, TestInsiServer insi, IdentityRefFactory factory)
    {
        Clock = clock;
        Insi = insi;
        Factory = factory;
        Client = factory.CreateClient();
    }

    public FakeTimeProvider Clock { get; }
    public TestInsiServer Insi { get; }
    public IdentityRefFactory Factory { get; }
    public HttpClient Client { get; }

    public static async Task<JobsTestHost> StartAsync(IDictionary<string, string?>? settings = null, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var insi = await TestInsiServer.StartAsync();
        var clock = new FakeTimeProvider(Start);
        var all = new Dictionary<string, string?>
        {
            ["Insi:Endpoint"] = insi.Endpoint,
            ["InsiSimulator:Enabled"] = "false",
            ["Insi:RetryCount"] = "0", // the adapter's retry delays would wait on the fake clock
            ["Insi:TimeoutSeconds"] = "600", // its timeout timers too: far from the rate gate's waits
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        var factory = new IdentityRefFactory(provider, all, services: services => services.AddSingleton<TimeProvider>(clock));
        return new JobsTestHost(clock, insi, factory);
    }

    public static JsonObject Person(string birthName, string firstNames, string birthDate, string sex) => new()
    {
        ["birthName"] = birthName, ["firstNames"] = firstNames, ["birthDate"] = birthDate, ["sex"] = sex, ["confirmDuplicate"] = true,
    };

    public async Task<string> CreateAsync(JsonObject person)
    {
        var response = await Client.PostAsync("/api/patients", person.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    /// <summary>Creates the person, calls INSi and accepts its answer (RECUP), with a passport check when asked (QUAL).</summary>
    public async Task<string> QualifyAsync(JsonObject person, bool withDocument)
    {
        var ipp = await CreateAsync(person);
        var search = await Client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Equal("00", (string)(await search.ReadObjectAsync())["code"]!);
        var accepted = await Client.PostAsync($"/api/patients/{ipp}/insi/accept", null);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("RECUP", (string)(await accepted.ReadObjectAsync())["status"]!);
        if (withDocument)
        {
            // The document is checked against the INS traits (RNIV: RECUP → QUAL).
            var checkedDocument = await Client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA" }.Content());
            Assert.Equal(HttpStatusCode.OK, checkedDocument.StatusCode);
            Assert.Equal("QUAL", (string)(await checkedDocument.ReadObjectAsync())["status"]!);
        }
        return ipp;
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<Identity> IdentityAsync(string ipp) =>
        WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().Identities.AsNoTracking().SingleAsync(i => i.Ipp == ipp));

    public Task<List<WorkItem>> WorkItemsAsync() =>
        WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().WorkItems.AsNoTracking().OrderBy(w => w.Id).ToListAsync());

    public async Task<List<string>> HistoryActionsAsync(string ipp)
    {
        var history = await (await Client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        return history.Select(h => (string)h!["action"]!).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Insi.DisposeAsync();
    }
}
