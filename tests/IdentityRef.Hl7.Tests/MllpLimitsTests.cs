using System.Net;
using System.Net.Sockets;
using System.Text;
using IdentityRef.Hl7.Mllp;

namespace IdentityRef.Hl7.Tests;

/// <summary>
/// Hostile and clumsy peers over real sockets: sockets left open, silent or trickling a frame that never ends,
/// must not keep other senders out. Timeouts are short here; waits are bounded by <see cref="Wait"/>.
/// </summary>
public sealed class MllpLimitsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static byte[] Message(string controlId) =>
        Encoding.ASCII.GetBytes($"MSH|^~\\&|SND|FAC|RCV|FAC|20260101120000||ADT^A28^ADT_A05|{controlId}|P|2.5\rPID|1||1^^^X^PI\r");

    private static ValueTask<byte[]?> AckHandler(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        ValueTask.FromResult<byte[]?>(Hl7Ack.BuildForBytes(bytes.Span, Hl7Parser.Parse(bytes.Span), options: new Hl7AckOptions { ControlId = "ACK" }).ToBytes());

    private static MllpServer Start(MllpServerOptions options)
    {
        var server = new MllpServer(options, AckHandler);
        server.Start();
        return server;
    }

    private static async Task<TcpClient> ConnectAsync(int port, string from = "127.0.0.1")
    {
        var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0)) { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        return tcp;
    }

    /// <summary>True when the server closed the socket (a read returns 0 or fails) within the wait.</summary>
    private static async Task<bool> ClosedByServerAsync(TcpClient tcp, TimeSpan within)
    {
        using var cancel = new CancellationTokenSource(within);
        try
        {
            return await tcp.GetStream().ReadAsync(new byte[64], cancel.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task<bool> AcknowledgedAsync(TcpClient tcp, string controlId)
    {
        var stream = tcp.GetStream();
        await stream.WriteAsync(MllpFraming.Frame(Message(controlId)));
        using var cancel = new CancellationTokenSource(Wait);
        var answer = await new MllpFrameReader(stream, 1 << 20).ReadAsync(cancel.Token);
        return answer.Status == MllpReadStatus.Message && Hl7Parser.Parse(answer.Message!).Message!.Msa()!.Value.ControlId == controlId;
    }

    [Fact]
    public async Task OneAddressHoldingItsShareOfIdleSockets_IsRefusedMore_WhileAnotherSenderIsServed()
    {
        var refusals = new List<(IPAddress? Peer, MllpRefusalReason Reason)>();
        await using var server = Start(new MllpServerOptions { MaxConnectionsPerAddress = 3, MaxConnections = 10, FirstMessageTimeout = TimeSpan.FromMinutes(1) });
        server.ConnectionRefused += (peer, reason) =>
        {
            lock (refusals)
            {
                refusals.Add((peer, reason));
            }
        };
        var hog = new List<TcpClient>();
        for (var i = 0; i < 3; i++)
        {
            hog.Add(await ConnectAsync(server.Port));
        }
        await WaitUntilAsync(() => server.ActiveConnections == 3);

        using var fourth = await ConnectAsync(server.Port);
        Assert.True(await ClosedByServerAsync(fourth, Wait), "the fourth socket of one address is closed at once");
        lock (refusals)
        {
            Assert.Equal((IPAddress.Loopback, MllpRefusalReason.TooManyConnectionsFromAddress), Assert.Single(refusals));
        }

        using var other = await ConnectAsync(server.Port, from: "127.0.0.2"); // another sender (all of 127/8 is loopback on Linux)
        Assert.True(await AcknowledgedAsync(other, "OTHER"));

        hog[0].Dispose(); // a slot of the first address is free again
        await WaitUntilAsync(() => server.ActiveConnections == 3);
        using var again = await ConnectAsync(server.Port);
        Assert.True(await AcknowledgedAsync(again, "AGAIN"));
        hog.ForEach(h => h.Dispose());
    }

    [Fact]
    public async Task GlobalLimit_RefusesTheNextConnection_AndSaysWhy()
    {
        var refused = new TaskCompletionSource<MllpRefusalReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = Start(new MllpServerOptions { MaxConnections = 2, MaxConnectionsPerAddress = 10, FirstMessageTimeout = TimeSpan.FromMinutes(1) });
        server.ConnectionRefused += (_, reason) => refused.TrySetResult(reason);
        using var a = await ConnectAsync(server.Port);
        using var b = await ConnectAsync(server.Port, from: "127.0.0.3");
        await WaitUntilAsync(() => server.ActiveConnections == 2);

        using var c = await ConnectAsync(server.Port, from: "127.0.0.4");

        Assert.True(await ClosedByServerAsync(c, Wait));
        Assert.Equal(MllpRefusalReason.TooManyConnections, await refused.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task SilentSocket_IsClosedAfterTheFirstMessageTimeout_NotTheLongIdleTimeout()
    {
        var closed = new TaskCompletionSource<MllpCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = Start(new MllpServerOptions { FirstMessageTimeout = TimeSpan.FromMilliseconds(400), IdleTimeout = TimeSpan.FromMinutes(5) });
        server.ConnectionClosed += reason => closed.TrySetResult(reason);
        using var silent = await ConnectAsync(server.Port);

        Assert.True(await ClosedByServerAsync(silent, Wait));
        Assert.Equal(MllpCloseReason.FirstMessageTimeout, await closed.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task SlowClientTricklingAFrameThatNeverEnds_IsClosedAtTheFirstMessageDeadline()
    {
        var closed = new TaskCompletionSource<MllpCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = Start(new MllpServerOptions { FirstMessageTimeout = TimeSpan.FromMilliseconds(600), IdleTimeout = TimeSpan.FromMinutes(5) });
        server.ConnectionClosed += reason => closed.TrySetResult(reason);
        using var slow = await ConnectAsync(server.Port);
        var stream = slow.GetStream();
        var frame = MllpFraming.Frame(Message("SLOW"));

        // One byte every 50 ms: each byte would reset an idle timer, the first-message deadline is not reset.
        var sent = 0;
        try
        {
            for (; sent < frame.Length - 2 && !closed.Task.IsCompleted; sent++)
            {
                await stream.WriteAsync(frame.AsMemory(sent, 1));
                await Task.Delay(50);
            }
        }
        catch (IOException)
        {
            // the server closed the socket under the writer
        }

        Assert.Equal(MllpCloseReason.FirstMessageTimeout, await closed.Task.WaitAsync(Wait));
        Assert.True(sent < frame.Length - 2, "closed before the frame could end");
        Assert.Equal(0, server.MessagesHandled);
    }

    [Fact]
    public async Task SenderThatCompletedAMessage_KeepsItsConnectionPastTheFirstMessageTimeout()
    {
        await using var server = Start(new MllpServerOptions { FirstMessageTimeout = TimeSpan.FromMilliseconds(300), IdleTimeout = TimeSpan.FromMinutes(5) });
        using var sender = await ConnectAsync(server.Port);
        Assert.True(await AcknowledgedAsync(sender, "FIRST"));

        Assert.False(await ClosedByServerAsync(sender, TimeSpan.FromMilliseconds(900)), "a working sender keeps the long idle timeout");
        Assert.True(await AcknowledgedAsync(sender, "SECOND"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(10);
        }
    }
}
