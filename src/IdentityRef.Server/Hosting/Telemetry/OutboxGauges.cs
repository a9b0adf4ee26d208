using System.Diagnostics.Metrics;
using IdentityRef.Application.Broadcast;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Hosting.Telemetry;

/// <summary>
/// The outbox gauges per subscriber (pending, parked, age of the oldest pending), read from the database every
/// <see cref="TelemetryOptions.GaugeRefreshSeconds"/> by this background service; a scrape only reads the last snapshot,
/// so Prometheus never waits on the database.
/// </summary>
public sealed partial class OutboxGauges : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptions<TelemetryOptions> _options;
    private readonly ILogger<OutboxGauges> _logger;
    private volatile IReadOnlyList<OutboxBacklog> _snapshot = [];

    public OutboxGauges(IServiceScopeFactory scopes, IOptions<TelemetryOptions> options, IMeterFactory meters, ILogger<OutboxGauges> logger)
    {
        _scopes = scopes;
        _options = options;
        _logger = logger;
        var meter = meters.Create(Application.Telemetry.IdentityRefTelemetry.Name);
        meter.CreateObservableGauge("identityref.outbox.pending", () => Measure(b => b.Pending), "{message}",
            "Outbound messages waiting for delivery (pending, sent without ACK yet, or retrying), per subscriber.");
        meter.CreateObservableGauge("identityref.outbox.parked", () => Measure(b => b.Parked), "{message}",
            "Outbound messages parked (AE or persistent failure) awaiting an integrator, per subscriber.");
        meter.CreateObservableGauge("identityref.outbox.oldest_pending_age", () => Measure(b => b.OldestPendingAge.TotalSeconds), "s",
            "Age of the oldest message still waiting for delivery, per subscriber (0 when none waits).");
    }

    /// <summary>Reads the backlog now (the service does it on its period; tests call it to avoid waiting).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        _snapshot = await scope.ServiceProvider.GetRequiredService<OutboxStatistics>().BacklogAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.Value.GaugeRefreshSeconds));
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException)
            {
                RefreshFailed(_logger, e.GetType().Name);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private IEnumerable<Measurement<T>> Measure<T>(Func<OutboxBacklog, T> value) where T : struct =>
        _snapshot.Select(b => new Measurement<T>(value(b), new KeyValuePair<string, object?>("subscriber", b.Subscriber)));

    [LoggerMessage(Application.LogEvents.OutboxGaugesNotRefreshed, LogLevel.Warning, "Outbox gauges not refreshed ({ExceptionType})")]
    private static partial void RefreshFailed(ILogger logger, string exceptionType);
}
