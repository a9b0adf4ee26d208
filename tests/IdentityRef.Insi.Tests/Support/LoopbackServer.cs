using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IdentityRef.Insi.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1, random port, recording every request body it receives.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private LoopbackServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    public int RequestCount => _requests.Count;

    /// <summary>Serves every request with <paramref name="respond"/> (given the request, its body, and its 1-based number).</summary>
    public static async Task<LoopbackServer> StartAsync(Func<HttpContext, byte[], int, Task> respond, Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions>? listen = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, o => listen?.Invoke(o)));
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var body = buffer.ToArray();
            server._requests.Enqueue(new RecordedRequest(context.Request.ContentType, body));
            await respond(context, body, server._requests.Count);
        });
        await app.StartAsync();
        var address = app.Urls.Single();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/lps");
        return server;
    }

    /// <summary>Hosts the simulator as the lead's server will: raw body and content type in, status/type/body out.</summary>
    public static Task<LoopbackServer> ForSimulatorAsync(Simulator.InsiSimulator simulator) =>
        StartAsync(async (context, body, _) =>
        {
            var answer = simulator.Handle(body, context.Request.ContentType);
            await WriteAsync(context, answer.StatusCode, answer.ContentType, answer.Body);
        });

    /// <summary>Serves the same canned answer to every request.</summary>
    public static Task<LoopbackServer> ForCannedAsync(int status, byte[] body, string? contentType = "application/soap+xml; charset=utf-8") =>
        StartAsync((context, _, _) => WriteAsync(context, status, contentType, body));

    public static async Task WriteAsync(HttpContext context, int status, string? contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }

        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string? ContentType, byte[] Body);
