using IdentityRef.Application.Audit;
using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.TraitMatching;
using IdentityRef.Application.Import;
using IdentityRef.Application.Jobs;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Qualification;
using IdentityRef.Application.Queries;
using IdentityRef.Application.ReferenceData;
using IdentityRef.Application.Security;
using IdentityRef.Application.WorkItems;
using System.Text.Json;
using System.Text.Json.Serialization;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Broadcast;
using IdentityRef.Server.Hosting.Telemetry;
using IdentityRef.Server.Duplicates;
using IdentityRef.Server.Fhir;
using IdentityRef.Server.Merges;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Qualification;
using IdentityRef.Server.Security;
using IdentityRef.Server.Web;
using IdentityRef.Server.WorkItems;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.AspNetCore;
using Serilog.Events;

namespace IdentityRef.Server.Hosting;

/// <summary>The composition of the server: services, then the HTTP pipeline. Shared by the web host and the command line.</summary>
public static class ServerSetup
{
    public const string DefaultUrl = "http://localhost:5080";

    public static void AddIdentityRef(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.Section)).ValidateSettings(IdentityOptions.Section).ValidateOnStart();
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateSettings(DatabaseOptions.Section).ValidateOnStart();
        services.AddOptions<ImportOptions>().Bind(configuration.GetSection(ImportOptions.Section)).ValidateSettings(ImportOptions.Section).ValidateOnStart();
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (SettingsValidation.Check(database, DatabaseOptions.Section) is { Count: > 0 } badDatabase)
        {
            // Needed now (the connection string and the stores depend on it), so checked now rather than at start.
            throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions), badDatabase);
        }
        var connectionString = ConnectionString(configuration, database.Provider, contentRoot);
        services.AddIdentityRefDatabase(database.Provider, connectionString);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DatabaseWriteProbe>();
        services.AddSingleton<IBirthPlaceDirectory>(_ => CogBirthPlaceDirectory.Load(Path.Combine(AppContext.BaseDirectory, "data", "cog")));
        services.AddSingleton<IppAllocator>();
        services.AddScoped<IdentityWriter>();
        services.AddScoped<PatientService>();
        services.AddScoped<IdentityRef.Application.Quality.QualityIndicators>();
        services.AddScoped<IdentityHistory>();
        services.AddSingleton<AdmissionLocks>();
        services.AddScoped<Admission>();
        services.AddInsi(configuration);
        services.AddBroadcast(configuration);
        services.AddScoped<MergeService>();
        services.AddScoped<MergeQueries>();
        services.AddScoped<Application.Links.LinkService>();
        services.AddAccounts(configuration);
        services.AddJobs(configuration, database.Provider, connectionString);
        services.AddDuplicates(configuration);
        // A full detection runs as a child process on this same base (Duplicates:FullRunIsolation).
        services.AddSingleton<ISeparateFullRun>(provider => new Duplicates.SeparateFullRun(configuration, contentRoot, connectionString,
            provider.GetRequiredService<IOptions<DuplicateOptions>>(), provider.GetRequiredService<ILogger<Duplicates.SeparateFullRun>>()));
        services.AddAdmissionDesk();
        services.AddScoped<WorkItemQueue>();
        services.AddSingleton<IdentifierDomains>();
        services.AddScoped<IdentityQueries>();
        services.AddScoped<IdentityRef.Application.Dashboard.HomeDashboard>();
        services.AddScoped<PatientMatch>();
        services.AddScoped<Hl7QueryResponder>();
        services.AddTelemetry(configuration);
    }

    /// <summary>
    /// Where <c>appsettings.json</c> (and the SQLite file's <c>var/</c>) are looked for: a content root given
    /// explicitly (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>, <c>DOTNET_CONTENTROOT</c>) wins; then the
    /// working directory when it holds <c>appsettings.json</c> (<c>dotnet run</c> in the project folder); otherwise
    /// the application's own folder, so a service unit that starts the built server from another folder finds its
    /// configuration. Null leaves the host's own choice (the explicit one).
    /// </summary>
    public static string? ContentRoot(string[] args)
    {
        var explicitRoot = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase) || a.StartsWith("/contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        if (explicitRoot)
        {
            return null;
        }
        var workingDirectory = Directory.GetCurrentDirectory();
        return File.Exists(Path.Combine(workingDirectory, "appsettings.json")) ? workingDirectory : AppContext.BaseDirectory;
    }

    /// <summary>The configured connection string, or an SQLite file under <c>var/</c> (git-ignored runtime state).</summary>
    public static string ConnectionString(IConfiguration configuration, DatabaseProvider provider, string contentRoot)
    {
        if (configuration.GetConnectionString("IdentityRef") is { Length: > 0 } configured)
        {
            return CheckedConnectionString(configured, provider);
        }
        if (provider != DatabaseProvider.Sqlite)
        {
            throw new OptionsValidationException("ConnectionStrings:IdentityRef", typeof(string),
                ["ConnectionStrings__IdentityRef is required for PostgreSQL."]);
        }
        var folder = Path.Combine(contentRoot, "var");
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "identityref.db")}";
    }

    /// <summary>A connection string the provider cannot read stops the start, named but not quoted (it may hold a password).</summary>
    private static string CheckedConnectionString(string connectionString, DatabaseProvider provider)
    {
        try
        {
            _ = provider == DatabaseProvider.Sqlite
                ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString)
                : (System.Data.Common.DbConnectionStringBuilder)new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return connectionString;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new OptionsValidationException("ConnectionStrings:IdentityRef", typeof(string),
                [$"ConnectionStrings:IdentityRef is not a {provider} connection string (keyword=value pairs separated by ';', with the keywords of {provider}); it is not repeated here, as it may hold a password."]);
        }
    }

    public static void AddWebApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            // {"birthName":"A", …, "birthName":"B"} is ambiguous: refused with the field named, never "the last one wins"
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.AddProblemDetails();
        services.AddOpenApi();
    }

    public static void UseIdentityRef(this WebApplication app)
    {
        app.UseSerilogRequestLogging(o => ConfigureRequestLog(o, app.Services.GetRequiredService<Serilog.ILogger>()));
        app.UseExceptionHandler(errorApp => errorApp.Run(async context =>
        {
            // A national rule refused the operation: 409 with the rule; another change saved first: 409 concurrent-change
            // (nothing of this request was written); a database that takes no writes: 503 (retry later). Anything else is
            // a bug: 500, no details.
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (Web.WebErrors.IsWebPage(context.Request))
            {
                await (error switch
                {
                    DomainRuleException rule => Web.WebErrors.WriteAsync(context, StatusCodes.Status409Conflict, Web.FrenchText.Message(rule)),
                    not null when DatabaseFaults.IsUnavailableForWrites(error) => Web.WebErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable),
                    _ => Web.WebErrors.WriteAsync(context, StatusCodes.Status500InternalServerError),
                });
                return;
            }
            if (FhirResults.IsFhir(context.Request))
            {
                await FhirResults.WriteOutcomeAsync(context, error is DomainRuleException ? StatusCodes.Status409Conflict : StatusCodes.Status500InternalServerError,
                    global::Hl7.Fhir.Model.OperationOutcome.IssueType.Exception, error is DomainRuleException r ? r.Message : "An internal error occurred.");
                return;
            }
            var result = error switch
            {
                DomainRuleException rule => Problems.Rule(rule),
                Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException => Problems.ConcurrentChange(),
                not null when DatabaseFaults.IsUnavailableForWrites(error) => Problems.DatabaseUnavailable(context),
                _ => Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "An internal error occurred."),
            };
            await result.ExecuteAsync(context);
        }));
        // A person's browser gets the French error page; the API and FHIR keep ProblemDetails.
        app.UseWhen(c => Web.WebErrors.IsWebPage(c.Request), web => web.UseStatusCodePagesWithReExecute("/erreur/{0}"));
        app.UseWhen(c => !Web.WebErrors.IsWebPage(c.Request), api => api.UseStatusCodePages());
        app.UseStaticFiles(); // the web interface's CSS, before authentication: it holds nothing private
        app.UseIdentityRefSecurity();
        app.MapOpenApi().AllowAnonymous(); // the contract, no data
        app.MapHealthEndpoint();
        app.MapTelemetry();
        app.MapPatientEndpoints();
        app.MapQualificationEndpoints();
        app.MapBroadcastEndpoints();
        app.MapMergeEndpoints();
        app.MapJobEndpoints();
        app.MapDuplicateEndpoints();
        app.MapWorkItemEndpoints();
        app.MapFhirEndpoints();
        app.MapInsiSimulator(app.Configuration);
        app.MapWebInterface();
    }

    private static void MapHealthEndpoint(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (IdentityRefDbContext db, DatabaseWriteProbe writes, CancellationToken cancellationToken) =>
        {
            bool databaseUp;
            try
            {
                databaseUp = await db.Database.CanConnectAsync(cancellationToken);
            }
            catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException)
            {
                databaseUp = false;
            }
            // Ready only when changes can be saved: a read-only or full database fails readiness, not only a lost one.
            var writable = databaseUp && await writes.CanWriteAsync(db, cancellationToken);
            var healthy = databaseUp && writable;
            var body = new
            {
                status = healthy ? "Healthy" : "Unhealthy",
                database = new { provider = db.Provider.ToString(), status = databaseUp ? "Healthy" : "Unhealthy", writes = writable ? "Healthy" : "Unhealthy" },
            };
            return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithTags("Operations").WithSummary("Liveness and readiness: the database is reachable and accepts changes.");

    /// <summary>
    /// Serilog is the logger of the host (Serilog.AspNetCore): framework categories at warning, because ASP.NET's
    /// request lines carry the query string (patient traits in a search) and EF's command lines the SQL; the request
    /// log of <see cref="UseIdentityRef"/> names each request by its route template instead. The framework's own
    /// providers are removed; a provider registered later (the tests' log capture) still gets every event.
    /// </summary>
    public static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.Services.AddSerilog((_, config) => ConfigureSerilog(config, configuration), preserveStaticLogger: true, writeToProviders: true);
    }

    /// <summary>Serilog to the console (and to a file when <c>Logging:File:Path</c> is set). EF's SQL is kept at warning.</summary>
    private static void ConfigureSerilog(LoggerConfiguration config, IConfiguration configuration)
    {
        config.MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.With<WithoutRequestPath>()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        if (configuration["Logging:File:Path"] is { Length: > 0 } path)
        {
            config.WriteTo.File(path, rollingInterval: RollingInterval.Day);
        }
    }

    /// <summary>
    /// One log line per request with the route template, never the path or the query string: a query such as
    /// <c>?birthName=DUPONT&amp;birthDate=1970-01-01</c> is patient data, and so is a path that holds an INS.
    /// The event carries these four properties only.
    /// </summary>
    private static void ConfigureRequestLog(RequestLoggingOptions options, Serilog.ILogger logger)
    {
        options.Logger = logger;
        options.MessageTemplate = "HTTP {RequestMethod} {Route} answered {StatusCode} in {Elapsed:0} ms";
        options.GetMessageTemplateProperties = (context, _, elapsedMs, statusCode) =>
        [
            new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
            new LogEventProperty("Route", new ScalarValue((context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)")),
            new LogEventProperty("StatusCode", new ScalarValue(statusCode)),
            new LogEventProperty("Elapsed", new ScalarValue(elapsedMs)),
        ];
    }
}

/// <summary>
/// ASP.NET's request scope puts the path (<c>RequestPath</c>) on every event of a request; a path can carry what a
/// client typed (<c>/api/patients/DUPONT</c>), so it is taken off: the request log names the route template.
/// </summary>
internal sealed class WithoutRequestPath : Serilog.Core.ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, Serilog.Core.ILogEventPropertyFactory propertyFactory) => logEvent.RemovePropertyIfPresent("RequestPath");
}
