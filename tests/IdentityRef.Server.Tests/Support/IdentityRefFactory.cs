using System.Collections.Concurrent;
using IdentityRef.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// The real server (<see cref="Program"/>) in memory, on a fresh database of the given provider, with every
/// log message captured so that tests can check what reaches the logs.
/// </summary>
public sealed class IdentityRefFactory : WebApplicationFactory<Program>
{
    private readonly string _sqliteFile = Path.Combine(Path.GetTempPath(), $"identityref-test-{Guid.NewGuid():N}.db");

    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">Replaces services after the server's own (e.g. a fake clock).</param>
    public IdentityRefFactory(DatabaseProvider provider, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        Provider = provider;
        ConnectionString = provider == DatabaseProvider.Sqlite
            ? $"Data Source={_sqliteFile}"
            : PostgresServer.Instance.CreateDatabase();
        Settings = settings ?? new Dictionary<string, string?>();
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public IDictionary<string, string?> Settings { get; }
    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", Provider.ToString());
        builder.UseSetting("ConnectionStrings:IdentityRef", ConnectionString);
        builder.UseSetting("Identity:HighTrustDocumentTypes:0", "PA");
        builder.UseSetting("Identity:HighTrustDocumentTypes:1", "CN");
        builder.UseSetting("Scheduler:Enabled", "false"); // the jobs' own tests turn it on through Settings
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            if (!Settings.ContainsKey("Insi:Endpoint"))
            {
                // The in-memory test server has no socket: the INSi adapter reaches the hosted simulator through it,
                // still over HTTP with the real SOAP messages.
                services.AddHttpClient(IdentityRef.Server.Qualification.InsiSetup.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler());
            }
            _services?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }
}

/// <summary>Keeps every formatted log message (with its exception and scopes) for inspection.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category} [{eventId.Id}] {formatter(state, exception)} {structured} {exception}");
        }
    }
}
