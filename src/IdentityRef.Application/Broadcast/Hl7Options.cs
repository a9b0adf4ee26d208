using System.ComponentModel.DataAnnotations;

namespace IdentityRef.Application.Broadcast;

/// <summary>HL7 settings (section <c>Hl7</c>): our names on the wire, the inbound listener, the dispatcher. Validated at start.</summary>
public sealed class Hl7Options
{
    public const string Section = "Hl7";

    /// <summary>MSH-3 of the messages we send.</summary>
    [Required, StringLength(180, MinimumLength = 1)]
    public string SendingApplication { get; set; } = "IDENTITYREF";

    /// <summary>MSH-4 of the messages we send.</summary>
    [Required, StringLength(180, MinimumLength = 1)]
    public string SendingFacility { get; set; } = "HOPITAL";

    /// <summary>The names the inbound listener answers to (MSH-5/MSH-6); a message addressed to others gets AR.</summary>
    [Required, StringLength(180, MinimumLength = 1)]
    public string ReceivingApplication { get; set; } = "IDENTITYREF";

    [Required, StringLength(180, MinimumLength = 1)]
    public string ReceivingFacility { get; set; } = "HOPITAL";

    /// <summary>Inbound ITI-30 MLLP port; 0 picks a free port (tests), -1 disables the listener.</summary>
    [Range(-1, 65535)]
    public int ListenPort { get; set; } = 2575;

    /// <summary>Address the inbound listener binds; all interfaces by default, since the senders are other machines.</summary>
    [Required]
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>Connections the inbound listener serves at once, all senders together.</summary>
    [Range(1, 10_000)]
    public int ListenMaxConnections { get; set; } = 256;

    /// <summary>Connections one sender address may hold at once: a sender that leaves sockets open cannot starve the others.</summary>
    [Range(1, 10_000)]
    public int ListenMaxConnectionsPerAddress { get; set; } = 8;

    /// <summary>A connection that has completed at least one message is closed after this long without traffic.</summary>
    [Range(1, 86_400)]
    public double ListenIdleTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// A connection that has not yet completed a message (silent, or a frame begun and not ended) is closed after
    /// this long: a half-frame must not hold a slot as long as a working sender.
    /// </summary>
    [Range(1, 86_400)]
    public double ListenFirstFrameTimeoutSeconds { get; set; } = 30;

    /// <summary>Run the outbox dispatcher in this instance.</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How long a delivery waits for its ACK.</summary>
    [Range(0.1, 3600)]
    public double AckTimeoutSeconds { get; set; } = 30;

    /// <summary>Retries (AR, timeouts, connection failures) before a message is parked as a persistent failure.</summary>
    [Range(1, 100_000)]
    public int MaxAttempts { get; set; } = 50;

    /// <summary>Back-off between retries: doubled at each attempt from the first value up to the second.</summary>
    [Range(0.01, 86_400)]
    public double RetryMinSeconds { get; set; } = 1;

    [Range(0.01, 86_400)]
    public double RetryMaxSeconds { get; set; } = 300;

    /// <summary>Acknowledged messages are purged after this many days.</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>A system whose oldest undelivered message is older than this is reported as lagging.</summary>
    [Range(1, 100_000)]
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

    /// <summary>
    /// How long a server instance keeps a subscription's delivery to itself without renewing it (each pass renews it).
    /// With several instances on one database, an instance that dies holding it is taken over after this long. It must
    /// be longer than <see cref="SendWindow"/>: a send started under the lease must end before another instance may take it.
    /// </summary>
    [Range(1, 3600)]
    [CustomValidation(typeof(Hl7Options), nameof(ValidateDeliveryLease))]
    public double DeliveryLeaseSeconds { get; set; } = 90;

    /// <summary>How long the dispatcher waits for a receiver's connection: at most 10 s, never longer than the ACK wait.</summary>
    public TimeSpan ConnectTimeout => TimeSpan.FromSeconds(Math.Min(10, AckTimeoutSeconds));

    /// <summary>The longest one send may take: the connection, then the wait for its ACK.</summary>
    public TimeSpan SendWindow => ConnectTimeout + TimeSpan.FromSeconds(AckTimeoutSeconds);

    public static ValidationResult? ValidateDeliveryLease(double seconds, ValidationContext context)
    {
        var window = ((Hl7Options)context.ObjectInstance).SendWindow.TotalSeconds;
        return seconds > window ? ValidationResult.Success
            : new ValidationResult($"{context.DisplayName} must be longer than a send may take ({window} s: the connection, at most 10 s, and AckTimeoutSeconds), or a second instance could send while the first awaits an ACK.");
    }

    /// <summary>Messages read from the outbox at a time per subscription.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>The inbound feed (<c>Hl7:Inbound:*</c>).</summary>
    public Hl7InboundOptions Inbound { get; set; } = new();
}

/// <summary>Settings of the inbound ITI-30 feed.</summary>
public sealed class Hl7InboundOptions
{
    /// <summary>
    /// When an inbound message's ACK may be sent (<c>Hl7:Inbound:Durability</c>). <see cref="InboundDurability.Durable"/>,
    /// the default, is the only setting for a live feed; <see cref="InboundDurability.Relaxed"/> is for a replayed
    /// onboarding feed only (docs/hl7.md, "Durability of an inbound commit").
    /// </summary>
    public InboundDurability Durability { get; set; } = InboundDurability.Durable;
}

/// <summary>How durable an inbound message's commit is when its ACK leaves.</summary>
public enum InboundDurability
{
    /// <summary>
    /// Default. Every ACK follows a commit that is on the disk (SQLite WAL <c>synchronous=FULL</c>, PostgreSQL's own
    /// <c>synchronous_commit</c>): nothing a sender saw acknowledged is lost, whatever happens to the server afterwards.
    /// </summary>
    Durable,

    /// <summary>
    /// For replaying an onboarding feed, which its sender can replay again. The inbound unit of work commits without
    /// waiting for the disk (SQLite <c>synchronous=NORMAL</c> on the inbound connection, PostgreSQL
    /// <c>SET LOCAL synchronous_commit = off</c>): still atomic, still audited, and a crash of the server process loses
    /// nothing; but a crash of the operating system or a power cut may lose the last messages already answered AA
    /// (on PostgreSQL, up to three times <c>wal_writer_delay</c>), which a replay of the feed sends again (a re-sent A28
    /// or A31 updates the identity its identifiers designate: nobody is created twice). Logged at start-up.
    /// </summary>
    Relaxed,
}
