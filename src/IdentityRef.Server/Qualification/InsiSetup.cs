using IdentityRef.Application;
using IdentityRef.Application.Qualification;
using IdentityRef.Insi;
using IdentityRef.Insi.Simulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Qualification;

/// <summary>
/// Wires the INSi adapter and, when enabled, hosts the teleservice simulator at <c>/simulators/insi</c>. The
/// default endpoint is that simulator, reached over HTTP like the real teleservice, so that every demo goes
/// through the real adapter; <c>Insi__Endpoint</c> points it anywhere else with no code change.
/// </summary>
public static class InsiSetup
{
    public const string HttpClientName = "insi";
    public const string SimulatorPath = "/simulators/insi";

    /// <summary>The largest request the hosted simulator reads (real requests are a few KiB, the client's answers are capped at 1 MiB too).</summary>
    public const int SimulatorMaxRequestBytes = 1024 * 1024;

    public static void AddInsi(this IServiceCollection services, IConfiguration configuration)
    {
        // Checked at start, not at the first call: a relative endpoint (the hosted simulator) is checked as this server's own address would resolve it.
        services.AddOptions<InsiOptions>().Bind(configuration.GetSection(InsiOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<InsiOptions>, InsiOptionsValidation>();
        var simulatorEnabled = configuration.GetValue("InsiSimulator:Enabled", defaultValue: true);
        services.AddOptions<InsiSimulatorOptions>().Bind(configuration.GetSection(InsiSimulatorOptions.SectionName))
            .Validate(o => !simulatorEnabled || File.Exists(SimulatorDataPath(o)), "InsiSimulator:DataPath does not name an existing file.")
            .ValidateOnStart();
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan) // the adapter times each attempt
            .ConfigurePrimaryHttpMessageHandler(sp => InsiHttpHandlerFactory.Create(sp.GetRequiredService<IOptions<InsiOptions>>().Value));
        services.AddSingleton<IInsiCallObserver, InsiCallLogger>();
        services.AddScoped<IInsiClient>(sp =>
        {
            var options = Resolve(sp.GetRequiredService<IOptions<InsiOptions>>().Value, sp.GetService<IServer>());
            return new InsiClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), options,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IInsiCallObserver>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<InsiSimulatorOptions>>().Value;
            options.DataPath = SimulatorDataPath(options);
            return InsiSimulator.FromOptions(options);
        });
        services.AddScoped<InsiAnswerJudge>();
        services.AddScoped<QualificationService>();
    }

    public static void MapInsiSimulator(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        if (!configuration.GetValue("InsiSimulator:Enabled", defaultValue: true))
        {
            return;
        }
        app.MapPost(SimulatorPath, async (HttpContext http, InsiSimulator simulator) =>
        {
            // Anonymous: a request larger than any real one (a few KiB) is refused unread, not buffered up to Kestrel's 30 MB.
            var body = await ReadAtMostAsync(http.Request, SimulatorMaxRequestBytes, http.RequestAborted);
            if (body is null)
            {
                http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }

            var answer = simulator.Handle(body, http.Request.ContentType);
            http.Response.StatusCode = answer.StatusCode;
            http.Response.ContentType = answer.ContentType;
            await http.Response.Body.WriteAsync(answer.Body, http.RequestAborted);
        }).AllowAnonymous() // the teleservice simulator holds no patient of ours; it is mapped only when enabled
        .WithTags("Simulators").WithSummary("INSi teleservice simulator (SOAP 1.2, the CNAM contract), for tests and demos.").ExcludeFromDescription();
    }

    private static async Task<byte[]?> ReadAtMostAsync(HttpRequest request, int limit, CancellationToken token)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, token)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string SimulatorDataPath(InsiSimulatorOptions options) =>
        Path.IsPathRooted(options.DataPath) ? options.DataPath : Path.Combine(AppContext.BaseDirectory, options.DataPath);

    /// <summary>A relative endpoint (the default, the simulator) is resolved against this server's own address.</summary>
    internal static InsiOptions Resolve(InsiOptions configured, IServer? server)
    {
        var endpoint = string.IsNullOrWhiteSpace(configured.Endpoint) ? SimulatorPath : configured.Endpoint;
        // On Unix "/simulators/insi" parses as an absolute file: URI, so the scheme is what tells.
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var absolute) || (absolute.Scheme != Uri.UriSchemeHttp && absolute.Scheme != Uri.UriSchemeHttps))
        {
            var own = server?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
            own = own.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://[::1]", StringComparison.Ordinal);
            endpoint = new Uri(new Uri(own.TrimEnd('/') + "/"), endpoint.TrimStart('/')).ToString();
        }
        var resolved = configured.Clone();
        resolved.Endpoint = endpoint;
        return resolved;
    }
}

/// <summary>Every problem of the INSi options, named, at start (the endpoint resolved as <see cref="InsiSetup"/> does per call).</summary>
internal sealed class InsiOptionsValidation : IValidateOptions<InsiOptions>
{
    public ValidateOptionsResult Validate(string? name, InsiOptions options)
    {
        var endpoint = string.IsNullOrWhiteSpace(options.Endpoint) ? InsiSetup.SimulatorPath : options.Endpoint;
        var probe = options.Clone();
        // A path (the hosted simulator) is relative to this server; any other text must be a whole http(s) URL.
        if (endpoint.StartsWith('/') || !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            probe.Endpoint = "http://localhost/" + endpoint.TrimStart('/');
        }
        var problems = probe.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>One log line per INSi attempt: operation, attempt, outcome, duration — never a trait or an INS.</summary>
public sealed partial class InsiCallLogger(ILogger<InsiCallLogger> logger) : IInsiCallObserver
{
    public void OnAttempt(InsiCallEvent callEvent)
    {
        Attempt(logger, callEvent.Operation, callEvent.Attempt, callEvent.Status.ToString(),
            callEvent.HttpStatus, callEvent.ResultCode, callEvent.FaultCode, (long)callEvent.Duration.TotalMilliseconds);
        Application.Telemetry.IdentityRefTelemetry.InsiAttempt(callEvent.Operation, callEvent.Status.ToString().ToLowerInvariant(), callEvent.Duration);
    }

    [LoggerMessage(LogEvents.InsiAttempt, LogLevel.Information, "INSi {Operation} attempt {Attempt}: {Status} (HTTP {HttpStatus}, CR {ResultCode}, fault {FaultCode}) in {ElapsedMs} ms")]
    private static partial void Attempt(ILogger logger, string operation, int attempt, string status, int? httpStatus, string? resultCode, string? faultCode, long elapsedMs);
}
