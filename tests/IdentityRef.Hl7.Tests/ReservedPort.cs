using System.Net;
using System.Net.Sockets;

namespace IdentityRef.Tests;

/// <summary>
/// A loopback TCP port held by a bound socket that does not listen: a connection to it is refused (a system that is
/// down), and no other socket of a test running in parallel can be given it, unlike a port chosen, freed, then
/// bound again. <see cref="Listen"/> hands the same socket over as the listener when the system comes back.
/// </summary>
public sealed class ReservedPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public ReservedPort()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    /// <summary>Starts listening on the held port and returns the listening socket (the caller accepts on it).</summary>
    public Socket Listen(int backlog = 16)
    {
        _socket.Listen(backlog);
        return _socket;
    }

    public void Dispose() => _socket.Dispose();
}
