using IdentityRef.Application.Security;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Insi.Simulator;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Qualification;

/// <summary>INS qualification through the API, the real INSi adapter and the hosted simulator.</summary>
public sealed class QualificationApiTests(Databases databases) : IClassFixture<Databases>
{
    private static JsonObject Adrtrois() => new()
    {
        ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F", ["usedName"] = "Martin",
    };

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task AdrtroisDominique_SearchAcceptPassport_EndsQualifiedWithItsIns(DatabaseProvider provider)
    {
        var client = databases[provider].CreateClient();
        var ipp = await CreateAsync(client, Adrtrois().With("confirmDuplicate", true));

        var search = await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        var answer = await search.ReadObjectAsync();
        Assert.Equal("00", (string)answer["code"]!);
        Assert.Equal(1, (int)answer["calls"]!);
        Assert.Equal("297022A02077878", (string)answer["ins"]!["value"]!);
        Assert.Contains(answer["differences"]!.AsArray(), d => (string)d!["field"]! == "birthPlaceCode" && (string)d["insi"]! == "2A020");
        Assert.Contains(answer["warnings"]!.AsArray(), w => (string)w!["code"]! == "RECO PP 03");

        var accepted = await (await client.PostAsync($"/api/patients/{ipp}/insi/accept", null)).ReadObjectAsync();
        Assert.Equal("RECUP", (string)accepted["status"]!);
        Assert.Null(accepted["ins"]); // not qualified yet: the INS is not handed on
        Assert.Equal("2A020", (string)accepted["birthPlaceCode"]!);
        Assert.Equal("MARTIN", (string)accepted["usedName"]!); // the used name stays

        var expires = databases[provider].Today.AddYears(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture); // valid, whatever the year
        var document = await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA", ["number"] = "19AB12345", ["expires"] = expires }.Content());
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        var qualified = await document.ReadObjectAsync();
        Assert.Equal("QUAL", (string)qualified["status"]!);
        Assert.Equal("297022A02077878", (string)qualified["ins"]!["value"]!);
        Assert.Equal("1.2.250.1.213.1.4.8", (string)qualified["ins"]!["oid"]!); // as the qualification platform answers

        var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        Assert.Equal(["identity.created", "insi.called", "insi.accepted", "document.checked"], history.Select(h => (string)h!["action"]!));
    }

    [Fact]
    public async Task Tchitchi_TakesTwoCalls_Houilles_FourAndNotFound()
    {
        var client = databases[DatabaseProvider.Sqlite].CreateClient();
        var tchitchi = await CreateAsync(client, new JsonObject { ["birthName"] = "Tchitchi", ["firstNames"] = "Ola Catarina", ["birthDate"] = "1936-06-21", ["sex"] = "F", ["confirmDuplicate"] = true });
        var answer = await (await client.PostAsync($"/api/patients/{tchitchi}/insi/search", null)).ReadObjectAsync();
        Assert.Equal(("00", 2), ((string)answer["code"]!, (int)answer["calls"]!));
        Assert.Equal("CATARINA BELLA", (string)answer["traits"]!["firstNames"]!);

        var houilles = await CreateAsync(client, new JsonObject { ["birthName"] = "Houilles", ["firstNames"] = "Pierre Paul Jacques", ["birthDate"] = "1993-01-27", ["sex"] = "M", ["confirmDuplicate"] = true });
        answer = await (await client.PostAsync($"/api/patients/{houilles}/insi/search", null)).ReadObjectAsync();
        Assert.Equal(("01", 4), ((string)answer["code"]!, (int)answer["calls"]!));
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/patients/{houilles}/insi/accept", null)).StatusCode);
    }

