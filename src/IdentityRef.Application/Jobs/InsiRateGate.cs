namespace IdentityRef.Application.Jobs;

/// <summary>
/// Spaces the teleservice requests of a run: after an operation that made <c>n</c> requests (the first-name
/// iteration makes several), the next one waits until <c>n</c> intervals have passed since this one started.
/// The average rate is then at most <c>callsPerSecond</c>; a single search may still burst its own iterations.
/// Waits on the injected clock, so that tests drive it.
/// </summary>
public sealed class InsiRateGate(TimeProvider clock, double callsPerSecond)
{
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1 / callsPerSecond);
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;
    private DateTimeOffset _lastStart;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var wait = _nextSlot - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, cancellationToken);
        }
        _lastStart = clock.GetUtcNow();
    }

    /// <summary>Records the requests made by the operation started at the last <see cref="WaitAsync"/>.</summary>
    public void Used(int requests) => _nextSlot = _lastStart + (_interval * Math.Max(1, requests));
}
