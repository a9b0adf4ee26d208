using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Hosting;

/// <summary>
/// A database that takes no writes (here an SQLite file opened read-only; a full disk or a PostgreSQL standby
/// answer the same way): reads go on, every write is a 503 problem, readiness fails, HL7 senders get AR so that
/// they send again, and the dispatcher does not flood the logs.
/// </summary>
public sealed class ReadOnlyDatabaseTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"identityref-ro-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task ReadOnlyDatabase_Writes503_ReadsWork_HealthFails_Hl7AnsweredAR_DispatcherLogsLittle()
    {
        string ipp;
        using (var writable = new IdentityRefFactory(DatabaseProvider.Sqlite, connectionString: $"Data Source={_file}"))
        {
            var client = writable.CreateClient();
            var created = await client.PostAsync("/api/patients", PatientJson.Valid().Content());
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/subscriptions", new JsonObject
            {
                ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = 9, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
            }.Content())).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        using var readOnly = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Hl7:ReceivingApplication"] = "PatientManager", ["Hl7:ReceivingFacility"] = "PAM_FR",
        }, connectionString: $"Data Source={_file};Mode=ReadOnly");
        var api = readOnly.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/patients/{ipp}")).StatusCode);

        var refused = await api.PostAsync("/api/patients", PatientJson.Valid().With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal("database-unavailable", (string)(await refused.ReadObjectAsync())["rule"]!);
        Assert.NotNull(refused.Headers.RetryAfter);

        var read = await api.GetAsync($"/api/patients/{ipp}");
        var update = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = PatientJson.Valid("TESTRO").Content() };
        update.Headers.IfMatch.Add(read.Headers.ETag!);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await api.SendAsync(update)).StatusCode);

        var health = await api.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", (string)(await health.ReadObjectAsync())["database"]!["writes"]!);

        var port = await readOnly.Services.GetRequiredService<InboundFeed>().Port;
        await using var sender = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });
        var answer = await sender.SendAsync(Encoding.UTF8.GetBytes(
            "MSH|^~\\&|SRC|FAC|PatientManager|PAM_FR|20260101120000||ADT^A28^ADT_A05|RO1|P|2.5|||||FRA|UNICODE UTF-8\r" +
            "EVN||20260101120000\rPID|1||ABC123^^^SRC&1.2.3&ISO^PI||DUPONT^JEAN^^^^^L||19750412|M\rPV1|1|N\r"));
        Assert.True(answer.IsAcknowledged, answer.Detail);
        Assert.Equal("AR", Hl7Parser.Parse(answer.Response!).Message!.Msa()!.Value.AcknowledgmentCode);

        // The dispatcher tries to lease the subscription and fails every pass: one error line, not several a second.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.InRange(readOnly.Logs.Lines.Count(l => l.Contains("Outbox dispatch failed", StringComparison.Ordinal)), 1, 2);
        Assert.DoesNotContain(readOnly.Logs.Lines, l => l.Contains("DUPONT", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }
}
