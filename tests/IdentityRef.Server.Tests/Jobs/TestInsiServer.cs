using IdentityRef.Insi.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Jobs;

/// <summary>
/// A teleservice on a real loopback socket: the INSi simulator, built from an identity list the test can swap
/// (to make "the INS changed at the teleservice"), counting the requests it receives.
/// </summary>
public sealed class TestInsiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private TestInsiServer(WebApplication app, InsiSimulator simulator)
    {
        _app = app;
        Simulator = simulator;
    }

    public InsiSimulator Simulator { get; set; }

    /// <summary>When set, every request is answered 503 (the teleservice is down).</summary>
    public bool Down { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    public string Endpoint { get; private set; } = "";

    public static IReadOnlyList<SimulatedIdentity> ShippedIdentities() =>
        SimulatedIdentityFile.Load(Path.Combine(AppContext.BaseDirectory, "data", "insi", "test-identities.json"));

    public static async Task<TestInsiServer> StartAsync(IEnumerable<SimulatedIdentity>? identities = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new TestInsiServer(app, new InsiSimulator(identities ?? ShippedIdentities()));
        app.MapPost("/ws/insi", async (HttpContext http) =>
        {
            Interlocked.Increment(ref server._requests);
            if (server.Down)
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var answer = server.Simulator.Handle(buffer.ToArray(), http.Request.ContentType);
            http.Response.StatusCode = answer.StatusCode;
            http.Response.ContentType = answer.ContentType;
            await http.Response.Body.WriteAsync(answer.Body);
        });
        await app.StartAsync();
        server.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/ws/insi";
        return server;
    }

    public void ResetCount() => Interlocked.Exchange(ref _requests, 0);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
