using System.Net.Sockets;
using System.Text.Json;
using IdentityRef.Insi;
using IdentityRef.Persistence;
using IdentityRef.Server.Qualification;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Quartz;

namespace IdentityRef.Server.Hosting.Telemetry;

/// <summary>
/// Liveness (<c>/health/live</c>: the process answers, nothing else is checked, so an orchestrator restarts it only when
/// it is stuck) and readiness (<c>/health/ready</c>: the database and the scheduler must be up, 503 otherwise; INSi
/// unreachable only degrades it, since admission goes on without INSi). <c>/health</c> keeps its former answer.
/// </summary>
public static class HealthProbes
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string Ready = "ready";

    public static void AddHealthProbes(this IServiceCollection services)
    {
        services.AddSingleton<InsiReachability>();
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", HealthStatus.Unhealthy, [Ready])
            .AddCheck<SchedulerCheck>("scheduler", HealthStatus.Unhealthy, [Ready])
            .AddCheck<InsiReachability>("insi", HealthStatus.Degraded, [Ready]);
    }

    public static void MapHealthProbes(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous().WithTags("Operations").WithSummary("Liveness: the process answers.");
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(Ready),
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous().WithTags("Operations").WithSummary("Readiness: database and scheduler (INSi unreachable = degraded).");
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), context.RequestAborted);
    }

    private sealed class DatabaseCheck(IServiceScopeFactory scopes) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            try
            {
                return await db.Database.CanConnectAsync(cancellationToken)
                    ? HealthCheckResult.Healthy(db.Provider.ToString())
                    : HealthCheckResult.Unhealthy(db.Provider + " unreachable");
            }
            catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException)
            {
                return HealthCheckResult.Unhealthy(db.Provider + " unreachable (" + e.GetType().Name + ")");
            }
        }
    }

    /// <summary>Healthy when the scheduler is off by configuration or running; not ready while it starts, stands by or has stopped.</summary>
    private sealed class SchedulerCheck(IServiceProvider services) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (services.GetService<ISchedulerFactory>() is not { } factory)
            {
                return HealthCheckResult.Healthy("disabled by configuration");
            }
            var scheduler = await factory.GetScheduler(cancellationToken);
            var status = await scheduler.GetStatus(cancellationToken);
            return status == SchedulerStatus.Running
                ? HealthCheckResult.Healthy("running")
                : HealthCheckResult.Unhealthy(status.ToString().ToLowerInvariant());
        }
    }

    /// <summary>
    /// A TCP connection to the INSi endpoint's host and port (no SOAP request: the teleservice is not called for a probe),
    /// within 3 s, the answer kept <see cref="TelemetryOptions.InsiProbeCacheSeconds"/>.
    /// </summary>
    internal sealed class InsiReachability(IOptions<InsiOptions> insi, IOptions<TelemetryOptions> options, IServiceProvider services, TimeProvider clock) : IHealthCheck
    {
        private (DateTimeOffset At, HealthCheckResult Result)? _last;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var now = clock.GetUtcNow();
            if (_last is { } last && now - last.At < TimeSpan.FromSeconds(options.Value.InsiProbeCacheSeconds))
            {
                return last.Result;
            }
            var endpoint = new Uri(InsiSetup.Resolve(insi.Value, services.GetService<IServer>()).Endpoint!);
            HealthCheckResult result;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                using var client = new TcpClient();
                await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
                result = HealthCheckResult.Healthy($"{endpoint.Host}:{endpoint.Port} reachable");
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                result = new HealthCheckResult(context.Registration.FailureStatus, $"{endpoint.Host}:{endpoint.Port} unreachable ({e.GetType().Name})");
            }
            _last = (now, result);
            return result;
        }
    }
}
