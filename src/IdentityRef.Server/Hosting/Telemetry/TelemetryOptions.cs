using System.ComponentModel.DataAnnotations;

namespace IdentityRef.Server.Hosting.Telemetry;

/// <summary>Settings of metrics, traces and health probes (section <c>Telemetry</c>); docs/operations.md explains them.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    public MetricsOptions Metrics { get; set; } = new();
    public TracingOptions Tracing { get; set; } = new();
    public OtlpOptions Otlp { get; set; } = new();

    /// <summary>How often the outbox gauges (pending, parked, oldest age) are read from the database.</summary>
    [Range(1, 3600)]
    public int GaugeRefreshSeconds { get; set; } = 15;

    /// <summary>How long an INSi reachability answer is reused by the readiness probe.</summary>
    [Range(0, 3600)]
    public int InsiProbeCacheSeconds { get; set; } = 60;
}

public sealed class MetricsOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>The Prometheus scrape path (anonymous: no label carries patient data).</summary>
    [RegularExpression("^/[A-Za-z0-9/_.-]*$")]
    public string Path { get; set; } = "/metrics";

    /// <summary>When set, the scrape endpoint answers only on this port (an internal port also listed in <c>ASPNETCORE_URLS</c>).</summary>
    [Range(1, 65535)]
    public int? Port { get; set; }
}

public sealed class TracingOptions
{
    /// <summary>Record spans even without an OTLP endpoint (tests add their own exporter). On whenever an OTLP endpoint is set.</summary>
    public bool Enabled { get; set; }
}

public sealed class OtlpOptions
{
    /// <summary>The collector, e.g. <c>http://otel-collector:4317</c>; traces (and metrics) are exported there when set.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318).</summary>
    [RegularExpression("^(grpc|http/protobuf)$")]
    public string Protocol { get; set; } = "grpc";
}
