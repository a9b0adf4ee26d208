using IdentityRef.Application.Security;
using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using IdentityRef.Server.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Security;

/// <summary>
/// The authorisation matrix through the real API: 401 without credentials on every /api route, 403 on a wrong
/// role, 2xx on the right one; and the policies themselves against the matrix the issue sets out.
/// </summary>
public sealed class AuthorizationMatrixTests(Databases databases) : IClassFixture<Databases>
{
    private IdentityRefFactory Factory => databases[DatabaseProvider.Sqlite];

    /// <summary>The expected matrix, written out independently of <see cref="Policies.Matrix"/>: A=Accueil, C=the cell, I=Intégrateur, D=Administrateur, Q=Consultation.</summary>
    public static TheoryData<string, string, bool> Expected()
    {
        var rows = new (string Policy, string Allowed)[]
        {
            (Policies.PatientsRead, "ACID-"),
            (Policies.PatientsWrite, "AC-D-"),
            (Policies.Qualification, "AC-D-"),
            (Policies.Duplicates, "-C-D-"),
            (Policies.Subscriptions, "--ID-"),
            (Policies.Messages, "--ID-"),
            (Policies.Jobs, "--ID-"),
            (Policies.Accounts, "---D-"),
            (Policies.WorkItems, "-CID-"),
            (Policies.PatientsQuery, "ACIDQ"),
        };
        var data = new TheoryData<string, string, bool>();
        foreach (var (policy, allowed) in rows)
        {
            for (var i = 0; i < Roles.All.Count; i++)
            {
                data.Add(policy, Roles.All[i], allowed[i] != '-');
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public async Task EachRoleAndPolicy_IsDecidedAsTheMatrixSays(string policy, string role, bool allowed)
    {
        var authorization = Factory.Services.GetRequiredService<IAuthorizationService>();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone"), new Claim(ClaimTypes.Role, role)], "test"));
        Assert.Equal(allowed, (await authorization.AuthorizeAsync(user, policy)).Succeeded);
        Assert.Equal(allowed, Policies.Allows(policy, role));
    }

    [Fact]
    public void EveryApiEndpoint_DeclaresAPolicyOfTheMatrix()
    {
        var endpoints = ApiEndpoints();
        Assert.NotEmpty(endpoints);
        var known = Policies.Matrix.Select(r => r.Policy).ToHashSet();
        Assert.All(endpoints, e =>
        {
            var policies = e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
            Assert.True(policies.Count > 0 && policies.All(known.Contains), $"{e.RoutePattern.RawText} has no policy of the matrix");
            Assert.Null(e.Metadata.GetMetadata<IAllowAnonymous>());
        });
    }

    [Fact]
    public async Task EveryApiRoute_WithoutCredentials_Is401ProblemDetails()
    {
        var client = Factory.CreateAnonymousClient(followRedirects: false);
        foreach (var endpoint in ApiEndpoints())
        {
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                var url = Concrete(endpoint.RoutePattern.RawText!);
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method is "POST" or "PUT")
                {
                    request.Content = new JsonObject().Content();
                }
                var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {url} answered {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    [Fact]
    public async Task UnknownApiKey_Is401_AndASessionCookieIsNotAnApiCredential()
    {
        var client = Factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, "not-a-configured-key-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/patients?birthName=X")).StatusCode);

        var browser = Factory.CreateAnonymousClient();
        await WebForms.SignInAsync(browser, IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/patients?birthName=X")).StatusCode);
    }

    [Fact]
    public async Task HealthAndOpenApi_StayAnonymous()
    {
        var client = Factory.CreateAnonymousClient(followRedirects: false);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }

    public static TheoryData<string> AllRoles() => new(Roles.All);

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task EachRole_OnEachPatientAction_Gets2xxOr403AsTheMatrixSays(string role)
    {
        var ipp = await CreateAsync(Factory.CreateClient());
        var client = Factory.CreateClient(role);
        var actions = new (string Policy, Func<Task<HttpResponseMessage>> Call)[]
        {
            (Policies.PatientsRead, () => client.GetAsync("/api/patients?birthName=TEST")),
            (Policies.PatientsRead, () => client.GetAsync($"/api/patients/{ipp}")),
            (Policies.PatientsRead, () => client.GetAsync($"/api/patients/{ipp}/history")),
            (Policies.PatientsWrite, () => client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content())),
            (Policies.PatientsWrite, async () =>
            {
                using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = PatientJson.Valid().Content() };
                put.Headers.TryAddWithoutValidation("If-Match", "*");
                return await client.SendAsync(put);
            }),
            (Policies.Qualification, () => client.PutAsync($"/api/patients/{ipp}/attributes", new JsonObject { ["attributes"] = new JsonArray() }.Content())),
        };
        foreach (var (policy, call) in actions)
        {
            var response = await call();
            if (Policies.Allows(policy, role))
            {
                Assert.True(response.IsSuccessStatusCode, $"{role} on {policy}: {(int)response.StatusCode}");
            }
            else
            {
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    /// <summary>
    /// The API key's name is the actor of the audit trail: two keys of one name (here with different roles) would make two
    /// systems one. The start is refused, naming the name.
    /// </summary>
    [Fact]
    public async Task TwoApiKeysWithOneName_StopTheStart_TheNameIsTheAuditsActor()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Security:ApiKeys:5:Name"] = "test-accueil", // the name of the Accueil key (IdentityRefFactory), another key, another role
            ["Security:ApiKeys:5:Key"] = "another-system-key-0123456789",
            ["Security:ApiKeys:5:Role"] = Roles.Administrateur,
        };
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, settings);
        Exception? refused = null;
        try
        {
            factory.CreateClient();
        }
        catch (Exception e)
        {
            refused = e;
        }
        Assert.True(refused is not null, "the server started with two API keys named test-accueil: their changes are audited under one actor");
        Assert.Contains("two keys are named 'test-accueil'", refused!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiChange_IsAuditedWithTheApiKeysName()
    {
        var ipp = await CreateAsync(Factory.CreateClient(Roles.Accueil));
        var history = await (await Factory.CreateClient().GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        Assert.Equal("test-accueil", (string)history[0]!["actor"]!);
    }

    private IReadOnlyList<RouteEndpoint> ApiEndpoints() =>
        Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/", StringComparison.Ordinal)).ToList();

    private static string Concrete(string pattern) =>
        "/" + System.Text.RegularExpressions.Regex.Replace(pattern.TrimStart('/'), @"\{[^}]+\}", "100000001");

    private static async Task<string> CreateAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }
}