    [Theory]
    [InlineData("douteuse")]
    [InlineData("fictive")]
    public async Task DoubtfulOrFictitious_CannotCallInsiNorLeaveProv(string attribute)
    {
        var client = databases[DatabaseProvider.Sqlite].CreateClient();
        var ipp = await CreateAsync(client, Adrtrois().With("confirmDuplicate", true));
        var set = await client.PutAsync($"/api/patients/{ipp}/attributes", new JsonObject { ["attributes"] = new JsonArray(attribute) }.Content());
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        var search = await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        Assert.Equal(HttpStatusCode.Conflict, search.StatusCode);
        Assert.Equal("RNIV EXI SI 09", (string)(await search.ReadObjectAsync())["rule"]!);
        var document = await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA" }.Content());
        Assert.Equal(HttpStatusCode.Conflict, document.StatusCode);
        Assert.Equal("PROV", (string)(await (await client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["status"]!);

        var both = await client.PutAsync($"/api/patients/{ipp}/attributes", new JsonObject { ["attributes"] = new JsonArray("douteuse", "fictive") }.Content());
        Assert.Equal(HttpStatusCode.Conflict, both.StatusCode);
    }

    [Fact]
    public async Task Withdrawals_DowngradeAndDelete_AndTheInsIsNeverShownUnlessQualified()
    {
        var client = databases[DatabaseProvider.Sqlite].CreateClient();
        var ipp = await CreateAsync(client, new JsonObject { ["birthName"] = "Nessi", ["firstNames"] = "Michelangelo", ["birthDate"] = "2010-08-07", ["sex"] = "M", ["confirmDuplicate"] = true });
        await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        await client.PostAsync($"/api/patients/{ipp}/insi/accept", null);
        var qualified = await (await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "CN" }.Content())).ReadObjectAsync();
        Assert.Equal("QUAL", (string)qualified["status"]!);

        var downgraded = await (await client.PostAsync($"/api/patients/{ipp}/ins/withdraw", new JsonObject { ["reason"] = "document-invalid" }.Content())).ReadObjectAsync();
        Assert.Equal("RECUP", (string)downgraded["status"]!);
        Assert.Null(downgraded["ins"]);
        // The trail keeps the INS: the identity vigilance cell (here the administrator) reads it, admission and integrators never.
        Assert.Contains("110086322083060", await (await client.GetAsync($"/api/patients/{ipp}/history")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var role in new[] { Roles.Accueil, Roles.Integrateur })
        {
            var history = await (await databases[DatabaseProvider.Sqlite].CreateClient(role).GetAsync($"/api/patients/{ipp}/history")).Content.ReadAsStringAsync();
            Assert.DoesNotContain("110086322083060", history, StringComparison.Ordinal);
        }

        var deleted = await (await client.PostAsync($"/api/patients/{ipp}/ins/withdraw", new JsonObject { ["reason"] = "wrongly-attributed" }.Content())).ReadObjectAsync();
        Assert.Equal("PROV", (string)deleted["status"]!);

        var bad = await client.PostAsync($"/api/patients/{ipp}/ins/withdraw", new JsonObject { ["reason"] = "because" }.Content());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["reason"], await bad.ErrorFieldsAsync());
    }

    [Fact]
    public async Task Document_NotHighTrustOrExpired_IsRefused()
    {
        var client = databases[DatabaseProvider.Sqlite].CreateClient();
        var ipp = await CreateAsync(client, PatientJson.Valid());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PC" }.Content())).StatusCode);
        var lastMonth = databases[DatabaseProvider.Sqlite].Today.AddMonths(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA", ["expires"] = lastMonth }.Content())).StatusCode);
        var bad = await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA", ["expires"] = "01/01/2030" }.Content());
        Assert.Equal(["expires"], await bad.ErrorFieldsAsync());
    }

    /// <summary>
    /// The document that attests an identity is part of what the trail keeps: a second check with another document is audited
    /// with the number, the type, the expiry and the time of the check before and after.
    /// </summary>
    [Fact]
    public async Task Document_CheckedAgainWithAnotherDocument_IsAuditedWithTheNumberBeforeAndAfter()
    {
        var client = databases[DatabaseProvider.Sqlite].CreateClient();
        var ipp = await CreateAsync(client, PatientJson.Valid());
        var expires = databases[DatabaseProvider.Sqlite].Today.AddYears(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA", ["number"] = "19AB12345" }.Content())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{ipp}/documents",
            new JsonObject { ["type"] = "CN", ["number"] = "X4RTBPFW4", ["expires"] = expires }.Content())).StatusCode);

