using System.Diagnostics;
using IdentityRef.Application.Telemetry;
using IdentityRef.Insi;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IdentityRef.Server.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for the host: the server's meter (<see cref="IdentityRefTelemetry"/>), ASP.NET Core's and the runtime's,
/// scraped by Prometheus at <see cref="MetricsOptions.Path"/>; spans of HTTP (in and out), EF Core, INSi and MLLP,
/// exported by OTLP when a collector is configured. Spans are scrubbed: no query string, and the route template
/// instead of the path (an IPP or a search would otherwise ride along).
/// </summary>
public static class TelemetrySetup
{
    public const string ServiceName = "identityref";

    public static void AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(TelemetryOptions.Section);
        services.AddOptions<TelemetryOptions>().Bind(section).ValidateSettings(TelemetryOptions.Section) // Metrics:Path, Metrics:Port, Otlp:Protocol by their annotations
            .Validate(o => string.IsNullOrWhiteSpace(o.Otlp.Endpoint) || Uri.TryCreate(o.Otlp.Endpoint, UriKind.Absolute, out _), "Telemetry:Otlp:Endpoint must be an absolute URI.")
            .ValidateOnStart();
        var options = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = !string.IsNullOrWhiteSpace(options.Otlp.Endpoint);
        services.AddHealthProbes();
        services.AddSingleton<OutboxGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxGauges>());

        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(ServiceName));
        if (options.Metrics.Enabled || otlp)
        {
            telemetry.WithMetrics(m =>
            {
                m.AddMeter(IdentityRefTelemetry.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime");
                if (options.Metrics.Enabled)
                {
                    m.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }
                if (otlp)
                {
                    m.AddOtlpExporter(o => Configure(o, options.Otlp));
                }
            });
        }
        if (options.Tracing.Enabled || otlp)
        {
            telemetry.WithTracing(t =>
            {
                t.AddSource(IdentityRefTelemetry.Name, InsiTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        o.Filter = context => !context.Request.Path.StartsWithSegments(options.Metrics.Path, StringComparison.OrdinalIgnoreCase);
                        o.RecordException = false; // an exception message may quote a value
                        o.EnrichWithHttpResponse = (activity, response) => ScrubHttp(activity, (response.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText);
                    })
                    .AddHttpClientInstrumentation(o =>
                    {
                        o.RecordException = false;
                        o.EnrichWithHttpResponseMessage = (activity, _) => ScrubHttp(activity, null);
                    })
                    .AddEntityFrameworkCoreInstrumentation();
                t.AddProcessor(new ScrubbingProcessor());
                if (otlp)
                {
                    t.AddOtlpExporter(o => Configure(o, options.Otlp));
                }
            });
        }
    }

    /// <summary>The scrape endpoint (anonymous, optionally on its own port) and the liveness/readiness probes.</summary>
    public static void MapTelemetry(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        app.MapHealthProbes();
        if (!options.Metrics.Enabled)
        {
            return;
        }
        var scrape = app.MapPrometheusScrapingEndpoint(options.Metrics.Path).AllowAnonymous();
        if (options.Metrics.Port is { } port)
        {
            scrape.RequireHost("*:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void Configure(OtlpExporterOptions exporter, OtlpOptions options)
    {
        exporter.Endpoint = new Uri(options.Endpoint!);
        exporter.Protocol = options.Protocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
    }

    private static readonly string[] QueryTags = ["url.query", "http.target", "http.url"];

    /// <summary>Route template instead of the path, no query string: <c>/api/patients/{ipp}</c>, never the IPP or the searched name.</summary>
    private static void ScrubHttp(Activity activity, string? route)
    {
        foreach (var tag in QueryTags)
        {
            activity.SetTag(tag, null);
        }
        if (activity.GetTagItem("url.full") is string full && Uri.TryCreate(full, UriKind.Absolute, out var uri))
        {
            activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Path));
        }
        if (activity.Kind == ActivityKind.Server)
        {
            activity.SetTag("url.path", route ?? "(unrouted)");
        }
    }

    /// <summary>
    /// The last guard before export: the SQL text of EF's spans is dropped (EF sends values as parameters, but a
    /// statement is no place to take chances with), and so are exception messages.
    /// </summary>
    private sealed class ScrubbingProcessor : BaseProcessor<Activity>
    {
        private static readonly string[] Dropped = ["db.statement", "db.query.text", "exception.message", "exception.stacktrace"];

        public override void OnEnd(Activity activity)
        {
            foreach (var tag in Dropped)
            {
                if (activity.GetTagItem(tag) is not null)
                {
                    activity.SetTag(tag, null);
                }
            }
            if (activity.Kind == ActivityKind.Server && activity.GetTagItem("url.path") is string path && !path.Contains('{', StringComparison.Ordinal) && path != "(unrouted)"
                && activity.Source.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal))
            {
                ScrubHttp(activity, activity.GetTagItem("http.route") as string);
            }
        }
    }
}
