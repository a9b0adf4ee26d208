using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting.Telemetry;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Tests.Jobs;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Quartz;

namespace IdentityRef.Server.Tests.Hosting;

/// <summary>
/// Metrics, traces and health probes of a running server: a Prometheus scrape lists every metric that
/// docs/operations.md documents, after the server did the work each one counts; and neither a series, a span nor a log
/// line carries the patient's data.
/// </summary>
public sealed partial class TelemetryTests
{
    private static readonly string[] Secrets = ["ZYGOMARSKI", "QUENTILDA", "1943-07-19", "19430719", "RUE DES PRIVATES", "zygo@example.org",
        "VELLOZANTE", "ORFIMELLE", "19510204"];

    [Fact]
    public async Task Scrape_ListsEveryDocumentedMetric_AndNoSeriesSpanOrLogCarriesPatientData()
    {
        var spans = new List<Activity>();
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Telemetry:Tracing:Enabled"] = "true",
            ["Scheduler:Enabled"] = "true",
            ["Scheduler:IdleWaitSeconds"] = "1",
            ["Scheduler:Schedules:insi-retry"] = JobsApiTests.FarAway,
            ["Scheduler:Schedules:ins-reverification"] = JobsApiTests.FarAway,
            // The HttpClient instrumentation listens to the whole test process, where other tests call real server
            // processes by URL (PUT /api/patients/100000001, their first IPP): an IPP of this server's own keeps the check
            // below about what this server emits (CI once failed on another test's client span).
            ["Identity:IppStart"] = "731000001",
        }, services: s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
        var client = factory.CreateClient();

        // Broadcast: a subscriber that acknowledges.
        var subscribed = await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = downstream.Port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOP",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        // Admission: check-before-create, creation, a search by traits, an INSi search.
        var created = await client.PostAsync("/api/patients", new JsonObject
        {
            ["birthName"] = "Zygomarski", ["firstNames"] = "Quentilda", ["birthDate"] = "1943-07-19", ["sex"] = "F",
            ["address"] = "1 Rue des Privates", ["email"] = "zygo@example.org",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        await client.GetAsync("/api/patients?birthName=Zygomarski&firstName=Quentilda&birthDate=1943-07-19");
        await client.GetAsync($"/api/patients/{ipp}");
        await client.PostAsync($"/api/patients/{ipp}/insi/search", null);
        await downstream.WaitForAsync(1);
        // Inbound: an A28 from another source, then a message with a trigger no list knows.
        await using (var sender = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = await factory.Services.GetRequiredService<InboundFeed>().Port }))
        {
            var ack = await sender.SendAsync(Encoding.UTF8.GetBytes(InboundA28("A28")));
            Assert.Equal("AA", Hl7Parser.Parse(ack.Response!).Message!.Msa()!.Value.AcknowledgmentCode);
            await sender.SendAsync(Encoding.UTF8.GetBytes(InboundA28("Z99")));
        }
        // A sign-in, and a refused one.
        await WebForms.SignInAsync(factory.CreateAnonymousClient(), IdentityRefFactory.AdminUser, "not-the-password-at-all");
        await WebForms.SignInAsync(factory.CreateAnonymousClient(), IdentityRefFactory.AdminUser, IdentityRefFactory.AdminPassword);
        // Detection and a job.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/duplicates/detect?full=true", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/jobs/insi-retry/run", null)).StatusCode);
        await JobsApiTests.FinishedRunsAsync(client, "insi-retry");
        await factory.Services.GetRequiredService<OutboxGauges>().RefreshAsync(CancellationToken.None);

        var scrape = await factory.CreateAnonymousClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        var text = await scrape.Content.ReadAsStringAsync();

        var documented = DocumentedMetrics();
        Assert.True(documented.Count >= 12, "docs/operations.md lists the metrics");
        var missing = documented.Where(m => !Regex.IsMatch(text, "^" + Regex.Escape(m) + "(_bucket|_count|_sum)?[{ ]", RegexOptions.Multiline)).ToList();
        Assert.True(missing.Count == 0, "Not in the scrape: " + string.Join(", ", missing));
        Assert.Contains("identityref_outbox_deliveries_total{", text);
        Assert.Matches("identityref_outbox_deliveries_total\\{[^}]*outcome=\"AA\"[^}]*subscriber=\"DPI\"", text);
        Assert.Matches("identityref_inbound_messages_total\\{[^}]*ack_code=\"AA\"[^}]*trigger=\"A28\"", text);
        Assert.Matches("identityref_inbound_messages_total\\{[^}]*trigger=\"other\"", text); // a peer's trigger is no label value
        Assert.Matches("identityref_outbox_pending\\{[^}]*subscriber=\"DPI\"", text);
        Assert.Matches("identityref_job_runs_total\\{[^}]*job=\"insi-retry\",outcome=\"succeeded\"", text);

