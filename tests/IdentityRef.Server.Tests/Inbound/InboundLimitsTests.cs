using System.Net;
using System.Net.Sockets;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Inbound;

/// <summary>The inbound listener's limits as configured in the server (<c>Hl7:ListenMaxConnectionsPerAddress</c>, …), over real sockets.</summary>
public sealed class InboundLimitsTests
{
    [Fact]
    public async Task SocketsBeyondTheAddressShare_AreRefusedWithALogLineThatHoldsNoPatientData()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Hl7:ListenMaxConnectionsPerAddress"] = "2",
            ["Hl7:ListenFirstFrameTimeoutSeconds"] = "60",
        });
        factory.CreateClient();
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        var sockets = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                sockets.Add(tcp);
            }
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.Equal(0, await sockets[2].GetStream().ReadAsync(new byte[16], cancel.Token)); // closed by the server

            var line = await WaitForLogAsync(factory, "refused: TooManyConnectionsFromAddress");
            Assert.Contains("127.0.0.1", line, StringComparison.Ordinal);
            Assert.Contains("Warning", line, StringComparison.Ordinal);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    private static async Task<string> WaitForLogAsync(IdentityRefFactory factory, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (factory.Logs.Lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no log line with \"{text}\"");
            await Task.Delay(20);
        }
    }
}
