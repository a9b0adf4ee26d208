using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace IdentityRef.Hl7.Mllp;

/// <summary>Handles one received message (without framing); returns the ACK bytes, or null to stay silent.</summary>
public delegate ValueTask<byte[]?> MllpMessageHandler(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

public sealed record MllpServerOptions
{
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>0 takes an ephemeral port; read it back from <see cref="MllpServer.Port"/>.</summary>
    public int Port { get; init; }

    /// <summary>A longer message closes the connection (no ACK can be built from a message we did not read).</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>A connection that has completed a message and then sends nothing for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A connection that has not completed its first message within this time from its opening (TLS handshake
    /// included) is closed, however slowly it trickles bytes: a silent socket or a half-frame must not hold a slot
    /// for as long as a working sender may.
    /// </summary>
    public TimeSpan FirstMessageTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections served at once, all peers together; one more is refused (closed at once).</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Connections one peer address may hold at once, so that one sender cannot take every slot.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 8;

    /// <summary>When set, connections are TLS (SslStream) with this certificate.</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    public bool RequireClientCertificate { get; init; }

    /// <summary>Checks the client certificate when one is required; null accepts what the platform accepts.</summary>
    public RemoteCertificateValidationCallback? ClientCertificateValidation { get; init; }

    public SslProtocols TlsProtocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;
}

/// <summary>Why a connection ended; reported through <see cref="MllpServer.ConnectionClosed"/>.</summary>
public enum MllpCloseReason
{
    PeerClosed,
    Truncated,
    Oversize,
    Garbage,
    IdleTimeout,
    ServerStopping,
    TlsFailed,
    IoError,
    HandlerFailed,

    /// <summary>No complete message within <see cref="MllpServerOptions.FirstMessageTimeout"/> of the opening.</summary>
    FirstMessageTimeout,
}

/// <summary>Why a connection was refused as it arrived; reported through <see cref="MllpServer.ConnectionRefused"/>.</summary>
public enum MllpRefusalReason
{
    /// <summary><see cref="MllpServerOptions.MaxConnections"/> reached.</summary>
    TooManyConnections,

    /// <summary><see cref="MllpServerOptions.MaxConnectionsPerAddress"/> reached for this peer.</summary>
    TooManyConnectionsFromAddress,
}

/// <summary>An MLLP listener: one task per connection, messages handled in order, the answer on the same connection.</summary>
public sealed class MllpServer : IAsyncDisposable
{
    private readonly MllpServerOptions _options;
    private readonly MllpMessageHandler _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, (TcpClient Client, Task Task)> _connections = new();
    private readonly Dictionary<IPAddress, int> _perAddress = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;
    private long _nextConnectionId;
    private long _messagesHandled;

    public MllpServer(MllpServerOptions options, MllpMessageHandler handler)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
    }

    /// <summary>Raised (from a connection task) when a connection ends; must not throw.</summary>
    public event Action<MllpCloseReason>? ConnectionClosed;

    /// <summary>Raised (from the accept loop) when a connection is refused, with the peer's address; must not throw.</summary>
    public event Action<IPAddress?, MllpRefusalReason>? ConnectionRefused;

    public IPEndPoint? LocalEndPoint => _listener?.LocalEndpoint as IPEndPoint;

    /// <summary>The bound port (useful when the options asked for port 0).</summary>
    public int Port => LocalEndPoint?.Port ?? throw new InvalidOperationException("the server is not started");

    public int ActiveConnections => _connections.Count;

    public long MessagesHandled => Interlocked.Read(ref _messagesHandled);

    public void Start()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("already started");
        }
        _listener = new TcpListener(_options.Address, _options.Port);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    /// <summary>Stops accepting, lets messages being handled finish (up to the grace period), then closes every connection.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_listener is null || _stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        var tasks = _connections.Values.Select(c => c.Task).ToArray();
        var all = Task.WhenAll(tasks);
        await Task.WhenAny(all, Task.Delay(grace ?? TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        foreach (var (client, _) in _connections.Values)
        {
            client.Dispose();
        }
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener!.AcceptTcpClientAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            var peer = (client.Client.RemoteEndPoint as IPEndPoint)?.Address;
            if (Admit(peer) is { } refusal)
            {
                client.Dispose();
                ConnectionRefused?.Invoke(peer, refusal);
                continue;
            }
            client.NoDelay = true;
            long id = Interlocked.Increment(ref _nextConnectionId);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = Task.Run(async () =>
            {
                await gate.Task.ConfigureAwait(false);
                var reason = await ServeAsync(client, stopping).ConfigureAwait(false);
                _connections.TryRemove(id, out _);
                Leave(peer);
                client.Dispose();
                ConnectionClosed?.Invoke(reason);
            }, CancellationToken.None);
            _connections[id] = (client, task);
            gate.SetResult();
        }
    }

    /// <summary>Counts the connection against the limits, or says which limit refuses it.</summary>
    private MllpRefusalReason? Admit(IPAddress? peer)
    {
        lock (_perAddress)
        {
            if (_connections.Count >= _options.MaxConnections)
            {
                return MllpRefusalReason.TooManyConnections;
            }
            if (peer is null)
            {
                return null;
            }
            var open = _perAddress.GetValueOrDefault(peer);
            if (open >= _options.MaxConnectionsPerAddress)
            {
                return MllpRefusalReason.TooManyConnectionsFromAddress;
            }
            _perAddress[peer] = open + 1;
            return null;
        }
    }

    private void Leave(IPAddress? peer)
    {
        if (peer is null)
        {
            return;
        }
        lock (_perAddress)
        {
            if (_perAddress.GetValueOrDefault(peer) <= 1)
            {
                _perAddress.Remove(peer);
            }
            else
            {
                _perAddress[peer]--;
            }
        }
    }

    private async Task<MllpCloseReason> ServeAsync(TcpClient client, CancellationToken stopping)
    {
        Stream stream = client.GetStream();
        // Until its first message is complete, a connection has one deadline from its opening, not reset by bytes.
        using var firstMessage = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        firstMessage.CancelAfter(_options.FirstMessageTimeout);
        var completedOne = false;
        try
        {
            if (_options.ServerCertificate is { } certificate)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(firstMessage.Token);
                try
                {
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificate = certificate,
                        ClientCertificateRequired = _options.RequireClientCertificate,
                        RemoteCertificateValidationCallback = _options.ClientCertificateValidation,
                        EnabledSslProtocols = _options.TlsProtocols,
                    }, handshakeTimeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
                {
                    return MllpCloseReason.TlsFailed;
                }
            }
            var reader = new MllpFrameReader(stream, _options.MaxMessageBytes);
            while (true)
            {
                MllpReadResult result;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(completedOne ? stopping : firstMessage.Token))
                {
                    idle.CancelAfter(completedOne ? _options.IdleTimeout : _options.FirstMessageTimeout);
                    try
                    {
                        result = await reader.ReadAsync(idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return stopping.IsCancellationRequested ? MllpCloseReason.ServerStopping
                            : completedOne ? MllpCloseReason.IdleTimeout : MllpCloseReason.FirstMessageTimeout;
                    }
                }
                switch (result.Status)
                {
                    case MllpReadStatus.EndOfStream:
                        return MllpCloseReason.PeerClosed;
                    case MllpReadStatus.Truncated:
                        return MllpCloseReason.Truncated;
                    case MllpReadStatus.Oversize:
                        return MllpCloseReason.Oversize;
                    case MllpReadStatus.Garbage:
                        return MllpCloseReason.Garbage;
                    default:
                        break;
                }
                byte[]? answer;
                try
                {
                    // The handler is not cancelled by a stop: a message being handled is finished (graceful stop).
                    answer = await _handler(result.Message, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A failing handler must not take the server down; the sender gets no ACK and will retry.
                    return MllpCloseReason.HandlerFailed;
                }
                Interlocked.Increment(ref _messagesHandled);
                completedOne = true;
                if (answer is not null)
                {
                    await stream.WriteAsync(MllpFraming.Frame(answer), CancellationToken.None).ConfigureAwait(false);
                    await stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
                if (stopping.IsCancellationRequested)
                {
                    return MllpCloseReason.ServerStopping;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return stopping.IsCancellationRequested ? MllpCloseReason.ServerStopping : MllpCloseReason.IoError;
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
