using System.Collections.Concurrent;
using IdentityRef.Insi.Simulator;

namespace IdentityRef.Insi.Tests.Support;

public static class TestSetup
{
    public const string SoftwareNumber = "TEST-IDAM-0001";

    public static string DataFile => Path.Combine(AppContext.BaseDirectory, "data", "insi", "test-identities.json");

    public static byte[] Answer(string fileName) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Answers", fileName));

    public static InsiOptions Options(Uri endpoint, int retryCount = 2, double timeoutSeconds = 10) => new()
    {
        Endpoint = endpoint.ToString(),
        TimeoutSeconds = timeoutSeconds,
        RetryCount = retryCount,
        RetryDelayMilliseconds = 10,
        SoftwareAuthorisationNumber = SoftwareNumber,
        SoftwareName = "IdentityRef",
        SoftwareVersion = "1.0",
        InstallationId = "5f1e6b1c-7c62-4d0b-9f5e-2f4f7e0f2b11",
    };

    public static InsiSimulator Simulator(params string[] acceptedNumbers) => InsiSimulator.FromOptions(new InsiSimulatorOptions
    {
        DataPath = DataFile,
        AcceptedSoftwareAuthorisationNumbers = [.. acceptedNumbers],
    });

    public static (InsiClient Client, HttpClient Http) Client(InsiOptions options, IInsiCallObserver? observer = null, TimeProvider? time = null)
    {
        var http = new HttpClient(InsiHttpHandlerFactory.Create(options));
        return (new InsiClient(http, options, time, observer), http);
    }

    public static InsiTraitsQuery Traits(string birthName, string firstNames, char sex, string birthDate, string? birthPlace = null) =>
        new(birthName, firstNames.Split(' ', StringSplitOptions.RemoveEmptyEntries), sex, birthDate, birthPlace);
}

public sealed class RecordingObserver : IInsiCallObserver
{
    private readonly ConcurrentQueue<InsiCallEvent> _events = new();

    public IReadOnlyList<InsiCallEvent> Events => _events.ToList();

    public void OnAttempt(InsiCallEvent callEvent) => _events.Enqueue(callEvent);
}
