using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IdentityRef.Hl7.Mllp;

namespace IdentityRef.Hl7.Tests;

public sealed class MllpTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static byte[] Message(string controlId) =>
        Encoding.ASCII.GetBytes($"MSH|^~\\&|SND|FAC|RCV|FAC|20260101120000||ADT^A28^ADT_A05|{controlId}|P|2.5\rPID|1||1^^^X^PI\r");

    /// <summary>Answers every message with an AA built by the codec.</summary>
    private static ValueTask<byte[]?> AckHandler(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var parsed = Hl7Parser.Parse(bytes.Span);
        var ack = Hl7Ack.BuildForBytes(bytes.Span, parsed, options: new Hl7AckOptions { ControlId = "ACK1" });
        return ValueTask.FromResult<byte[]?>(ack.ToBytes());
    }

    private static async Task<MllpServer> StartServerAsync(MllpServerOptions? options = null, MllpMessageHandler? handler = null)
    {
        var server = new MllpServer(options ?? new MllpServerOptions(), handler ?? AckHandler);
        server.Start();
        await Task.Yield();
        return server;
    }

    private static async Task<byte[]> ReadFrameAsync(Stream stream)
    {
        using var cts = new CancellationTokenSource(Wait);
        var result = await new MllpFrameReader(stream, 1 << 20).ReadAsync(cts.Token);
        Assert.Equal(MllpReadStatus.Message, result.Status);
        return result.Message!;
    }

    private static string AckControlId(byte[] ack) => Hl7Parser.Parse(ack).Message!.Msa()!.Value.ControlId;

    [Fact]
    public async Task Client_SendsSeveralMessagesOnOneConnection_GetsEachAck()
    {
        await using var server = await StartServerAsync();
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = server.Port });

        var first = await client.SendAsync(Message("C1"));
        var second = await client.SendAsync(Message("C2"));

        Assert.True(first.IsAcknowledged);
        Assert.Equal("C1", AckControlId(first.Response!));
        Assert.Equal("C2", AckControlId(second.Response!));
        Assert.Equal(2, server.MessagesHandled);
        Assert.Equal(1, server.ActiveConnections);
    }

    [Fact]
    public async Task Server_FrameSentByteByByte_IsReassembled()
    {
        await using var server = await StartServerAsync();
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = tcp.GetStream();

        foreach (byte b in MllpFraming.Frame(Message("BYTE")))
        {
            await stream.WriteAsync(new[] { b });
            await stream.FlushAsync();
        }

        Assert.Equal("BYTE", AckControlId(await ReadFrameAsync(stream)));
    }

    [Fact]
    public async Task Server_TwoMessagesInOneWrite_AnswersBothInOrder()
    {
        await using var server = await StartServerAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = tcp.GetStream();

        await stream.WriteAsync(MllpFraming.Frame(Message("M1")).Concat(MllpFraming.Frame(Message("M2"))).ToArray());

        using var cts = new CancellationTokenSource(Wait);
        var reader = new MllpFrameReader(stream, 1 << 20);
        var a1 = await reader.ReadAsync(cts.Token);
        var a2 = await reader.ReadAsync(cts.Token);
        Assert.Equal("M1", AckControlId(a1.Message!));
        Assert.Equal("M2", AckControlId(a2.Message!));
    }

    [Fact]
    public async Task Server_OversizeMessage_ClosesTheConnectionWithoutAnswer()
    {
        var closed = new TaskCompletionSource<MllpCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartServerAsync(new MllpServerOptions { MaxMessageBytes = 100 });
        server.ConnectionClosed += reason => closed.TrySetResult(reason);
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = server.Port, ResponseTimeout = Wait });

        var result = await client.SendAsync(Message("BIG").Concat(new byte[200]).ToArray());

        Assert.Equal(MllpSendStatus.ConnectionClosed, result.Status);
        Assert.Equal(MllpCloseReason.Oversize, await closed.Task.WaitAsync(Wait));
        Assert.Equal(0, server.MessagesHandled);
        // The server is still serving: a fresh connection works.
        Assert.True((await client.SendAsync(Message("S"))).IsAcknowledged);
    }

    [Fact]
    public async Task Server_IdleConnection_IsClosedAfterTheTimeout_AndClientReconnects()
    {
        var closed = new TaskCompletionSource<MllpCloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartServerAsync(new MllpServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        server.ConnectionClosed += reason => closed.TrySetResult(reason);
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = server.Port });
        Assert.True((await client.SendAsync(Message("I1"))).IsAcknowledged);

        Assert.Equal(MllpCloseReason.IdleTimeout, await closed.Task.WaitAsync(Wait));
        // The server's FIN reaches the client in its own time: poll until the client sees it, then send.
        var deadline = DateTime.UtcNow + Wait;
        while (client.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.False(client.IsConnected, "the client never saw the server close the idle connection");
        var again = await client.SendAsync(Message("I2"));

        Assert.True(again.IsAcknowledged);
        Assert.Equal("I2", AckControlId(again.Response!));
    }

    [Fact]
    public async Task Client_ServerStaysSilent_TimesOut()
    {
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartServerAsync(handler: (_, _) =>
        {
            handled.TrySetResult();
            return ValueTask.FromResult<byte[]?>(null);
        });
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = server.Port, ResponseTimeout = TimeSpan.FromMilliseconds(300) });

        var result = await client.SendAsync(Message("SILENT"));

        Assert.Equal(MllpSendStatus.Timeout, result.Status);
        await handled.Task.WaitAsync(Wait);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Client_NothingListening_ReportsConnectFailed()
    {
        using var down = new IdentityRef.Tests.ReservedPort(); // held, never listening: no other test can take it meanwhile
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = down.Port });

        var result = await client.SendAsync(Message("X"));

        Assert.Equal(MllpSendStatus.ConnectFailed, result.Status);
    }

    [Fact]
    public async Task Server_GracefulStop_FinishesTheMessageBeingHandled()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await StartServerAsync(handler: async (bytes, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(300, CancellationToken.None);
            return await AckHandler(bytes, ct);
        });
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = server.Port });

        var sending = client.SendAsync(Message("LAST"));
        await entered.Task.WaitAsync(Wait);
        await server.StopAsync(TimeSpan.FromSeconds(5));
        var result = await sending;

        Assert.True(result.IsAcknowledged);
        Assert.Equal(0, server.ActiveConnections);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Tls_SelfSignedCertificate_TrustedByCallback_CarriesMessages()
    {
        using var certificate = SelfSignedCertificate();
        await using var server = await StartServerAsync(new MllpServerOptions { ServerCertificate = certificate });
        string? seenThumbprint = null;
        await using var client = new MllpClient(new MllpClientOptions
        {
            Host = "127.0.0.1",
            Port = server.Port,
            UseTls = true,
            TlsTargetHost = "localhost",
            ServerCertificateValidation = (_, cert, _, _) =>
            {
                seenThumbprint = cert?.GetCertHashString();
                return cert is not null && cert.GetCertHashString() == certificate.Thumbprint;
            },
        });

        var first = await client.SendAsync(Message("T1"));
        var second = await client.SendAsync(Message("T2"));

        Assert.Equal("T1", AckControlId(first.Response!));
        Assert.Equal("T2", AckControlId(second.Response!));
        Assert.Equal(certificate.Thumbprint, seenThumbprint);
    }

    [Fact]
    public async Task Tls_UntrustedCertificate_FailsTheHandshake()
    {
        using var certificate = SelfSignedCertificate();
        await using var server = await StartServerAsync(new MllpServerOptions { ServerCertificate = certificate });
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = server.Port, UseTls = true, TlsTargetHost = "localhost" });

        var result = await client.SendAsync(Message("T"));

        Assert.Equal(MllpSendStatus.TlsFailed, result.Status);
        Assert.Equal(0, server.MessagesHandled);
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Round trip through PKCS#12 so that SslStream on Linux gets a usable private key.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
