using System.Diagnostics;
using System.Text.Json;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// A Pro Santé Connect stand-in: the npm package <c>oidc-provider</c> (a certified OpenID provider) run by node on
/// loopback from <c>tests/peers/psc-standin.mjs</c>, with PSC's scopes, SubjectNameID claim and eIDAS acr.
/// <c>.ci/run</c> installs it (<c>npm ci</c> in tests/peers); where node or the package is missing the tests that need
/// it skip, except on CI.
/// </summary>
public sealed class PscStandIn : IAsyncDisposable
{
    public const string ClientId = "identityref-test";
    public const string ClientSecret = "stand-in-client-secret-0123456789";

    private readonly Process _process;

    private PscStandIn(Process process, Uri issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    public static string Folder { get; } = Path.Combine(Repository.Root, "tests", "peers");

    public static string? UnavailableReason =>
        FindNode() is null ? "node is missing (apt-get install nodejs npm)"
        : !File.Exists(Path.Combine(Folder, "node_modules", "oidc-provider", "package.json")) ? "oidc-provider is not installed (cd tests/peers && npm ci)"
        : null;

    /// <summary>The server's settings for this provider (the contract's keys: Enabled, Authority, ClientId, ClientSecret, RequireHttpsMetadata).</summary>
    public IDictionary<string, string?> ServerSettings() => new Dictionary<string, string?>
    {
        ["ProSanteConnect:Enabled"] = "true",
        ["ProSanteConnect:Authority"] = Issuer.ToString().TrimEnd('/'),
        ["ProSanteConnect:ClientId"] = ClientId,
        ["ProSanteConnect:ClientSecret"] = ClientSecret,
        ["ProSanteConnect:RequireHttpsMetadata"] = "false",
    };

    public static async Task<PscStandIn> StartAsync()
    {
        var start = new ProcessStartInfo(FindNode()!, ["psc-standin.mjs", "--client-id", ClientId, "--client-secret", ClientSecret])
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        process.ErrorDataReceived += (_, _) => { }; // its warnings (development keys, in-memory store) are expected
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith('{'))
            {
                var issuer = JsonDocument.Parse(line).RootElement.GetProperty("issuer").GetString()!;
                return new PscStandIn(process, new Uri(issuer));
            }
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The PSC stand-in stopped before listening.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static string? FindNode() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "node")).FirstOrDefault(File.Exists);

}

/// <summary>A browser test against the PSC stand-in: skipped where Chromium, node or oidc-provider is missing, except on CI.</summary>
public sealed class PscBrowserFactAttribute : FactAttribute
{
    public PscBrowserFactAttribute()
    {
        if (!Web.Chromium.RunningOnCi && (Web.Chromium.UnavailableReason ?? PscStandIn.UnavailableReason) is { } reason)
        {
            Skip = "Pro Santé Connect browser tests skipped: " + reason;
        }
    }
}
