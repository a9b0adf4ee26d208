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
/// The host's part is the loop and the connections; what is sent and what an answer means is
/// <see cref="OutboxDelivery"/>'s.
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

    // One connection per subscription, with the options it was opened with: a subscription whose address or TLS changed
    // gets a new connection (the old one closed), so that no message goes to a system the subscription no longer names.
    private readonly ConcurrentDictionary<Guid, (MllpClientOptions Options, MllpClient Client)> _clients = new();

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
        foreach (var id in _clients.Keys)
        {
            await CloseAsync(id);
        }
    }

    /// <summary>One pass over the subscriptions; returns how many messages reached a final state.</summary>
    public async Task<int> DeliverOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<OutboxDelivery>();
        var done = 0;
        var subscriptions = await outbox.EnabledSubscriptionsAsync(cancellationToken);
        foreach (var id in _clients.Keys.Except(subscriptions.Select(s => s.Id)))
        {
            await CloseAsync(id); // disabled: its connection is not kept open
        }
        foreach (var subscription in subscriptions)
        {
            if (await outbox.TryLeaseAsync(subscription.Id, _instance, cancellationToken))
            {
                done += await DeliverAsync(outbox, subscription, cancellationToken);
            }
        }
        return done;
    }

    private async Task<int> DeliverAsync(OutboxDelivery outbox, Subscription subscription, CancellationToken cancellationToken)
    {
        var batch = await outbox.NextBatchAsync(subscription.Id, cancellationToken);
        var done = 0;
        foreach (var message in batch)
        {
            var now = clock.GetUtcNow();
            if (message.NextAttemptAt > now)
            {
                break; // the head of the queue waits for its retry: nothing behind it may overtake it
            }
            if (!await outbox.KeepLeaseAsync(subscription.Id, _instance, cancellationToken))
            {
                break; // taken over meanwhile: what this pass did is not recorded (below), the new holder sends it again
            }
            var client = await ClientAsync(subscription);
            using var activity = IdentityRefTelemetry.Source.StartActivity("MLLP send " + IdentityRefTelemetry.Trigger(message.Event), System.Diagnostics.ActivityKind.Client);
            activity?.SetTag("identityref.subscriber", subscription.Name);
            activity?.SetTag("identityref.outbox.message_id", message.Id);
            var result = await client.SendAsync(message.Payload, cancellationToken);
            var delivery = outbox.Record(message, result, now);
            activity?.SetTag("identityref.outcome", delivery.Outcome);
            IdentityRefTelemetry.Delivered(subscription.Name, message.Event, delivery.Outcome);
            if (!delivery.KeepConnection)
            {
                // not this message's own ACK: a late frame may still come, and would be read as the next message's answer
                await CloseAsync(subscription.Id);
            }
            if (!delivery.GoOn)
            {
                break;
            }
            done++;
        }
        return await outbox.SaveAsync(subscription.Id, _instance, cancellationToken) ? done : 0;
    }

    /// <summary>The subscription's connection, a new one when none is open or the subscription changed since it was opened.</summary>
    private async Task<MllpClient> ClientAsync(Subscription subscription)
    {
        // Compared by value (a record) with the subscription row read this pass; a certificate callback added to the options
        // must be one shared delegate, or every send would open a new connection.
        var wanted = ClientOptions(subscription);
        if (_clients.TryGetValue(subscription.Id, out var open) && open.Options == wanted)
        {
            return open.Client;
        }
        await CloseAsync(subscription.Id);
        var client = new MllpClient(wanted);
        _clients[subscription.Id] = (wanted, client);
        return client;
    }

    private async Task CloseAsync(Guid subscriptionId)
    {
        if (_clients.TryRemove(subscriptionId, out var open))
        {
            await open.Client.DisposeAsync();
        }
    }

    private MllpClientOptions ClientOptions(Subscription subscription) => new()
    {
        Host = subscription.Host,
        Port = subscription.Port,
        UseTls = subscription.UseTls,
        ResponseTimeout = TimeSpan.FromSeconds(options.Value.AckTimeoutSeconds),
        ConnectTimeout = options.Value.ConnectTimeout,
    };

    [LoggerMessage(LogEvents.OutboxDispatchFailed, LogLevel.Error, "Outbox dispatch failed ({ExceptionType}), {Failures} failing pass(es) in a row; retrying with back-off")]
    private static partial void DispatchFailed(ILogger logger, string exceptionType, int failures, Exception? exception);

    [LoggerMessage(LogEvents.OutboxDispatchRecovered, LogLevel.Information, "Outbox dispatch works again after {Failures} failing pass(es)")]
    private static partial void DispatchRecovered(ILogger logger, int failures);
}
