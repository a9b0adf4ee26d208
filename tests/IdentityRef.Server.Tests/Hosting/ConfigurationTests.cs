using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Tests.Support;
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
        { "Hl7:AckTimeoutSeconds", "0", "AckTimeoutSeconds" },
        { "Hl7:ListenPort", "70000", "ListenPort" },
        { "Hl7:ListenMaxConnectionsPerAddress", "0", "ListenMaxConnectionsPerAddress" },
        { "Hl7:RetryMinSeconds", "500", "Hl7:RetryMinSeconds" },
        { "Identity:IppStart", "-5", "IppStart" },
        { "Security:LockoutMinutes", "-1", "LockoutMinutes" },
        { "Scheduler:InsiRetry:MaxAttempts", "-3", "Scheduler" },
    };

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
