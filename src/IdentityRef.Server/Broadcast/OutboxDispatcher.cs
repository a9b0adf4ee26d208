using IdentityRef.Application;
using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Telemetry;
using System.Collections.Concurrent;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Broadcast;

/// <summary>
/// Delivers the outbox to each subscribed system over MLLP, in order, one ACK per message. AA acknowledges;
/// AR, timeouts and connection failures are retried with back-off (the queue of that system waits, so the order
/// holds); AE and persistent failures are parked with the ACK text and the queue goes on. A lease on the
/// subscription row makes one instance only deliver to a system when several share one database; a message
/// whose fate was not recorded before a crash is sent again after the restart (at least once, never lost).
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IOptions<Hl7Options> options,
    TimeProvider clock,
    OutboxSignal signal,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    private readonly ConcurrentDictionary<Guid, MllpClient> _clients = new();

    /// <summary>While passes keep failing (a database read-only, full or down), one error line at most this often.</summary>
    internal static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    /// <summary>The longest pause between two failing passes (the pause doubles from <see cref="PollInterval"/>).</summary>
    internal static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var lastFailureLog = long.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = 0;
            try
            {
                delivered = await DeliverOnceAsync(stoppingToken);
                if (failures > 0)
                {
                    DispatchRecovered(logger, failures);
                    failures = 0;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                failures++;
                var now = Environment.TickCount64;
                if (failures == 1 || now - lastFailureLog >= (long)FailureLogInterval.TotalMilliseconds)
                {
                    // The first failure with its exception, then a line a minute with the count: a database that stays
                    // read-only must not write errors several times a second.
                    DispatchFailed(logger, e.GetType().Name, failures, failures == 1 ? e : null);
                    lastFailureLog = now;
                }
                var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxFailureBackoff.TotalMilliseconds, PollInterval.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 16))));
                try
                {
                    await Task.Delay(backoff, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            if (delivered == 0)
            {
                try
                {
                    await signal.WaitAsync(PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        foreach (var client in _clients.Values)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>One pass over the subscriptions; returns how many messages reached a final state.</summary>
    public async Task<int> DeliverOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.Enabled).ToListAsync(cancellationToken);
        var done = 0;
        foreach (var subscription in subscriptions)
        {
            if (await TryLeaseAsync(db, subscription.Id, cancellationToken))
            {
                done += await DeliverAsync(db, subscription, cancellationToken);
            }
        }
        return done;
    }

    private async Task<bool> TryLeaseAsync(IdentityRefDbContext db, Guid subscriptionId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var until = now + TimeSpan.FromSeconds(options.Value.DeliveryLeaseSeconds);
        var taken = await db.Subscriptions
            .Where(s => s.Id == subscriptionId && (s.LeaseOwner == null || s.LeaseOwner == _instance || s.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseOwner, _instance).SetProperty(x => x.LeaseUntil, until), cancellationToken);
        return taken == 1;
    }

    private async Task<int> DeliverAsync(IdentityRefDbContext db, Subscription subscription, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var batch = await db.Outbox.AsNoTracking()
            .Where(m => m.SubscriptionId == subscription.Id && (m.State == OutboxStates.Pending || m.State == OutboxStates.Sent || m.State == OutboxStates.Error))
            .OrderBy(m => m.Id)
            .Take(settings.BatchSize)
            .ToListAsync(cancellationToken);
        // Acknowledged messages, the usual case, are recorded with one statement per batch; the others one by one.
        var acknowledged = new List<long>(batch.Count);
        var done = 0;
        foreach (var message in batch)
        {
            var now = clock.GetUtcNow();
            if (message.NextAttemptAt > now)
            {
                break; // the head of the queue waits for its retry: nothing behind it may overtake it
            }
            var client = _clients.GetOrAdd(subscription.Id, _ => NewClient(subscription));
            using var activity = IdentityRefTelemetry.Source.StartActivity("MLLP send " + IdentityRefTelemetry.Trigger(message.Event), System.Diagnostics.ActivityKind.Client);
            activity?.SetTag("identityref.subscriber", subscription.Name);
            activity?.SetTag("identityref.outbox.message_id", message.Id);
            var result = await client.SendAsync(message.Payload, cancellationToken);
            message.Attempts++;
            message.SentAt = now;
            var goOn = Record(message, result, settings, clock.GetUtcNow(), out var outcome);
            activity?.SetTag("identityref.outcome", outcome);
            IdentityRefTelemetry.Delivered(subscription.Name, message.Event, outcome);
            if (message.State == OutboxStates.Acknowledged && message.AckCode == "AA")
            {
                acknowledged.Add(message.Id);
            }
            else
            {
                db.Outbox.Update(message);
            }
            if (!goOn)
            {
                if (!result.IsAcknowledged && _clients.TryRemove(subscription.Id, out var broken))
                {
                    await broken.DisposeAsync();
                }
                break;
            }
            done++;
        }
        if (acknowledged.Count > 0)
        {
            var at = clock.GetUtcNow();
            await db.Outbox.Where(m => acknowledged.Contains(m.Id)).ExecuteUpdateAsync(m => m
                .SetProperty(x => x.State, OutboxStates.Acknowledged)
                .SetProperty(x => x.AckCode, "AA")
                .SetProperty(x => x.LastError, (string?)null)
                .SetProperty(x => x.Attempts, x => x.Attempts + 1)
                .SetProperty(x => x.SentAt, at)
                .SetProperty(x => x.AcknowledgedAt, at), cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        return done;
    }

    /// <summary>Applies the outcome of one delivery; false when the queue must wait (retry later).</summary>
    /// <param name="outcome">For the metrics: the ACK code, or why there is none (timeout, connect-failed, not-an-ack…).</param>
    private bool Record(OutboxMessage message, MllpSendResult result, Hl7Options settings, DateTimeOffset now, out string outcome)
    {
        outcome = result.IsAcknowledged ? "not-an-ack" : KebabCase(result.Status.ToString());
        if (result.IsAcknowledged && result.Response is { } response && Hl7Parser.Parse(response).Message is { } ack && ack.Msa() is { } msa)
        {
            if (msa.ControlId != message.ControlId)
            {
                // an ACK counts only for the message it names (MSA-2 = our MSH-10): anything else may hide a lost message
                return Retry(message, settings, now, $"the ACK acknowledges MSA-2 '{Truncate(msa.ControlId, 40)}', not the MSH-10 sent '{message.ControlId}'");
            }
            message.AckCode = msa.AcknowledgmentCode;
            outcome = IdentityRefTelemetry.AckCode(msa.AcknowledgmentCode);
            switch (msa.AcknowledgmentCode)
            {
                case "AA" or "CA":
                    message.State = OutboxStates.Acknowledged;
                    message.AcknowledgedAt = now;
                    message.LastError = null;
                    return true;
                case "AE" or "CE":
                    // "error, do not resend unchanged": set aside for review; the queue goes on
                    message.State = OutboxStates.Parked;
                    message.LastError = Truncate(AckText(ack));
                    Parked(logger, message.Id, message.Event, msa.AcknowledgmentCode);
                    return true;
                default:
                    return Retry(message, settings, now, $"{msa.AcknowledgmentCode}: {AckText(ack)}");
            }
        }
        return Retry(message, settings, now, result.IsAcknowledged ? "the answer is not an HL7 ACK" : $"{result.Status}: {result.Detail}");
    }

    private bool Retry(OutboxMessage message, Hl7Options settings, DateTimeOffset now, string reason)
    {
        message.LastError = Truncate(reason);
        if (message.Attempts >= settings.MaxAttempts)
        {
            message.State = OutboxStates.Parked;
            Parked(logger, message.Id, message.Event, "persistent failure");
            return true;
        }
        message.State = OutboxStates.Error;
        var delay = Math.Min(settings.RetryMaxSeconds, settings.RetryMinSeconds * Math.Pow(2, Math.Min(message.Attempts - 1, 20)));
        message.NextAttemptAt = now.AddSeconds(delay);
        Retrying(logger, message.Id, message.Event, message.Attempts, delay);
        return false;
    }

    private MllpClient NewClient(Subscription subscription) => new(new MllpClientOptions
    {
        Host = subscription.Host,
        Port = subscription.Port,
        UseTls = subscription.UseTls,
        ResponseTimeout = TimeSpan.FromSeconds(options.Value.AckTimeoutSeconds),
        ConnectTimeout = TimeSpan.FromSeconds(Math.Min(10, options.Value.AckTimeoutSeconds)),
    });

    /// <summary>MSA and ERR as text: what the receiver said, for the integrators.</summary>
    private static string AckText(Hl7Message ack) => string.Join(" | ", ack.Segments.Where(s => s.Name is "MSA" or "ERR").Select(s => s.ToString()));

    private static string KebabCase(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static string Truncate(string text, int length = 1000) => text.Length <= length ? text : text[..length];

    [LoggerMessage(LogEvents.OutboxMessageParked, LogLevel.Warning, "Outbox message {MessageId} ({Event}) parked: {Reason}")]
    private static partial void Parked(ILogger logger, long messageId, string @event, string reason);

    [LoggerMessage(LogEvents.OutboxRetryScheduled, LogLevel.Information, "Outbox message {MessageId} ({Event}) attempt {Attempt} failed, retry in {DelaySeconds} s")]
    private static partial void Retrying(ILogger logger, long messageId, string @event, int attempt, double delaySeconds);

    [LoggerMessage(LogEvents.OutboxDispatchFailed, LogLevel.Error, "Outbox dispatch failed ({ExceptionType}), {Failures} failing pass(es) in a row; retrying with back-off")]
    private static partial void DispatchFailed(ILogger logger, string exceptionType, int failures, Exception? exception);

    [LoggerMessage(LogEvents.OutboxDispatchRecovered, LogLevel.Information, "Outbox dispatch works again after {Failures} failing pass(es)")]
    private static partial void DispatchRecovered(ILogger logger, int failures);
}