        var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        var checks = history.Where(h => (string)h!["action"]! == "document.checked").ToList();
        Assert.Equal(2, checks.Count);
        Assert.Equal("19AB12345", (string)checks[0]!["after"]!["documentNumber"]!);
        Assert.NotNull((string?)checks[0]!["after"]!["documentCheckedAt"]);
        var second = checks[1]!;
        Assert.Equal(("19AB12345", "X4RTBPFW4"), ((string)second["before"]!["documentNumber"]!, (string)second["after"]!["documentNumber"]!));
        Assert.Equal(("PA", "CN"), ((string)second["before"]!["documentType"]!, (string)second["after"]!["documentType"]!));
        Assert.Equal(expires, (string)second["after"]!["documentExpires"]!);
        Assert.Contains("documentCheckedAt", second["after"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task InsiEndpoint_PointsAnywhereThatSpeaksTheContract()
    {
        // Another server speaking the contract, on a real socket: the simulator hosted by a separate Kestrel.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var remote = builder.Build();
        var simulator = InsiSimulator.FromOptions(new InsiSimulatorOptions { DataPath = Path.Combine(AppContext.BaseDirectory, "data", "insi", "test-identities.json") });
        var calls = 0;
        remote.MapPost("/ws/insi", async (HttpContext http) =>
        {
            Interlocked.Increment(ref calls);
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var answer = simulator.Handle(buffer.ToArray(), http.Request.ContentType);
            http.Response.StatusCode = answer.StatusCode;
            http.Response.ContentType = answer.ContentType;
            await http.Response.Body.WriteAsync(answer.Body);
        });
        await remote.StartAsync();
        try
        {
            var address = remote.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
            {
                ["Insi:Endpoint"] = address + "/ws/insi",
                ["InsiSimulator:Enabled"] = "false",
            });
            var client = factory.CreateClient();
            var ipp = await CreateAsync(client, new JsonObject { ["birthName"] = "Corse", ["firstNames"] = "Anthony", ["birthDate"] = "1980-03-02", ["sex"] = "M" });
            var answer = await (await client.PostAsync($"/api/patients/{ipp}/insi/search", null)).ReadObjectAsync();
            Assert.Equal("180032B02040123", (string)answer["ins"]!["value"]!);
            Assert.Equal(1, calls);
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/simulators/insi", new StringContent("<x/>"))).StatusCode);
        }
        finally
        {
            await remote.StopAsync();
        }
    }

    // The simulator is mapped anonymously and by default. A request nested very deeply (here 140,000 levels, under the request
    // cap) once took minutes of CPU to load and then overflowed the stack, killing the process: it is refused at once (InsiXml's
    // depth limit) with a fault. A real process, so that a regression kills it and not the test run.
    [Fact]
    public async Task SimulatorRequestNestedVeryDeeply_IsAFault_AndTheServerKeepsServing()
    {
        const int depth = 140_000;
        var request = new StringBuilder("""<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header><wsa:MessageID xmlns:wsa="http://www.w3.org/2005/08/addressing">""");
        request.Insert(request.Length, "<a>", depth).Insert(request.Length, "</a>", depth);
        request.Append("</wsa:MessageID></soap:Header><soap:Body><x/></soap:Body></soap:Envelope>");
        Assert.True(request.Length < IdentityRef.Server.Qualification.InsiSetup.SimulatorMaxRequestBytes);

        var work = Directory.CreateTempSubdirectory("identityref-insi-depth-");
        try
        {
            using var server = await ServingServer.StartAsync("insi-depth-key-0123456789", new Dictionary<string, string>
            {
                ["ConnectionStrings__IdentityRef"] = $"Data Source={Path.Combine(work.FullName, "depth.db")}",
                ["Database__Provider"] = "Sqlite",
                ["Hl7__ListenPort"] = "-1",
                ["Scheduler__Enabled"] = "false",
            });
            using var anonymous = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            using var content = new StringContent(request.ToString(), Encoding.UTF8, "application/soap+xml");

            HttpResponseMessage? answer = null;
            Exception? failure = null;
            try
            {
                answer = await anonymous.PostAsync("/simulators/insi", content);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failure = e; // no answer within 30 s, or the connection dropped (the process died)
            }

            Assert.Null(failure);
            Assert.Contains("Fault", await answer!.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }

    // Real requests are a few KiB: the anonymous simulator reads at most 1 MiB (Kestrel's own limit is 30 MB), declared or sent.
    [Fact]
    public async Task SimulatorRequestLargerThanTheCap_Is413_Unread()
    {
        using var anonymous = databases[DatabaseProvider.Sqlite].CreateClient();
        var tooLarge = "<x>" + new string('x', IdentityRef.Server.Qualification.InsiSetup.SimulatorMaxRequestBytes) + "</x>";

        using var declared = new StringContent(tooLarge, Encoding.UTF8, "application/soap+xml");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await anonymous.PostAsync("/simulators/insi", declared)).StatusCode);
        using var undeclared = new UnsizedContent(Encoding.UTF8.GetBytes(tooLarge));
        undeclared.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/soap+xml");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await anonymous.PostAsync("/simulators/insi", undeclared)).StatusCode);
    }

    /// <summary>A body sent without Content-Length: the cap is checked while reading.</summary>
    private sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task UnreachableTeleservice_Is502WithATypedError_AndIsRecorded()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Insi:Endpoint"] = "http://127.0.0.1:9/insi", // discard port: nothing listens
            ["Insi:RetryCount"] = "1",
            ["Insi:RetryDelayMilliseconds"] = "10",
        });
        var client = factory.CreateClient();
        var ipp = await CreateAsync(client, Adrtrois());
        var response = await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("InsiTransportError", (string)(await response.ReadObjectAsync())["error"]!);
        var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        Assert.Equal("down", (string)history.Last()!["details"]!["code"]!); // the service was unavailable: the retry job will ask again
    }

    private static async Task<string> CreateAsync(HttpClient client, JsonObject person)
    {
        var response = await client.PostAsync("/api/patients", person.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }
}
