using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.Playwright;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// A browser test: the real server on a Kestrel socket and Debian's Chromium driven by Playwright (it cannot
/// download its own browser). Nothing starts where Chromium is missing; <see cref="ChromiumFactAttribute"/> skips
/// there, and fails on CI.
/// </summary>
public abstract class BrowserTest : IAsyncLifetime
{
    private IPlaywright? _playwright;

    protected IdentityRefFactory? _factory;
    protected IBrowser? _browser;

    /// <summary>Settings of the server under test (none by default).</summary>
    protected virtual IDictionary<string, string?>? ServerSettings => null;

    public async Task InitializeAsync()
    {
        if (Chromium.UnavailableReason is not null)
        {
            return;
        }
        _factory = new IdentityRefFactory(DatabaseProvider.Sqlite, ServerSettings, realSocket: true);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.Path,
            Headless = true,
            // as root, without the sandbox; no background traffic (the machine's network is closed)
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}
