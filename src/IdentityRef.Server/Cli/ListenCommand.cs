using System.Net;
using System.Text;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;

namespace IdentityRef.Server.Cli;

/// <summary>
/// <c>listen --port 2576</c>: a downstream system for demos and tests. Prints every message it receives and
/// answers AA (or AE, AR, or nothing, to rehearse the failure paths of the broadcast).
/// </summary>
public static class ListenCommand
{
    public static async Task<int> RunAsync(int port, string answer, bool quiet, FileInfo? record, CancellationToken cancellationToken)
    {
        await using var recorder = record is null ? null : new StreamWriter(record.FullName, append: true) { AutoFlush = true };
        var gate = new object();
        var code = answer.ToUpperInvariant() switch
        {
            "AA" => Hl7AckCode.Accept,
            "AE" => Hl7AckCode.Error,
            "AR" => Hl7AckCode.Reject,
            _ => (Hl7AckCode?)null,
        };
        var received = 0;
        await using var server = new MllpServer(new MllpServerOptions { Address = IPAddress.Loopback, Port = port }, (bytes, _) =>
        {
            var count = Interlocked.Increment(ref received);
            var parsed = Hl7Parser.Parse(bytes.Span);
            if (recorder is not null)
            {
                lock (gate)
                {
                    recorder.WriteLine(parsed.Message?.ControlId ?? "?");
                }
            }
            if (!quiet)
            {
                var text = parsed.Message?.Encode() ?? Encoding.UTF8.GetString(bytes.Span);
                Console.WriteLine($"--- message {count} ({parsed.Message?.MessageType ?? "unreadable"}^{parsed.Message?.TriggerEvent}, {bytes.Length} bytes)");
                Console.WriteLine(text.Replace('\r', '\n').TrimEnd());
            }
            if (code is null)
            {
                return ValueTask.FromResult<byte[]?>(null);
            }
            var ack = parsed.Message is { } message
                ? Hl7Ack.Build(message, code.Value, code == Hl7AckCode.Accept ? null : [new Hl7Error(Hl7ErrorCode.ApplicationInternalError, Hl7Severity.Error, new Hl7Location("MSH", 1), "rehearsal: answered " + answer)])
                : Hl7Ack.BuildForBytes(bytes.Span, parsed, code.Value);
            return ValueTask.FromResult<byte[]?>(ack.ToBytes(parsed.Charset ?? Hl7Charset.Utf8));
        });
        server.Start();
        Console.WriteLine($"listening on 127.0.0.1:{server.Port}, answering {answer.ToUpperInvariant()}; Ctrl+C to stop");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        await server.StopAsync(TimeSpan.FromSeconds(2));
        return 0;
    }
}
