namespace IdentityRef.Application.Broadcast;

/// <summary>HL7 settings (section <c>Hl7</c>): our names on the wire, the inbound listener, the dispatcher.</summary>
public sealed class Hl7Options
{
    public const string Section = "Hl7";

    /// <summary>MSH-3 of the messages we send.</summary>
    public string SendingApplication { get; set; } = "IDENTITYREF";

    /// <summary>MSH-4 of the messages we send.</summary>
    public string SendingFacility { get; set; } = "HOPITAL";

    /// <summary>The names the inbound listener answers to (MSH-5/MSH-6); a message addressed to others gets AR.</summary>
    public string ReceivingApplication { get; set; } = "IDENTITYREF";

    public string ReceivingFacility { get; set; } = "HOPITAL";

    /// <summary>Inbound ITI-30 MLLP port; 0 picks a free port (tests), -1 disables the listener.</summary>
    public int ListenPort { get; set; } = 2575;

    /// <summary>Address the inbound listener binds; all interfaces by default, since the senders are other machines.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>Run the outbox dispatcher in this instance.</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How long a delivery waits for its ACK.</summary>
    public double AckTimeoutSeconds { get; set; } = 30;

    /// <summary>Retries (AR, timeouts, connection failures) before a message is parked as a persistent failure.</summary>
    public int MaxAttempts { get; set; } = 50;

    /// <summary>Back-off between retries: doubled at each attempt from the first value up to the second.</summary>
    public double RetryMinSeconds { get; set; } = 1;

    public double RetryMaxSeconds { get; set; } = 300;

    /// <summary>Acknowledged messages are purged after this many days.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>A system whose oldest undelivered message is older than this is reported as lagging.</summary>
    public int LagAlertMinutes { get; set; } = 15;

    /// <summary>
    /// The hospital's time zone (IANA id): MSH-7, EVN-2, ZFD-6 and the ACKs are written in it with its offset
    /// (YYYYMMDDHHMMSS+ZZZZ), as the PAM FR data types want the sender's local time.
    /// </summary>
    public string TimeZone { get; set; } = "Europe/Paris";

    /// <summary>The zone of <see cref="TimeZone"/>; a name the system does not know fails at start-up.</summary>
    public TimeZoneInfo Zone => _zone is { } z && z.Id == TimeZone ? z : _zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    private TimeZoneInfo? _zone;

    /// <summary>Now, in the hospital's time zone, from the one clock of the server.</summary>
    public DateTimeOffset LocalNow(TimeProvider clock) => TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone);

    /// <summary>Messages read from the outbox at a time per subscription.</summary>
    public int BatchSize { get; set; } = 500;
}
