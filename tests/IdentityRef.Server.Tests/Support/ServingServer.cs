using System.Text.RegularExpressions;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// A <see cref="ServerProcess"/> serving HTTP on a port it chooses (read back from its log), with an administrator API
/// key: for the tests that kill a serving process or run several instances on one database.
/// </summary>
public sealed partial class ServingServer : IDisposable
{
    private readonly ServerProcess _process;

    private ServingServer(ServerProcess process, Uri address, string apiKey)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = address };
        Client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    }

    /// <summary>A client of this instance, with the administrator API key.</summary>
    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public static async Task<ServingServer> StartAsync(string apiKey, IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>(settings)
        {
            ["Security__ApiKeys__0__Name"] = "process-test", ["Security__ApiKeys__0__Key"] = apiKey, ["Security__ApiKeys__0__Role"] = "Administrateur",
        };
        var process = ServerProcess.Start(AppContext.BaseDirectory, environment, "--urls", "http://127.0.0.1:0");
        try
        {
            await process.WaitForOutputAsync("Now listening on: ", TimeSpan.FromSeconds(120));
            return new ServingServer(process, new Uri(Listening().Match(process.Output).Groups[1].Value), apiKey);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>The port of the inbound MLLP listener (started with <c>Hl7__ListenPort=0</c>), read back from its log line.</summary>
    public async Task<int> InboundPortAsync()
    {
        await _process.WaitForOutputAsync("Inbound HL7 listener on port ", TimeSpan.FromSeconds(60));
        return int.Parse(InboundListening().Match(_process.Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>SIGKILL: no shutdown, no flush, no lease given back.</summary>
    public void Kill() => _process.Kill();

    public void Dispose()
    {
        _process.Dispose();
        Client.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"Inbound HL7 listener on port (\d+)")]
    private static partial Regex InboundListening();
}
