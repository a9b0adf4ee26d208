using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Tests.Hosting;

/// <summary>A configuration error stops the server at start, naming the setting; the built server finds its settings from any folder.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("identityref-cfg-").FullName;

    public static TheoryData<string, string, string> BadSettings => new()
    {
        // setting, value, text expected in the failure
        { "Insi:TimeoutSeconds", "-1", "Insi:TimeoutSeconds" },
        { "Insi:Endpoint", "ftp://insi.example/lps", "Insi:Endpoint" },
        { "Insi:InstallationId", "not-a-uuid", "Insi:InstallationId" },
        { "InsiSimulator:DataPath", "/nowhere/identities.json", "InsiSimulator:DataPath" },
        { "Hl7:AckTimeoutSeconds", "0", "Hl7:AckTimeoutSeconds" },
        { "Hl7:ListenPort", "70000", "Hl7:ListenPort" },
        { "Hl7:ListenMaxConnectionsPerAddress", "0", "Hl7:ListenMaxConnectionsPerAddress" },
        { "Hl7:RetryMinSeconds", "500", "Hl7:RetryMinSeconds" },
        // the delivery lease must outlast a send (connection, at most 10 s, + ACK wait, 30 s by default): the former default 30 s, and 40 s exactly
        { "Hl7:DeliveryLeaseSeconds", "30", "Hl7:DeliveryLeaseSeconds must be longer than a send may take (40 s" },
        { "Hl7:DeliveryLeaseSeconds", "40", "Hl7:DeliveryLeaseSeconds must be longer than a send may take (40 s" },
        { "Hl7:Inbound:Durability", "5", "Hl7:Inbound:Durability must be one of Durable, Relaxed" }, // the binder takes a number for an enum
        { "Identity:IppStart", "-5", "Identity:IppStart" },
        { "Security:LockoutMinutes", "-1", "Security:LockoutMinutes" },
        { "Scheduler:InsiRetry:MaxAttempts", "-3", "Scheduler:InsiRetry:MaxAttempts must be between 1 and 100" },
        { "Scheduler:InsReverification:Mode", "7", "Scheduler:InsReverification:Mode must be one of SearchByTraits, Verify" },
        { "Telemetry:Metrics:Port", "70000", "Telemetry:Metrics:Port" },
        { "Import:RowsPerChunk", "0", "Import:RowsPerChunk must be between 1 and 1000000" },
        { "Import:RowsPerChunk", "1000001", "Import:RowsPerChunk must be between 1 and 1000000" },
    };

    /// <summary>
    /// Settings as an operator mistypes them for the server process (environment variables), the key the line must
    /// name and what it must say is allowed.
    /// </summary>
    public static TheoryData<string, string, string, string> BadServerSettings => new()
    {
        { "Hl7__Inbound__Durability", "Sometimes", "Hl7:Inbound:Durability", "must be one of Durable, Relaxed" },
        { "Duplicates__DetectionThreads", "0", "Duplicates:DetectionThreads", "must be from 1 to 64" },
        { "Database__Provider", "Oracle", "Database:Provider", "must be one of Sqlite, PostgreSql" },
        { "Insi__Endpoint", "ftp://insi.example/lps", "Insi:Endpoint", "must be an absolute http(s) URL" },
        { "Import__RowsPerChunk", "0", "Import:RowsPerChunk", "must be between 1 and 1000000" },
        { "Hl7__ListenPort", "2575.5", "Hl7:ListenPort", "must be a whole number" },
    };

    /// <summary>
    /// The built server started as an operator starts it, with one bad setting: it exits 78 (EX_CONFIG) within seconds,
    /// one line on standard error names the setting and what it accepts, no stack trace, and nothing was touched (the
    /// database file is not even created: the settings are checked before the migration and before a port is opened).
    /// </summary>
    [Theory]
    [MemberData(nameof(BadServerSettings))]
    public async Task BuiltServer_WithABadSetting_Exits78WithOneLineNamingIt(string variable, string value, string key, string allowed)
    {
        var environment = Environment();
        environment[variable] = value;
        using var server = ServerProcess.Start(_folder, environment, "--urls", "http://127.0.0.1:0");

        Assert.Equal(Program.ConfigurationError, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(server.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Invalid configuration: ", line, StringComparison.Ordinal);
        Assert.Contains($"{key} {allowed}", line, StringComparison.Ordinal);
        Assert.Contains($"FTL] IdentityRef.Server: Invalid configuration: {key}", server.Output, StringComparison.Ordinal); // and in the log
        AssertNoCrash(server.Output);
        Assert.DoesNotContain("Now listening", server.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "identityref.db")), "the database was touched before the settings were checked");
    }

    [Fact]
    public async Task BuiltServer_WithAConnectionStringItCannotRead_Exits78WithoutQuotingIt()
    {
        var environment = Environment();
        environment["ConnectionStrings__IdentityRef"] = $"Data Source={Path.Combine(_folder, "identityref.db")};Pasword=Sup3r-S3cret";
        using var server = ServerProcess.Start(_folder, environment, "--urls", "http://127.0.0.1:0");

        Assert.Equal(Program.ConfigurationError, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("ConnectionStrings:IdentityRef is not a Sqlite connection string", server.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", server.Output, StringComparison.Ordinal);
        AssertNoCrash(server.Output);
    }

    [Fact]
    public async Task BuiltServer_WithGoodSettings_StillServes()
    {
        var settings = Environment();
        settings["Hl7__ListenPort"] = "-1";
        settings["Import__RowsPerChunk"] = "1000000"; // the upper bound is allowed
        settings["Hl7__Inbound__Durability"] = "relaxed"; // enum names are read without regard to case, as before
        using var server = await ServingServer.StartAsync("configuration-test-key-0123456789", settings);

        var live = await server.Client.GetAsync("/health/live");
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task BuiltServerImport_WithABadChunkSize_StopsBeforeReadingTheFile()
    {
        var environment = Environment();
        environment["Import__RowsPerChunk"] = "lots";
        var csv = Path.Combine(_folder, "people.csv");
        await File.WriteAllTextAsync(csv, string.Join(",", IdentityRef.Server.Cli.ImportCommand.Header) + "\n");
        using var import = ServerProcess.Start(_folder, environment, "import", csv);

        Assert.Equal(Program.ConfigurationError, await import.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Invalid configuration: Import:RowsPerChunk must be a whole number.", import.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("lots", import.Output, StringComparison.Ordinal); // a setting's value is never quoted
        AssertNoCrash(import.Output);
    }

    [Fact]
    public void Describe_AValueTheBinderCannotConvert_NamesTheKeyAndTheValuesAllowed_NotTheValue()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Hl7:Inbound:Durability"] = "Sometimes" }).Build();
        var failure = Assert.ThrowsAny<InvalidOperationException>(() => configuration.GetSection("Hl7").Bind(new IdentityRef.Application.Broadcast.Hl7Options()));

        Assert.Equal("Hl7:Inbound:Durability must be one of Durable, Relaxed.", ConfigurationErrors.Describe(failure));
    }

    [Fact]
    public void Describe_SeveralFailures_OneLine_AndABugIsNoConfigurationError()
    {
        var several = new AggregateException(
            new OptionsValidationException("Hl7", typeof(object), ["Hl7:ListenPort must be between -1 and 65535."]),
            new OptionsValidationException("Duplicates", typeof(object), ["Duplicates:DetectionThreads must be from 1 to 64"]));
        Assert.Equal("Hl7:ListenPort must be between -1 and 65535. Duplicates:DetectionThreads must be from 1 to 64.", ConfigurationErrors.Describe(several));

        // The binder's words thrown by our own code are a bug, not a setting: it keeps its stack trace.
        Action ours = () => throw new InvalidOperationException("Failed to convert configuration value 'x' at 'A:B' to type 'System.Int32'.");
        var bug = Assert.Throws<InvalidOperationException>(ours);
        Assert.Null(ConfigurationErrors.Describe(bug));
        Assert.Null(ConfigurationErrors.Describe(new AggregateException(several.InnerExceptions[0], new NullReferenceException())));
    }

    private static void AssertNoCrash(string output)
    {
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // a message, not a stack trace
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void BadSetting_StopsTheServerAtStartNamingIt(string setting, string value, string named)
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?> { [setting] = value });
        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var validation = failure as OptionsValidationException ?? failure.InnerException as OptionsValidationException
            ?? (failure as AggregateException)?.InnerExceptions.OfType<OptionsValidationException>().FirstOrDefault();
        Assert.True(validation is not null, $"{setting}={value}: {failure.GetType().Name} {failure.Message}");
        Assert.Contains(named, string.Join(" ", validation!.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuiltServerRunFromAnotherFolder_FindsItsSettingsAndRuns()
    {
        var (exit, output) = await ServerProcess.RunAsync(_folder, Environment(), TimeSpan.FromSeconds(60), "accounts", "list");
        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task BuiltServerCommand_WithABadSetting_StopsBeforeRunningAndNamesIt()
    {
        var environment = Environment();
        environment["Insi__TimeoutSeconds"] = "-1";
        var (exit, output) = await ServerProcess.RunAsync(_folder, environment, TimeSpan.FromSeconds(60), "accounts", "list");
        Assert.Equal(Program.ConfigurationError, exit);
        Assert.Contains("Insi:TimeoutSeconds", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // a message, not a stack trace
    }

    [Fact]
    public void ContentRoot_IsTheApplicationFolder_UnlessTheWorkingFolderHoldsTheSettings()
    {
        var previous = Directory.GetCurrentDirectory();
        try
        {
            Directory.SetCurrentDirectory(_folder);
            Assert.Equal(AppContext.BaseDirectory, ServerSetup.ContentRoot([]));
            File.WriteAllText(Path.Combine(_folder, "appsettings.json"), "{}");
            Assert.Equal(Directory.GetCurrentDirectory(), ServerSetup.ContentRoot([]));
            Assert.Null(ServerSetup.ContentRoot(["--contentRoot", "/srv/identityref"]));
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    /// <summary>
    /// The built server's runtime settings: idle thread-pool workers sleep instead of spinning (docs/deployment.md, "The
    /// thread pool's spinning"); the runtime reads this file, not the project, so the test reads what ships.
    /// </summary>
    [Fact]
    public void BuiltServer_RuntimeSettings_TurnOffTheThreadPoolSpin()
    {
        using var runtimeConfig = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "IdentityRef.Server.runtimeconfig.json")));
        var properties = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean()); // the rest of the server's runtime settings are unchanged
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__IdentityRef"] = $"Data Source={Path.Combine(_folder, "identityref.db")}",
        ["Scheduler__Enabled"] = "false",
    };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
