using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Patients;

/// <summary>The patient API through the real host, on SQLite and on a real PostgreSQL.</summary>
public sealed class PatientApiTests(Databases databases) : IClassFixture<Databases>
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task CreateGetStaleUpdateHistory_TracesEveryChange(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        client.DefaultRequestHeaders.Add("X-Correlation-Id", "test-correlation");

        var created = await client.PostAsync("/api/patients", PatientJson.Valid().With("birthName", "d'Arc-Dupont").With("firstNames", "Éléonore").With("sex", "F").Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadObjectAsync();
        var ipp = (string)body["ipp"]!;
        Assert.Equal($"/api/patients/{ipp}", created.Headers.Location!.ToString());
        Assert.Equal("D'ARC-DUPONT", (string)body["birthName"]!);
        Assert.Equal("ELEONORE", (string)body["firstName"]!);
        Assert.Equal("PROV", (string)body["status"]!);
        Assert.Null(body["ins"]);

        var read = await client.GetAsync($"/api/patients/{ipp}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var etag = read.Headers.ETag!;

        var update = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = PatientJson.Valid("D'ARC-DUPONT").With("firstNames", "Eleonore").With("sex", "F").With("usedName", "Durand").Content() };
        update.Headers.IfMatch.Add(etag);
        var updated = await client.SendAsync(update);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("DURAND", (string)(await updated.ReadObjectAsync())["usedName"]!);

        var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = PatientJson.Valid("D'ARC-DUPONT").With("sex", "F").Content() };
        stale.Headers.IfMatch.Add(etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.SendAsync(stale)).StatusCode);

        var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        Assert.Equal(["identity.created", "identity.updated"], history.Select(h => (string)h!["action"]!));
        Assert.All(history, h => Assert.Equal("test-administrateur", (string)h!["actor"]!)); // the API key's name
        Assert.All(history, h => Assert.Equal("test-correlation", (string)h!["correlationId"]!));
        Assert.All(history, h => Assert.True(DateTimeOffset.Parse((string)h!["at"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UnixEpoch));
        var change = history[1]!;
        Assert.Equal("MARTIN", (string)change["before"]!["usedName"]!);
        Assert.Equal("DURAND", (string)change["after"]!["usedName"]!);
        Assert.Null(change["after"]!["birthName"]); // only what changed
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Update_WithoutIfMatch_Is428(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        // PatientJson.Valid() people differ by birth name only: look-alikes, created on purpose.
        var ipp = (string)(await (await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())).ReadObjectAsync())["ipp"]!;
        var response = await client.PutAsync($"/api/patients/{ipp}", PatientJson.Valid().Content());
        Assert.Equal(HttpStatusCode.PreconditionRequired, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task UnknownIpp_Is404ProblemDetails(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var response = await client.GetAsync("/api/patients/999999999999");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/patients/999999999999/history")).StatusCode);
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        // case, JSON body, field expected in the errors
        { "digit in a name", PatientJson.Valid().With("birthName", "DUP0NT").ToJsonString(), "birthName" },
        { "underscore in a first name", PatientJson.Valid().With("firstNames", "JEAN_PIERRE").ToJsonString(), "firstNames" },
        { "bad date", PatientJson.Valid().With("birthDate", "1980-02-30").ToJsonString(), "birthDate" },
        { "date format", PatientJson.Valid().With("birthDate", "12/04/1975").ToJsonString(), "birthDate" },
        { "future date", PatientJson.Valid().With("birthDate", "2999-01-01").ToJsonString(), "birthDate" },
        { "bad sex", PatientJson.Valid().With("sex", "X").ToJsonString(), "sex" },
        { "malformed birth place", PatientJson.Valid().With("birthPlaceCode", "7A112").ToJsonString(), "birthPlaceCode" },
        { "missing birth name", PatientJson.Valid().Without("birthName").ToJsonString(), "birthName" },
        { "missing first names", PatientJson.Valid().Without("firstNames").ToJsonString(), "firstNames" },
        { "missing birth date", PatientJson.Valid().Without("birthDate").ToJsonString(), "birthDate" },
        { "missing sex", PatientJson.Valid().Without("sex").ToJsonString(), "sex" },
        { "101-character name", PatientJson.Valid().With("birthName", new string('A', 101)).ToJsonString(), "birthName" },
        { "bad INS key", PatientJson.Valid().With("ins", new JsonObject { ["value"] = "297022A02077879", ["oid"] = "1.2.250.1.213.1.4.8" }).ToJsonString(), "ins.value" },
        { "unknown INS OID", PatientJson.Valid().With("ins", new JsonObject { ["value"] = "297022A02077878", ["oid"] = "1.2.3" }).ToJsonString(), "ins.oid" },
        { "first name not first of the list", PatientJson.Valid().With("firstName", "MARIE").ToJsonString(), "firstName" },
        { "malformed JSON", "{\"birthName\": \"DUPONT\", ", "body" },
        { "wrong type", PatientJson.Valid().With("birthName", 42).ToJsonString(), "birthName" },
        { "wrong type nested", PatientJson.Valid().With("ins", "297022A02077878").ToJsonString(), "ins" },
        { "not an object", "[1,2]", "body" },
        { "double hyphen in a first name", PatientJson.Valid().With("firstNames", "JEAN--PIERRE").ToJsonString(), "firstNames" },
        { "bad e-mail", PatientJson.Valid().With("email", "not-an-address").ToJsonString(), "email" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInput_Is400NamingTheField(string scenario, string json, string field)
    {
        var client = databases[DatabaseProvider.Sqlite].CreateClient();
        var response = await client.PostAsync("/api/patients", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{scenario}: {response.StatusCode}");
        Assert.Contains(field, await response.ErrorFieldsAsync());
    }

    [Fact]
    public async Task BadInput_WritesNothing()
    {
        var client = databases[DatabaseProvider.Sqlite].CreateClient();
        var name = "TEST" + PatientJson.UniqueLetters();
        await client.PostAsync("/api/patients", PatientJson.Valid(name).With("sex", "X").Content());
        var found = await (await client.GetAsync($"/api/patients?birthName={name}")).ReadObjectAsync();
        Assert.Equal(0, (int)found["total"]!);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task LowerCaseAndDiacritics_AreNormalisedNotRefused(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var response = await client.PostAsync("/api/patients", PatientJson.Valid("Œdipe-lefèvre").With("firstNames", "Hélène  Zoé").With("sex", "F").Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadObjectAsync();
        Assert.Equal("OEDIPE-LEFEVRE", (string)body["birthName"]!);
        Assert.Equal("HELENE ZOE", (string)body["firstNames"]!);
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Search_FindsByNormalisedTraits(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var name = "TEST" + PatientJson.UniqueLetters();
        await client.PostAsync("/api/patients", PatientJson.Valid(name).Content());
        await client.PostAsync("/api/patients", PatientJson.Valid(name).With("birthDate", "1990-01-01").Content());

        var byDate = await (await client.GetAsync($"/api/patients?birthName={name.ToLowerInvariant()}&firstName=jean-pierre&birthDate=1975-04-12&sex=M")).ReadObjectAsync();
        Assert.Equal(1, (int)byDate["total"]!);
        var byName = await (await client.GetAsync($"/api/patients?birthName={name}")).ReadObjectAsync();
        Assert.Equal(2, (int)byName["total"]!);

        var bad = await client.GetAsync("/api/patients?birthDate=tomorrow&sex=Z");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["birthDate", "sex"], (await bad.ErrorFieldsAsync()).Order());
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Ipps_AreUniqueAndIncreasing(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        // PatientJson.Valid() people differ by birth name only: look-alikes, created on purpose.
        var creations = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())));
        var ipps = new List<long>();
        foreach (var response in creations)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ipps.Add(long.Parse((string)(await response.ReadObjectAsync())["ipp"]!, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(ipps.Count, ipps.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Health_ReportsTheDatabase(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var health = await (await client.GetAsync("/health")).ReadObjectAsync();
        Assert.Equal("Healthy", (string)health["status"]!);
        Assert.Equal(provider.ToString(), (string)health["database"]!["provider"]!);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesThePatientApi()
    {
        var client = databases[DatabaseProvider.Sqlite].CreateClient();
        var document = await (await client.GetAsync("/openapi/v1.json")).ReadObjectAsync();
        var paths = document["paths"]!.AsObject();
        Assert.Contains("/api/patients", paths.Select(p => p.Key.TrimEnd('/')));
        Assert.Contains("/api/patients/{ipp}/history", paths.Select(p => p.Key));
        // The identity is loaded by an endpoint filter, not a handler parameter: the contract still names the path parameter.
        foreach (var (path, verb) in new[] { ("/api/patients/{ipp}", "put"), ("/api/patients/{ipp}/insi/accept", "post") })
        {
            var parameters = paths[path]![verb]!["parameters"]!.AsArray();
            Assert.Contains(parameters, p => (string)p!["name"]! == "ipp" && (string)p!["in"]! == "path");
        }
        // List routes validate their query themselves (ProblemDetails naming the field): the contract still lists it.
        foreach (var (path, names) in new[]
        {
            ("/api/patients", new[] { "birthName", "firstName", "birthDate", "sex", "status", "includeMerged", "page", "pageSize" }),
            ("/api/duplicates", new[] { "state", "kind", "page", "pageSize" }),
            ("/api/messages", new[] { "state", "subscriptionId", "page", "pageSize" }),
            ("/api/work-items", new[] { "state", "kind", "page", "pageSize" }),
        })
        {
            var operation = (paths[path] ?? paths[path + "/"])!["get"]!;
            var query = operation["parameters"]!.AsArray().Where(p => (string)p!["in"]! == "query").Select(p => (string)p!["name"]!).ToList();
            Assert.All(names, name => Assert.Contains(name, query));
        }
        Assert.NotNull(paths["/api/duplicates/{id}/merge"]!["post"]!["requestBody"]);
    }
}
