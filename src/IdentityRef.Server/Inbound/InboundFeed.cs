using IdentityRef.Application;
using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Inbound;
using IdentityRef.Application.Telemetry;
using System.Net;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Hl7.Pam;
using IdentityRef.Server.Broadcast;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Inbound;

/// <summary>
/// The inbound ITI-30 feed (and the PDQ/PIX queries, <c>InboundQueries.cs</c>): an MLLP listener (<c>Hl7:ListenPort</c>) for other identity sources. Every message is
/// answered: AA when integrated; AE with the ERR location and table 0357 code; AR for an unsupported message
/// type or trigger, or a message addressed to another application or facility. An error writes nothing.
/// </summary>
public sealed partial class InboundFeed(IServiceScopeFactory scopes, IOptions<Hl7Options> options, InboundTriggers supported, TimeProvider clock, ILogger<InboundFeed> logger) : BackgroundService
{
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The port actually bound (useful with port 0 in tests).</summary>
    public Task<int> Port => _port.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.ListenPort < 0)
        {
            _port.TrySetResult(0);
            return;
        }
        var address = IPAddress.TryParse(settings.ListenAddress, out var parsed) ? parsed : IPAddress.Any;
        await using var server = new MllpServer(new MllpServerOptions
        {
            Address = address,
            Port = settings.ListenPort,
            MaxConnections = settings.ListenMaxConnections,
            MaxConnectionsPerAddress = settings.ListenMaxConnectionsPerAddress,
            IdleTimeout = TimeSpan.FromSeconds(settings.ListenIdleTimeoutSeconds),
            FirstMessageTimeout = TimeSpan.FromSeconds(settings.ListenFirstFrameTimeoutSeconds),
        }, (bytes, ct) => HandleAsync(bytes, ct));
        server.ConnectionRefused += (peer, reason) => OnRefused(peer, reason, server.ActiveConnections);
        server.ConnectionClosed += reason =>
        {
            if (reason == MllpCloseReason.FirstMessageTimeout)
            {
                FirstMessageTimedOut(logger, settings.ListenFirstFrameTimeoutSeconds);
            }
        };
        server.Start();
        _port.TrySetResult(server.Port);
        Listening(logger, server.Port);
        if (settings.Inbound.Durability == InboundDurability.Relaxed)
        {
            RelaxedDurability(logger);
        }
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        await server.StopAsync(TimeSpan.FromSeconds(5));
    }

    public async ValueTask<byte[]?> HandleAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var activity = IdentityRefTelemetry.Source.StartActivity("MLLP receive", System.Diagnostics.ActivityKind.Server);
        var settings = options.Value;
        var ackOptions = new Hl7AckOptions
        {
            DefaultSendingApplication = settings.ReceivingApplication,
            DefaultSendingFacility = settings.ReceivingFacility,
            Clock = clock,
            TimeZone = settings.Zone,
        };
        if (IsQuery(bytes.Span))
        {
            return await AnswerQueryAsync(bytes, ackOptions, cancellationToken); // PDQ, PIX: InboundQueries.cs
        }
        var received = PamInbound.Receive(bytes.Span, ackOptions: ackOptions);
        if (received.Parse.Message is { } maybeAck && IsAcknowledgement(maybeAck))
        {
            // HL7 v2.5 §2.9: an acknowledgement is never acknowledged (two engines would answer each other forever)
            AckIgnored(logger, maybeAck.MessageType);
            return null;
        }
        var charset = received.Parse.Charset ?? Hl7Charset.Utf8;
        if (received.Parse.Message is { } unsupported
            && received.Errors.Where(e => e.Code is Hl7ErrorCode.UnsupportedMessageType or Hl7ErrorCode.UnsupportedEventCode).ToList() is { Count: > 0 } reasons)
        {
            // an unsupported type or trigger is rejected (AR), not an error in the message (AE)
            Answered(logger, unsupported.TriggerEvent, "AR");
            return Hl7Ack.Build(unsupported, Hl7AckCode.Reject, reasons, ackOptions).ToBytes(charset);
        }
        if (received.Parse.Message is not { } message || received.Read is not { } read || !received.CanApply)
        {
            Answered(logger, received.Parse.Message?.TriggerEvent ?? "?", received.Ack.Msa()?.AcknowledgmentCode ?? "?");
            return received.Ack.ToBytes(charset);
        }
        var msh = message.Msh()!.Value;
        Hl7Message ack;
        if (!string.Equals(msh.ReceivingApplication.NamespaceId, settings.ReceivingApplication, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(msh.ReceivingFacility.NamespaceId, settings.ReceivingFacility, StringComparison.OrdinalIgnoreCase))
        {
            ack = Hl7Ack.Build(message, Hl7AckCode.Reject, [new Hl7Error(Hl7ErrorCode.TableValueNotFound, Hl7Severity.Error,
                new Hl7Location("MSH", 1, string.Equals(msh.ReceivingApplication.NamespaceId, settings.ReceivingApplication, StringComparison.OrdinalIgnoreCase) ? 6 : 5),
                "this message is addressed to another application or facility")], ackOptions);
        }
        else if (read.Event is not { } pamEvent || !supported.Supports(pamEvent))
        {
            ack = Hl7Ack.Build(message, Hl7AckCode.Reject, [new Hl7Error(Hl7ErrorCode.UnsupportedEventCode, Hl7Severity.Error,
                new Hl7Location("MSH", 1, 9, 1, 2), "this trigger event is not supported by this receiver")], ackOptions);
        }
        else
        {
            ack = await ApplyAsync(message, read, msh.SendingApplication.NamespaceId, ackOptions, cancellationToken);
        }
        Answered(logger, message.TriggerEvent, ack.Msa()?.AcknowledgmentCode ?? "?");
        return ack.ToBytes(charset);
    }

    /// <summary>Attempts at a message that met a concurrent change of the same identity before it is answered AR.</summary>
    internal const int ConcurrentChangeAttempts = 3;

    /// <summary>
    /// One unit of work per attempt, its ACK after the commit. A concurrent change of the same identity (another connection
    /// or server integrating a message about it) makes the message be applied again from the start, re-read and re-checked,
    /// up to <see cref="ConcurrentChangeAttempts"/> times; only then is it answered AR.
    /// </summary>
    private async Task<Hl7Message> ApplyAsync(Hl7Message message, PamReadResult read, string sender, Hl7AckOptions ackOptions, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<InboundUnitOfWork>()
                    .AttemptAsync(message, read, sender, ackOptions, mayRetry: attempt < ConcurrentChangeAttempts, cancellationToken) is { } ack)
            {
                return ack;
            }
            await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken);
        }
    }


    private readonly Lock _refusals = new();
    private long _lastRefusalLog = long.MinValue;
    private int _refusedSinceLog;

    /// <summary>
    /// One warning per refusal, at most one every <see cref="RefusalLogInterval"/> (with the count refused since the
    /// last one): a flood of connections must not flood the logs. The address is the sender's, never patient data.
    /// </summary>
    private void OnRefused(IPAddress? peer, MllpRefusalReason reason, int open)
    {
        lock (_refusals)
        {
            _refusedSinceLog++;
            var now = Environment.TickCount64;
            if (_lastRefusalLog != long.MinValue && now - _lastRefusalLog < (long)RefusalLogInterval.TotalMilliseconds)
            {
                return;
            }
            ConnectionRefused(logger, peer?.ToString() ?? "?", reason.ToString(), open, _refusedSinceLog);
            _lastRefusalLog = now;
            _refusedSinceLog = 0;
        }
    }

    internal static readonly TimeSpan RefusalLogInterval = TimeSpan.FromSeconds(10);

    [LoggerMessage(LogEvents.InboundConnectionRefused, LogLevel.Warning, "Inbound HL7 connection from {Address} refused: {Reason} ({Open} open; {Refused} refused since the last such line)")]
    private static partial void ConnectionRefused(ILogger logger, string address, string reason, int open, int refused);

    [LoggerMessage(LogEvents.InboundFirstMessageTimedOut, LogLevel.Information, "Inbound HL7 connection closed: no complete message within {Seconds} s of its opening")]
    private static partial void FirstMessageTimedOut(ILogger logger, double seconds);

    /// <summary>An ACK (MSH-9.1 ACK, or any message carrying MSA): the answer to a message, not one to answer.</summary>
    public static bool IsAcknowledgement(Hl7Message message) =>
        message.MessageType == "ACK" || message.Segments.Any(s => s.Name == "MSA");

    [LoggerMessage(LogEvents.InboundAckIgnored, LogLevel.Warning, "Inbound {MessageType} is an acknowledgement: not answered")]
    private static partial void AckIgnored(ILogger logger, string messageType);

    [LoggerMessage(LogEvents.InboundRelaxedDurability, LogLevel.Warning,
        "Inbound HL7 durability is Relaxed (Hl7:Inbound:Durability): messages are answered AA before their commit is on the disk. " +
        "A crash of the server process loses nothing; a crash of the machine or a power cut may lose the last messages answered, " +
        "which must then be sent again (replay the feed). For a replayed onboarding feed only: set it back to Durable for a live feed")]
    private static partial void RelaxedDurability(ILogger logger);

    [LoggerMessage(LogEvents.InboundListening, LogLevel.Information, "Inbound HL7 listener on port {Port}")]
    private static partial void Listening(ILogger logger, int port);

    /// <summary>The answer's log line, metric and span tags: trigger and ACK code only (a trigger outside the known list counts as "other").</summary>
    private static void Answered(ILogger logger, string trigger, string ackCode)
    {
        LogAnswered(logger, trigger, ackCode);
        IdentityRefTelemetry.InboundAnswered(trigger, ackCode);
        System.Diagnostics.Activity.Current?.SetTag("identityref.trigger", IdentityRefTelemetry.Trigger(trigger)).SetTag("identityref.ack_code", IdentityRefTelemetry.AckCode(ackCode));
    }

    [LoggerMessage(LogEvents.InboundAnswered, LogLevel.Information, "Inbound {Trigger} answered {AckCode}")]
    private static partial void LogAnswered(ILogger logger, string trigger, string ackCode);

}