        // Spans: HTTP in, EF, INSi and MLLP both ways, none with a trait, a search or the IPP. The exporter goes on adding
        // spans of the background work (dispatcher, jobs) meanwhile: read a copy (List.ToArray copies, it does not enumerate).
        Activity[] spansNow = [.. spans.ToArray().Where(a => a is not null)];
        var names = spansNow.Select(s => s.Source.Name + ":" + s.DisplayName).ToList();
        Assert.Contains(spansNow, s => s.Kind == ActivityKind.Server && (s.GetTagItem("url.path") as string) == "/api/patients/{ipp}");
        Assert.Contains(names, n => n.StartsWith("IdentityRef.Insi:INSi ", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("IdentityRef:MLLP send", StringComparison.Ordinal));
        Assert.Contains(names, n => n == "IdentityRef:MLLP receive");
        Assert.Contains(spansNow, s => s.Source.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal));
        var tagValues = spansNow.SelectMany(s => s.TagObjects.Select(t => $"{s.DisplayName} {t.Key}={t.Value}").Append(s.DisplayName)).ToList();
        var logs = factory.Logs.Lines;
        foreach (var secret in Secrets.Append(ipp))
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            var leaks = tagValues.Where(t => t.Contains(secret, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(leaks.Count == 0, $"'{secret}' reached a span: {string.Join(" | ", leaks.Take(5))}");
            if (secret != ipp)
            {
                Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.OrdinalIgnoreCase));
            }
        }
    }

    [Fact]
    public async Task Health_LiveAlways_ReadyDegradedWithoutInsi_NotReadyWhenTheSchedulerStandsBy_HealthAsBefore()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Insi:Endpoint"] = "http://127.0.0.1:1/insi", // nothing listens on port 1
            ["Scheduler:Enabled"] = "true",
            ["Scheduler:IdleWaitSeconds"] = "1",
        });
        var client = factory.CreateAnonymousClient();

        var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var ready = await client.GetAsync("/health/ready");
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Degraded", (string)body["status"]!);
        Assert.Equal("Healthy", (string)body["checks"]!["database"]!["status"]!);
        Assert.Equal("Healthy", (string)body["checks"]!["scheduler"]!["status"]!);
        Assert.Equal("Degraded", (string)body["checks"]!["insi"]!["status"]!);
        var health = JsonNode.Parse(await client.GetStringAsync("/health"))!; // the former probe, unchanged
        Assert.Equal("Healthy", (string)health["status"]!);
        Assert.Equal("Sqlite", (string)health["database"]!["provider"]!);

        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.Standby();
        var notReady = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("Unhealthy", (string)JsonNode.Parse(await notReady.Content.ReadAsStringAsync())!["checks"]!["scheduler"]!["status"]!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Scrape_OnAConfiguredPathAndPort_AnswersThereOnly()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Telemetry:Metrics:Path"] = "/ops/metrics",
            ["Telemetry:Metrics:Port"] = "9464",
        });
        var client = factory.CreateAnonymousClient(followRedirects: false);

        Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync("/ops/metrics")).StatusCode); // the public port
        var internalPort = new HttpRequestMessage(HttpMethod.Get, "/ops/metrics");
        internalPort.Headers.Host = "localhost:9464";
        var scraped = await client.SendAsync(internalPort);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("target_info", await scraped.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Options_RefuseAPathThatIsNoPath()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Telemetry:Metrics:Path"] = "metrics?x" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Path", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The metric names in the table of docs/operations.md (first column, in backquotes).</summary>
    internal static IReadOnlyList<string> DocumentedMetrics()
    {
        var doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "operations.md"));
        return MetricRow().Matches(doc).Select(m => m.Groups[1].Value).Distinct().ToList();
    }

    private static string InboundA28(string trigger) => string.Join('\r',
        $"MSH|^~\\&|GAM|CLINIQUE|IDENTITYREF|HOPITAL|20260101120000||ADT^{trigger}^ADT_A05|MSG{trigger}{Guid.NewGuid():N}|P|2.5^FRA^2.10||||||UNICODE UTF-8",
        "EVN||20260101120000",
        "PID|1||777001^^^GAM&1.2.3.4&ISO^PI||VELLOZANTE^ORFIMELLE^^^^^L~VELLOZANTE^ORFIMELLE^ORFIMELLE^^^^D||19510204|F|||^^^^^FRA^BDL^^75056",
        "PV1|1|N") + "\r";

    [GeneratedRegex(@"^\| `(identityref_[a-z_]+)`", RegexOptions.Multiline)]
    private static partial Regex MetricRow();
}
