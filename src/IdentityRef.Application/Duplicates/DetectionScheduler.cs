using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using IdentityRef.Application.TraitMatching;
using IdentityRef.Matching;

namespace IdentityRef.Application.Duplicates;

/// <summary>
/// Where the scoring of a full duplicate detection runs in a server: <see cref="DuplicateOptions.DetectionThreads"/>
/// dedicated threads, at the operating system's lowest priority when <see cref="DuplicateOptions.DetectionLowPriority"/>
/// (Linux: nice 19 for these threads only; Windows: <see cref="ThreadPriority.Lowest"/>). Scoring a million identities is
/// minutes of CPU; on the thread pool at normal priority it took both cores from admission checks (p99 ×2.8 during a run,
/// docs/deployment.md). Low-priority threads get a core only while no request wants it, and the bounded count leaves the
/// others to requests even on an idle machine. One run at a time (<see cref="DetectionGate"/>), so the threads are never shared.
/// Only pure computation runs here (<see cref="MatchEngine.DetectAll(IReadOnlyList{MatchRecord}, TaskScheduler?, CancellationToken)"/>):
/// on Linux a thread started by a thread inherits its nice value, so these threads must not be the ones that make the
/// thread pool grow (no I/O, no awaits, no timers); loading the base and writing the queue stay on the caller's thread.
/// </summary>
public sealed class DetectionScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread[] _threads;

    [ThreadStatic]
    private static DetectionScheduler? _current;

    public DetectionScheduler(IOptions<DuplicateOptions> options)
        : this(options.Value.DetectionThreads, options.Value.DetectionLowPriority)
    {
    }

    public DetectionScheduler(int threads, bool lowPriority)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        LowPriority = lowPriority;
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"duplicate-detection-{i}" };
            _threads[i].Start();
        }
    }

    public bool LowPriority { get; }

    /// <summary>Whether the priority of the threads could actually be lowered (false on a system that refused it).</summary>
    public bool Lowered { get; private set; }

    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>Runs <paramref name="work"/> (synchronous computation) on a detection thread.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, this);

    private void Work()
    {
        _current = this;
        if (LowPriority)
        {
            Lowered = LowerCurrentThread();
        }
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }

    protected override void QueueTask(Task task) => _queue.Add(task);

    // A detection thread waiting on work of this scheduler (Parallel.For) runs it itself; other threads never do.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => _current == this && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    /// <summary>The threads end once the queued work is done.</summary>
    public void Dispose() => _queue.CompleteAdding();

    private const int PrioProcess = 0;
    private const int LowestNice = 19;

    /// <summary>On Linux the nice value is a thread's own (setpriority with who = 0 is the calling thread): raising it needs no privilege.</summary>
    private static bool LowerCurrentThread()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                return SetPriority(PrioProcess, 0, LowestNice) == 0;
            }
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException or ThreadStateException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);
}
