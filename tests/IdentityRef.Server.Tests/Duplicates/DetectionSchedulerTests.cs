using IdentityRef.Application.Duplicates;
using Xunit;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>Full detection runs on bounded, low-priority threads so that admission checks keep the cores (issue #17, item 4).</summary>
public sealed class DetectionSchedulerTests
{
    [Fact]
    public async Task Work_RunsOnTheDetectionThreads_AtTheLowestPriority_AndTheCallerKeepsItsOwn()
    {
        var callerNice = OperatingSystem.IsLinux() ? NiceOfCurrentThread() : 0;
        using var scheduler = new DetectionScheduler(threads: 1, lowPriority: true);
        var (name, nice) = await scheduler.RunAsync(() => (Thread.CurrentThread.Name, OperatingSystem.IsLinux() ? NiceOfCurrentThread() : 19), CancellationToken.None);
        Assert.Equal("duplicate-detection-0", name);
        Assert.True(scheduler.Lowered);
        Assert.Equal(19, nice);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(callerNice, NiceOfCurrentThread());
        }
    }

    [Fact]
    public async Task FullDetection_OnTheDetectionThreads_FindsWhatTheEngineFindsOnThePool()
    {
        var records = Enumerable.Range(0, 200).SelectMany(i => new[]
        {
            new IdentityRef.Matching.MatchRecord($"R{i}", $"NOM{i % 37}", [$"PRENOM{i % 11}"], null, null, new DateOnly(1950 + (i % 50), 1 + (i % 12), 1 + (i % 28)), i % 2 == 0 ? 'M' : 'F'),
            new IdentityRef.Matching.MatchRecord($"R{i}-d", $"NOM{i % 37}", [$"PRENOM{i % 11}"], null, null, new DateOnly(1950 + (i % 50), 1 + (i % 12), 1 + (i % 28)), i % 2 == 0 ? 'M' : 'F'),
        }).ToList();
        var engine = new IdentityRef.Matching.MatchEngine(new IdentityRef.Matching.MatchingOptions());
        var expected = engine.DetectAll(records);
        using var scheduler = new DetectionScheduler(threads: 1, lowPriority: true);
        var detected = await scheduler.RunAsync(() => engine.DetectAll(records, scheduler), CancellationToken.None);
        Assert.NotEmpty(expected.Matches);
        Assert.Equal(expected.Matches.Select(m => (m.IdA, m.IdB, m.Score, m.Class)), detected.Matches.Select(m => (m.IdA, m.IdB, m.Score, m.Class)));
    }

    [Fact]
    public async Task ParallelLoops_UseNoMoreThreadsThanConfigured()
    {
        using var scheduler = new DetectionScheduler(threads: 2, lowPriority: false);
        var names = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var running = 0;
        var most = 0;
        await scheduler.RunAsync(() =>
        {
            Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8, TaskScheduler = scheduler }, _ =>
            {
                var now = Interlocked.Increment(ref running);
                lock (names)
                {
                    most = Math.Max(most, now);
                }
                names.TryAdd(Thread.CurrentThread.Name ?? "?", 0);
                Thread.Sleep(2);
                Interlocked.Decrement(ref running);
            });
            return Task.FromResult(0);
        }, CancellationToken.None);
        Assert.InRange(most, 1, 2);
        Assert.All(names.Keys, n => Assert.StartsWith("duplicate-detection-", n, StringComparison.Ordinal));
    }

    [Fact]
    public void Options_RefuseZeroThreads()
    {
        var errors = new IdentityRef.Application.TraitMatching.DuplicateOptions { DetectionThreads = 0 }.Validate();
        Assert.Contains(errors, e => e.Contains("DetectionThreads", StringComparison.Ordinal));
    }

    /// <summary>Field 19 of /proc/thread-self/stat (after the parenthesised command name).</summary>
    private static int NiceOfCurrentThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }
}
