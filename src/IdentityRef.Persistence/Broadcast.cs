namespace IdentityRef.Persistence;

/// <summary>A downstream system (care record, lab, imaging, exchange platform) that receives PAM FR messages over MLLP.</summary>
public sealed class Subscription
{
    public Guid Id { get; init; }
    public required string Name { get; set; }
    public required string Host { get; set; }
    public int Port { get; set; }
    public required string ReceivingApplication { get; set; }
    public required string ReceivingFacility { get; set; }

    /// <summary>MSH-18 of the messages for this system: <c>UNICODE UTF-8</c>, <c>8859/15</c>, <c>8859/1</c> or <c>ASCII</c>.</summary>
    public required string Charset { get; set; }

    public bool UseTls { get; set; }
    public bool Enabled { get; set; }

    /// <summary>Comma-separated events this system wants (e.g. <c>A28,A31</c>); empty for all.</summary>
    public string Events { get; set; } = "";

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The dispatcher instance delivering to this system, so that one instance only keeps the order.</summary>
    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }
}

/// <summary>
/// An outgoing message, written in the same transaction as the identity change it tells (transactional outbox):
/// no change without its message, no message without its change. Delivered in <see cref="Id"/> order per subscription.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; init; }
    public required Guid SubscriptionId { get; init; }
    public Guid? IdentityId { get; init; }

    /// <summary>The trigger event: A28, A31, A47, A40.</summary>
    public required string Event { get; init; }

    public required string ControlId { get; init; }

    /// <summary>The encoded message, already in the subscription's character set.</summary>
    public required byte[] Payload { get; init; }

    public required string State { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The ACK code received (AA, AE, AR…).</summary>
    public string? AckCode { get; set; }

    /// <summary>The ACK text or the failure, for the integrators' review.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
}

/// <summary>The life of an outgoing message.</summary>
public static class OutboxStates
{
    /// <summary>Waiting for its turn.</summary>
    public const string Pending = "pending";

    /// <summary>On the wire, ACK not yet received (a crash here means it is sent again).</summary>
    public const string Sent = "sent";

    public const string Acknowledged = "acknowledged";

    /// <summary>AR, timeout or connection failure: retried with back-off.</summary>
    public const string Error = "error";

    /// <summary>AE or persistent failure: set aside with the ACK text for review; the queue goes on.</summary>
    public const string Parked = "parked";

    public static readonly string[] All = [Pending, Sent, Acknowledged, Error, Parked];
}
