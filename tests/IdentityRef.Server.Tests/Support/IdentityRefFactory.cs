using IdentityRef.Application.Security;
using System.Collections.Concurrent;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// The real server (<see cref="Program"/>) in memory, on a fresh database of the given provider, with every
/// log message captured so that tests can check what reaches the logs. One API key per role is configured;
/// <see cref="CreateClient()"/> sends the Administrateur's, <see cref="CreateClient(string)"/> another role's,
/// <see cref="CreateAnonymousClient"/> none. A bootstrap administrator (<see cref="AdminUser"/>) can sign in to the UI.
/// </summary>
public sealed class IdentityRefFactory : WebApplicationFactory<Program>
{
    private readonly string _sqliteFile = Path.Combine(Path.GetTempPath(), $"identityref-test-{Guid.NewGuid():N}.db");

    private readonly Action<IServiceCollection>? _services;

    /// <param name="connectionString">An existing database (to restart a server on it); a fresh one by default.</param>
    /// <param name="realSocket">Serve on a Kestrel socket on 127.0.0.1 (a random port) instead of in memory, for a browser.</param>
    /// <param name="services">Replaces services after the server's own (e.g. a fake clock).</param>
    public IdentityRefFactory(DatabaseProvider provider, IDictionary<string, string?>? settings = null, bool realSocket = false,
        string? connectionString = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        RealSocket = realSocket;
        if (realSocket)
        {
            UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        }
        Provider = provider;
        Settings = settings ?? new Dictionary<string, string?>();
        try
        {
            ConnectionString = connectionString ?? (provider == DatabaseProvider.Sqlite
                ? $"Data Source={_sqliteFile}"
                : PostgresServer.Instance.CreateDatabase());
        }
        catch
        {
            // PostgreSQL missing (on CI a failure, not a skip): the test that asked for it fails with this exception.
            // A half-built factory must not be finalized: WebApplicationFactory's finalizer would dispose it and throw
            // again on the finalizer thread, which aborts the whole test run and loses every other result.
            GC.SuppressFinalize(this);
            throw;
        }
    }

    public DatabaseProvider Provider { get; }
    public bool RealSocket { get; }

    /// <summary>The address of the Kestrel socket (<c>realSocket: true</c> only), once the server is started.</summary>
    public Uri SocketAddress
    {
        get
        {
            StartServer();
            var server = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>();
            return new Uri(server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        }
    }
    public string ConnectionString { get; } = "";
    public IDictionary<string, string?> Settings { get; }

    /// <summary>The server's clock (the system's unless the test replaced it): test dates are relative to it, never fixed.</summary>
    public TimeProvider Clock => Services.GetRequiredService<TimeProvider>();

    /// <summary>Today on the server's clock, in its time zone.</summary>
    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Clock.GetUtcNow(), Clock.LocalTimeZone).DateTime);
    public LogCapture Logs { get; } = new();

    public const string AdminUser = "admin";
    public const string AdminPassword = "mot-de-passe-de-test-admin";

    /// <summary>The test API key of a role (each at least 16 characters, as the server requires).</summary>
    public static string ApiKeyOf(string role) => "test-api-key-" + Roles.All.ToList().IndexOf(role) + "-0123456789";

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, ApiKeyOf(Roles.Administrateur));
    }

    /// <summary>A client that sends the API key of <paramref name="role"/>.</summary>
    public HttpClient CreateClient(string role)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, ApiKeyOf(role));
        return client;
    }

    /// <summary>A client without credentials that behaves as a browser (accepts HTML, keeps cookies, follows redirects unless told otherwise).</summary>
    public HttpClient CreateAnonymousClient(bool followRedirects = true)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = followRedirects, HandleCookies = true });
        client.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html"); // a browser: sent to the sign-in page rather than given a 401
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", Provider.ToString());
        builder.UseSetting("ConnectionStrings:IdentityRef", ConnectionString);
        builder.UseSetting("Identity:HighTrustDocumentTypes:0", "PA");
        builder.UseSetting("Identity:HighTrustDocumentTypes:1", "CN");
        builder.UseSetting("Hl7:ListenPort", "0"); // a free port: several test servers run at once
        builder.UseSetting("Hl7:ListenAddress", "127.0.0.1");
        for (var i = 0; i < Roles.All.Count; i++)
        {
            builder.UseSetting($"Security:ApiKeys:{i}:Name", "test-" + Roles.All[i].ToLowerInvariant());
            builder.UseSetting($"Security:ApiKeys:{i}:Key", ApiKeyOf(Roles.All[i]));
            builder.UseSetting($"Security:ApiKeys:{i}:Role", Roles.All[i]);
        }
        builder.UseSetting("Security:Bootstrap:User", AdminUser);
        builder.UseSetting("Security:Bootstrap:Password", AdminPassword);
        builder.UseSetting("Scheduler:Enabled", "false"); // the jobs' own tests turn it on through Settings
        // A full detection in the test server's own process (no child process per test); SeparateFullRunTests use the default.
        builder.UseSetting("Duplicates:FullRunIsolation", "None");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            if (!Settings.ContainsKey("Insi:Endpoint") && !RealSocket)
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
        if (string.IsNullOrEmpty(ConnectionString) || !ConnectionString.Contains(_sqliteFile, StringComparison.Ordinal))
        {
            return; // a database this factory did not create
        }
        TempSqliteFile.Delete(_sqliteFile);
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
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToList() : [];
            var structured = string.Join(";", values.Select(p => $"{p.Key}={p.Value}"));
            lines.Enqueue($"{logLevel} {category} [{eventId.Id}] {Render(values) ?? formatter(state, exception)} {structured} {exception}");
        }

        /// <summary>
        /// The message as Microsoft.Extensions.Logging formats it (values as they are), from the template and the values:
        /// Serilog, which hands the events on to this provider, would quote strings (<c>"GET"</c>).
        /// </summary>
        private static string? Render(List<KeyValuePair<string, object?>> values)
        {
            if (values.FirstOrDefault(p => p.Key == "{OriginalFormat}").Value is not string template)
            {
                return null;
            }
            var byName = values.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value);
            return System.Text.RegularExpressions.Regex.Replace(template, @"\{([@$]?)([^{}:,]+)(?:,[^{}:]*)?(?::([^{}]*))?\}", m =>
                byName.TryGetValue(m.Groups[2].Value, out var value)
                    ? value switch
                    {
                        null => "(null)",
                        IFormattable formattable when m.Groups[3].Success => formattable.ToString(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture),
                        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "(null)",
                    }
                    : m.Value);
        }
    }
}
