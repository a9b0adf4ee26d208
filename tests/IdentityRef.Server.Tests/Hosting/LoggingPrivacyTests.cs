using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Hosting;

/// <summary>Names, birth dates, INS and addresses never reach a log line, whatever the request does.</summary>
public sealed class LoggingPrivacyTests
{
    [Fact]
    public async Task PatientData_NeverReachesTheLogs()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        var secrets = new[] { "ZYGOMARSKI", "QUENTILDA", "1943-07-19", "19430719", "297022A02077878", "RUE DES PRIVATES", "Rue des Privates", "zygo@example.org" };
        var person = new JsonObject
        {
            ["birthName"] = "Zygomarski", ["firstNames"] = "Quentilda", ["birthDate"] = "1943-07-19", ["sex"] = "F",
            ["address"] = "1 Rue des Privates", ["email"] = "zygo@example.org",
            ["ins"] = new JsonObject { ["value"] = "297022A02077878", ["oid"] = "1.2.250.1.213.1.4.8" },
        };

        var created = await client.PostAsync("/api/patients", person.Content());
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        await client.GetAsync("/api/patients?birthName=Zygomarski&firstName=Quentilda&birthDate=1943-07-19");
        await client.GetAsync($"/api/patients/{ipp}/history");
        await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        await client.PostAsync($"/api/patients/{ipp}/documents", new JsonObject { ["type"] = "PA", ["number"] = "RUE DES PRIVATES" }.Content());
        // Bad input that quotes patient data: an invalid character, a wrong type, malformed JSON.
        await client.PostAsync("/api/patients", person.With("birthName", "Zygomarski_1943-07-19").Content());
        await client.PostAsync("/api/patients", new StringContent("{\"birthName\": \"ZYGOMARSKI\", \"birthDate\": 19430719", System.Text.Encoding.UTF8, "application/json"));
        await client.PostAsync("/api/patients", person.With("ins", new JsonObject { ["value"] = "297022A02077879" }).Content());
        var update = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = person.With("usedName", "Zygomarski").Content() };
        update.Headers.IfMatch.ParseAdd("\"42\"");
        await client.SendAsync(update);

        var lines = factory.Logs.Lines;
        Assert.NotEmpty(lines); // the requests were logged...
        Assert.Contains(lines, l => l.Contains("/api/patients", StringComparison.Ordinal));
        // One request line each, by route template (Serilog's request log), never by path or query string.
        Assert.Contains(lines, l => l.Contains("Route=/api/patients/{ipp}/history;StatusCode=200", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains($"/api/patients/{ipp}", StringComparison.Ordinal) || l.Contains("/api/patients?", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            // ...without any of the patient's data
            var leaks = lines.Where(l => l.Contains(secret, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(leaks.Count == 0, $"'{secret}' reached the logs: {string.Join(Environment.NewLine, leaks)}");
        }
    }
}
