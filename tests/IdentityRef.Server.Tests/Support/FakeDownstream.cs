using System.Collections.Concurrent;
using System.Net;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// A downstream system on a real loopback socket: records every message it receives and answers as the test
/// says (AA by default; AE, AR or silence to rehearse the failure paths).
/// </summary>
public sealed class FakeDownstream : IAsyncDisposable
{
    private readonly MllpServer _server;

    public FakeDownstream(int port = 0, Func<Hl7Message, Hl7AckCode?>? answer = null)
    {
        Answer = answer ?? (_ => Hl7AckCode.Accept);
        _server = new MllpServer(new MllpServerOptions { Address = IPAddress.Loopback, Port = port }, (bytes, _) =>
        {
            var parsed = Hl7Parser.Parse(bytes.Span);
            var message = parsed.Message!;
            Raw.Enqueue(bytes.ToArray());
            Received.Enqueue(message);
            if (RawAnswer?.Invoke(message) is { } raw)
            {
                return ValueTask.FromResult<byte[]?>(raw);
            }
            return ValueTask.FromResult(Answer(message) is { } code ? Hl7Ack.Build(message, code).ToBytes(parsed.Charset ?? Hl7Charset.Utf8) : null);
        });
        _server.Start();
    }

    public Func<Hl7Message, Hl7AckCode?> Answer { get; set; }

    /// <summary>When set and not null for a message, these bytes are the answer instead of an ACK (a receiver that answers nonsense).</summary>
    public Func<Hl7Message, byte[]?>? RawAnswer { get; set; }

    public ConcurrentQueue<Hl7Message> Received { get; } = new();

    /// <summary>The bytes of every message received, as sent.</summary>
    public ConcurrentQueue<byte[]> Raw { get; } = new();

    public int Port => _server.Port;

    /// <summary>The connections open to this system now (a sender that closed its connection is no longer counted).</summary>
    public int ActiveConnections => _server.ActiveConnections;

    /// <summary>Waits until <paramref name="count"/> messages arrived (or fails after the timeout).</summary>
    public async Task<IReadOnlyList<Hl7Message>> WaitForAsync(int count, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (Received.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(Received.Count >= count, $"expected {count} messages, received {Received.Count}");
        return [.. Received];
    }

    /// <summary>Stops the server, then has every message it received checked by the independent HL7 library.</summary>
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        IndependentHl7Check.AssertConform([.. Raw], "messages received by a downstream system");
    }
}
