using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace IdentityRef.Hl7.Mllp;

public sealed record MllpClientOptions
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for the ACK after sending.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    public bool UseTls { get; init; }

    /// <summary>The name checked against the server certificate; the host when null.</summary>
    public string? TlsTargetHost { get; init; }

    /// <summary>Checks the server certificate; null leaves it to the platform's trust store.</summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }

    public System.Security.Cryptography.X509Certificates.X509CertificateCollection? ClientCertificates { get; init; }
}

public enum MllpSendStatus
{
    Acknowledged,
    ConnectFailed,
    TlsFailed,
    Timeout,
    ConnectionClosed,
    ResponseTooLarge,
}

/// <summary>The outcome of a send: the answer when one came, otherwise why not.</summary>
public sealed record MllpSendResult(MllpSendStatus Status, byte[]? Response = null, string? Detail = null)
{
    public bool IsAcknowledged => Status == MllpSendStatus.Acknowledged;
}

/// <summary>
/// An MLLP sender that keeps its connection between messages and reconnects after a failure. Calls are
/// serialised: MLLP allows one outstanding message per connection.
/// </summary>
public sealed class MllpClient(MllpClientOptions options) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TcpClient? _tcp;
    private Stream? _stream;
    private MllpFrameReader? _reader;

    public bool IsConnected => _tcp?.Connected == true && _stream is not null && !PeerHasClosed(_tcp.Client);

    // A reused connection may have been closed by the server (idle timeout): readable with nothing to read.
    private static bool PeerHasClosed(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>Connects (and does the TLS handshake) if not already connected.</summary>
    public async Task<MllpSendResult?> ConnectAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends one message (unframed HL7 bytes) and waits for the answer on the same connection.</summary>
    public async Task<MllpSendResult> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false) is { } failure)
            {
                return failure;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ResponseTimeout);
            try
            {
                await _stream!.WriteAsync(MllpFraming.Frame(message.Span), timeout.Token).ConfigureAwait(false);
                await _stream.FlushAsync(timeout.Token).ConfigureAwait(false);
                var result = await _reader!.ReadAsync(timeout.Token).ConfigureAwait(false);
                switch (result.Status)
                {
                    case MllpReadStatus.Message:
                        return new MllpSendResult(MllpSendStatus.Acknowledged, result.Message);
                    case MllpReadStatus.Oversize:
                        Drop();
                        return new MllpSendResult(MllpSendStatus.ResponseTooLarge);
                    default:
                        Drop();
                        return new MllpSendResult(MllpSendStatus.ConnectionClosed, Detail: result.Status.ToString());
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A late ACK would be taken for the answer to the next message: the connection cannot be reused.
                Drop();
                return new MllpSendResult(MllpSendStatus.Timeout);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                Drop();
                return new MllpSendResult(MllpSendStatus.ConnectionClosed, Detail: ex.GetType().Name);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<MllpSendResult?> EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (IsConnected)
        {
            return null;
        }
        Drop();
        var tcp = new TcpClient { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await tcp.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            tcp.Dispose();
            return new MllpSendResult(MllpSendStatus.ConnectFailed, Detail: ex.GetType().Name);
        }
        Stream stream = tcp.GetStream();
        if (options.UseTls)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = options.TlsTargetHost ?? options.Host,
                    RemoteCertificateValidationCallback = options.ServerCertificateValidation,
                    ClientCertificates = options.ClientCertificates,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                }, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                tcp.Dispose();
                return new MllpSendResult(MllpSendStatus.TlsFailed, Detail: ex.GetType().Name);
            }
            stream = ssl;
        }
        _tcp = tcp;
        _stream = stream;
        _reader = new MllpFrameReader(stream, options.MaxMessageBytes);
        return null;
    }

    private void Drop()
    {
        _stream?.Dispose();
        _tcp?.Dispose();
        _stream = null;
        _tcp = null;
        _reader = null;
    }

    public ValueTask DisposeAsync()
    {
        Drop();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
