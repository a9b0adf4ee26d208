using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IdentityRef.Application.Telemetry;

/// <summary>
/// The server's own instruments (meter and activity source <see cref="Name"/>), exported by the host through
/// OpenTelemetry (docs/operations.md lists them with their meaning and alert thresholds). Every label is a code
/// from a closed list or a name an administrator configured (subscription, job): never a trait, an INS, an IPP
/// or free text from a message, so that no series and no span carries patient data.
/// </summary>
public static class IdentityRefTelemetry
{
    public const string Name = "IdentityRef";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>(
        "identityref.outbox.deliveries", "{delivery}", "Outbound HL7 deliveries by subscriber, trigger and outcome (ACK code, or timeout / connection-failed / not-an-ack).");

    private static readonly Counter<long> Inbound = Meter.CreateCounter<long>(
        "identityref.inbound.messages", "{message}", "Inbound ITI-30 messages by trigger and the ACK code answered.");

    private static readonly Counter<long> InsiCalls = Meter.CreateCounter<long>(
        "identityref.insi.calls", "{call}", "INSi HTTP attempts by operation and outcome.");

    private static readonly Histogram<double> InsiDuration = Meter.CreateHistogram(
        "identityref.insi.call.duration", "s", "Duration of one INSi HTTP attempt, by operation and outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] });

    private static readonly Histogram<double> AdmissionCheckDuration = Meter.CreateHistogram(
        "identityref.admission_check.duration", "s", "Check-before-create latency (duplicate search at admission), by verdict.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    private static readonly Counter<long> DetectionRuns = Meter.CreateCounter<long>(
        "identityref.detection.runs", "{run}", "Duplicate detection runs by kind (full, incremental) and outcome.");

    private static readonly Histogram<double> DetectionDuration = Meter.CreateHistogram(
        "identityref.detection.run.duration", "s", "Duration of a duplicate detection run, by kind.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 60, 300, 900, 1800, 3600] });

    private static readonly Counter<long> JobRuns = Meter.CreateCounter<long>(
        "identityref.job.runs", "{run}", "Scheduled job runs by job and outcome (succeeded, failed, cancelled).");

    private static readonly Histogram<double> JobDuration = Meter.CreateHistogram(
        "identityref.job.run.duration", "s", "Duration of a scheduled job run, by job and outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 5, 15, 60, 300, 900, 3600] });

    private static readonly Counter<long> SignIns = Meter.CreateCounter<long>(
        "identityref.sign_ins", "{sign-in}", "Web sign-ins by method (password, psc) and outcome.");

    /// <summary>The HL7 triggers a label may name; anything else a peer sends is counted as <c>other</c>.</summary>
    private static readonly HashSet<string> KnownTriggers = new(StringComparer.Ordinal) { "A01", "A04", "A05", "A08", "A24", "A28", "A31", "A37", "A40", "A47" };

    private static readonly HashSet<string> KnownAckCodes = new(StringComparer.Ordinal) { "AA", "AE", "AR", "CA", "CE", "CR" };

    public static string Trigger(string? trigger) => trigger is not null && KnownTriggers.Contains(trigger) ? trigger : "other";

    public static string AckCode(string? code) => code is not null && KnownAckCodes.Contains(code) ? code : "none";

    public static void Delivered(string subscriber, string trigger, string outcome) =>
        Deliveries.Add(1, new("subscriber", subscriber), new("trigger", Trigger(trigger)), new("outcome", outcome));

    public static void InboundAnswered(string? trigger, string? ackCode) =>
        Inbound.Add(1, new("trigger", Trigger(trigger)), new("ack_code", AckCode(ackCode)));

    public static void InsiAttempt(string operation, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "operation", operation }, { "outcome", outcome } };
        InsiCalls.Add(1, tags);
        InsiDuration.Record(duration.TotalSeconds, tags);
    }

    public static void AdmissionChecked(string verdict, TimeSpan duration) =>
        AdmissionCheckDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("verdict", verdict));

    public static void DetectionRan(string kind, string outcome, TimeSpan duration)
    {
        DetectionRuns.Add(1, new("kind", kind), new("outcome", outcome));
        DetectionDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("kind", kind));
    }

    public static void JobRan(string job, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "job", job }, { "outcome", outcome } };
        JobRuns.Add(1, tags);
        JobDuration.Record(duration.TotalSeconds, tags);
    }

    public static void SignedIn(string method, string outcome) =>
        SignIns.Add(1, new("method", method), new("outcome", outcome));
}
