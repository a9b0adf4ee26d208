using IdentityRef.Application.ReferenceData;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Cli;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Security;
using IdentityRef.Server.Web;
using System.Reflection;
using Microsoft.Extensions.Options;
using Serilog;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Server;

/// <summary>
/// The identity server. Without a command it serves the API (<c>http://localhost:5080</c>); with one of the
/// commands of <see cref="CommandLine"/> (seed, import, …) it runs that operation against the same database.
/// </summary>
public partial class Program
{
    /// <summary>Exit code of a configuration that does not validate (the server does not start, the command does not run).</summary>
    public const int ConfigurationError = 78; // EX_CONFIG of sysexits.h

    public static async Task<int> Main(string[] args)
    {
        if (CommandLine.Handles(args))
        {
            return await CommandLine.RunAsync(args);
        }
        return await RunServerAsync(args);
    }

    private static async Task<int> RunServerAsync(string[] args)
    {
        IConfiguration? configuration = null;
        WebApplication built;
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ServerSetup.ContentRoot(args) });
            configuration = builder.Configuration;
            if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            {
                builder.WebHost.UseUrls(ServerSetup.DefaultUrl);
            }
            ServerSetup.ConfigureLogging(builder.Logging, builder.Configuration);
            builder.Services.AddIdentityRef(builder.Configuration, builder.Environment.ContentRootPath);
            builder.Services.AddWebApi();
            builder.Services.AddIdentityRefSecurity(builder.Configuration);
            builder.Services.AddWebInterface();
            built = builder.Build();
            // Every validated setting (ValidateOnStart) is checked here, before the database is migrated and a port opened.
            built.Services.GetService<IStartupValidator>()?.Validate();
        }
        // Only in the server's own process: under WebApplicationFactory (the tests' host) the exception goes to the factory.
        catch (Exception e) when (Assembly.GetEntryAssembly() == typeof(Program).Assembly && ConfigurationErrors.Describe(e) is { } problem)
        {
            ConfigurationErrors.Report(configuration, problem);
            return ConfigurationError;
        }
        var app = built; // RunAsync disposes it
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            await DatabaseSetup.MigrateAsync(db);
            app.Logger.DatabaseMigrated(db.Provider.ToString());
            await MatchKeyVersion.EnsureCurrentAsync(db, app.Logger, app.Lifetime.ApplicationStopping);
            await SecuritySetup.EnsureBootstrapAccountAsync(scope.ServiceProvider);
        }
        app.UseIdentityRef();
        var provider = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider;
        var places = app.Services.GetRequiredService<IBirthPlaceDirectory>();
        app.Lifetime.ApplicationStarted.Register(() =>
            app.Logger.ServerStarted(provider.ToString(), (places as CogBirthPlaceDirectory)?.Count ?? 0));
        await app.RunAsync();
        return 0;
    }
}
