using IdentityRef.Application.Telemetry;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Broadcast;

/// <summary>
/// The outbox's side of a delivery pass (the host's <c>OutboxDispatcher</c> holds the connections and the loop): the
/// subscriptions to serve, the lease that lets one instance only deliver to a system, the head of a system's queue, and
/// what an answer means — AA acknowledges; AR, no answer or an ACK for another message is retried with back-off (the
/// queue waits, so the order holds); AE and persistent failures are parked and the queue goes on.
/// One instance per pass (scoped); <see cref="SaveAsync"/> records the pass.
/// </summary>
public sealed partial class OutboxDelivery(IdentityRefDbContext db, IOptions<Hl7Options> options, TimeProvider clock, ILogger<OutboxDelivery> logger)
{
    // Acknowledged messages, the usual case, are recorded with one statement per pass; the others one by one.
    private readonly List<long> _acknowledged = [];
    private DateTimeOffset _leaseUntil;

    public async Task<IReadOnlyList<Subscription>> EnabledSubscriptionsAsync(CancellationToken cancellationToken) =>
        await db.Subscriptions.AsNoTracking().Where(s => s.Enabled).ToListAsync(cancellationToken);

    /// <summary>Takes (or extends) the delivery lease of the subscription for <paramref name="instance"/>; false while another instance holds it.</summary>
    public async Task<bool> TryLeaseAsync(Guid subscriptionId, string instance, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var until = now + TimeSpan.FromSeconds(options.Value.DeliveryLeaseSeconds);
        var taken = await db.Subscriptions
            .Where(s => s.Id == subscriptionId && (s.LeaseOwner == null || s.LeaseOwner == instance || s.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseOwner, instance).SetProperty(x => x.LeaseUntil, until), cancellationToken);
        if (taken == 1)
        {
            _leaseUntil = until;
        }
        return taken == 1;
    }

    /// <summary>
    /// Before the next send of a pass: renews the lease unless what is left of it covers the whole send (connection and
    /// ACK wait, <see cref="Hl7Options.SendWindow"/>), so no other instance may take it while this send awaits its answer.
    /// False when another instance took it meanwhile (this one was too slow: a receiver slow to answer, a pause): the pass
    /// stops, sending nothing more.
    /// </summary>
    public async Task<bool> KeepLeaseAsync(Guid subscriptionId, string instance, CancellationToken cancellationToken) =>
        _leaseUntil - clock.GetUtcNow() >= options.Value.SendWindow || await RenewLeaseAsync(subscriptionId, instance, cancellationToken);

    /// <summary>
    /// Renews the lease this pass holds. Unlike <see cref="TryLeaseAsync"/> it never takes an expired lease over: once
    /// another instance took the lease, even one whose own lease ran out since, this pass is over and records nothing.
    /// </summary>
    private async Task<bool> RenewLeaseAsync(Guid subscriptionId, string instance, CancellationToken cancellationToken)
    {
        var until = clock.GetUtcNow() + TimeSpan.FromSeconds(options.Value.DeliveryLeaseSeconds);
        var renewed = await db.Subscriptions
            .Where(s => s.Id == subscriptionId && s.LeaseOwner == instance)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseUntil, until), cancellationToken);
        if (renewed == 1)
        {
            _leaseUntil = until;
        }
        return renewed == 1;
    }

    /// <summary>The head of the system's queue, in order: what waits for a first send, an answer, or a retry.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> NextBatchAsync(Guid subscriptionId, CancellationToken cancellationToken) =>
        await db.Outbox.AsNoTracking()
            .Where(m => m.SubscriptionId == subscriptionId && (m.State == OutboxStates.Pending || m.State == OutboxStates.Sent || m.State == OutboxStates.Error))
            .OrderBy(m => m.Id)
            .Take(options.Value.BatchSize)
            .ToListAsync(cancellationToken);

    /// <summary>Applies the outcome of one delivery: whether the queue goes on and whether the connection can be kept.</summary>
    public DeliveryOutcome Record(OutboxMessage message, MllpSendResult result, DateTimeOffset sentAt)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        message.Attempts++;
        message.SentAt = sentAt;
        var delivery = Apply(message, result, settings, now);
        if (message.State == OutboxStates.Acknowledged && message.AckCode == "AA")
        {
            _acknowledged.Add(message.Id);
        }
        else
        {
            db.Outbox.Update(message);
        }
        return delivery;
    }

    private DeliveryOutcome Apply(OutboxMessage message, MllpSendResult result, Hl7Options settings, DateTimeOffset now)
    {
        var outcome = result.IsAcknowledged ? "not-an-ack" : KebabCase(result.Status.ToString());
        if (result.IsAcknowledged && result.Response is { } response && Hl7Parser.Parse(response).Message is { } ack && ack.Msa() is { } msa)
        {
            if (msa.ControlId != message.ControlId)
            {
                // an ACK counts only for the message it names (MSA-2 = our MSH-10): anything else may hide a lost message
                return Retry(message, settings, now, outcome, $"the ACK acknowledges MSA-2 '{Truncate(msa.ControlId, 40)}', not the MSH-10 sent '{message.ControlId}'");
            }
            message.AckCode = msa.AcknowledgmentCode;
            outcome = IdentityRefTelemetry.AckCode(msa.AcknowledgmentCode);
            switch (msa.AcknowledgmentCode)
            {
                case "AA" or "CA":
                    message.State = OutboxStates.Acknowledged;
                    message.AcknowledgedAt = now;
                    message.LastError = null;
                    return new DeliveryOutcome(GoOn: true, KeepConnection: true, outcome);
                case "AE" or "CE":
                    // "error, do not resend unchanged": set aside for review; the queue goes on
                    message.State = OutboxStates.Parked;
                    message.LastError = Truncate(AckText(ack));
                    Parked(logger, message.Id, message.Event, msa.AcknowledgmentCode);
                    return new DeliveryOutcome(GoOn: true, KeepConnection: true, outcome);
                default:
                    return Retry(message, settings, now, outcome, $"{msa.AcknowledgmentCode}: {AckText(ack)}");
            }
        }
        return Retry(message, settings, now, outcome, result.IsAcknowledged ? "the answer is not an HL7 ACK" : $"{result.Status}: {result.Detail}");
    }

    // Every answer that is not this message's own final ACK ends here, and the connection is never kept: a late or extra
    // frame still on its way would otherwise be read as the answer to the next message sent on it.
    private DeliveryOutcome Retry(OutboxMessage message, Hl7Options settings, DateTimeOffset now, string outcome, string reason)
    {
        message.LastError = Truncate(reason);
        if (message.Attempts >= settings.MaxAttempts)
        {
            message.State = OutboxStates.Parked;
            Parked(logger, message.Id, message.Event, "persistent failure");
            return new DeliveryOutcome(GoOn: true, KeepConnection: false, outcome);
        }
        message.State = OutboxStates.Error;
        var delay = Math.Min(settings.RetryMaxSeconds, settings.RetryMinSeconds * Math.Pow(2, Math.Min(message.Attempts - 1, 20)));
        message.NextAttemptAt = now.AddSeconds(delay);
        Retrying(logger, message.Id, message.Event, message.Attempts, delay);
        return new DeliveryOutcome(GoOn: false, KeepConnection: false, outcome);
    }

    /// <summary>
    /// Records the pass: the acknowledged messages in one statement, the others as changed — fenced by the lease: in one
    /// transaction that first renews it, so that an instance that lost the lease while it waited for an answer (another
    /// took over and delivered meanwhile) never overwrites what the new holder recorded. Returns false, recording nothing,
    /// when the lease was lost; the messages are then the new holder's to deliver and record.
    /// </summary>
    public async Task<bool> SaveAsync(Guid subscriptionId, string instance, CancellationToken cancellationToken)
    {
        if (_acknowledged.Count == 0 && !db.ChangeTracker.HasChanges())
        {
            return true; // an idle pass (empty queue, or its head waiting for a retry): nothing to record, no transaction
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await RenewLeaseAsync(subscriptionId, instance, cancellationToken))
        {
            _acknowledged.Clear();
            db.ChangeTracker.Clear();
            LeaseLost(logger, subscriptionId);
            return false;
        }
        if (_acknowledged.Count > 0)
        {
            var at = clock.GetUtcNow();
            await db.Outbox.Where(m => _acknowledged.Contains(m.Id)).ExecuteUpdateAsync(m => m
                .SetProperty(x => x.State, OutboxStates.Acknowledged)
                .SetProperty(x => x.AckCode, "AA")
                .SetProperty(x => x.LastError, (string?)null)
                .SetProperty(x => x.Attempts, x => x.Attempts + 1)
                .SetProperty(x => x.SentAt, at)
                .SetProperty(x => x.AcknowledgedAt, at), cancellationToken);
            _acknowledged.Clear();
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>MSA and ERR as text: what the receiver said, for the integrators.</summary>
    private static string AckText(Hl7Message ack) => string.Join(" | ", ack.Segments.Where(s => s.Name is "MSA" or "ERR").Select(s => s.ToString()));

    private static string KebabCase(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static string Truncate(string text, int length = 1000) => text.Length <= length ? text : text[..length];

    [LoggerMessage(LogEvents.OutboxMessageParked, LogLevel.Warning, "Outbox message {MessageId} ({Event}) parked: {Reason}")]
    private static partial void Parked(ILogger logger, long messageId, string @event, string reason);

    [LoggerMessage(LogEvents.OutboxRetryScheduled, LogLevel.Information, "Outbox message {MessageId} ({Event}) attempt {Attempt} failed, retry in {DelaySeconds} s")]
    private static partial void Retrying(ILogger logger, long messageId, string @event, int attempt, double delaySeconds);

    [LoggerMessage(LogEvents.OutboxLeaseLost, LogLevel.Warning, "Outbox delivery to subscription {SubscriptionId}: another instance took the lease meanwhile; this pass records nothing")]
    private static partial void LeaseLost(ILogger logger, Guid subscriptionId);
}

/// <summary>What one delivery means for the dispatcher.</summary>
/// <param name="GoOn">The next message of the queue may be sent; false when the queue waits for this one's retry.</param>
/// <param name="KeepConnection">
/// The receiver answered this very message for good (AA/CA/AE/CE naming its MSH-10), so the connection is in step and may
/// carry the next message. Otherwise (an ACK for another message, an answer that is not an ACK, AR, no answer) the
/// connection must be closed.
/// </param>
/// <param name="Outcome">For the metrics: the ACK code, or why there is none (timeout, connect-failed, not-an-ack…).</param>
public readonly record struct DeliveryOutcome(bool GoOn, bool KeepConnection, string Outcome);
