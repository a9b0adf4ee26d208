using IdentityRef.Matching;
using Xunit;

namespace IdentityRef.Matching.Tests;

public sealed class DetectionTests
{
    [Fact]
    public void BlockingKeys_ErrorVariants_ShareAKeyWithTheOriginal()
    {
        var engine = TestIdentities.Engine();
        var original = TestIdentities.Person("A");
        var variants = new[]
        {
            original with { BirthDate = new DateOnly(1984, 7, 3) },
            original with { BirthName = "CLAIRE", FirstNames = ["MARTIN-DUBOIS"] },
            original with { BirthName = "LEROY", UsedName = null },
            original with { BirthName = "DUBOIS" },
            original with { BirthDate = new DateOnly(1994, 3, 7), Postcode = null, City = null },
        };
        var keys = engine.BlockingKeys(original).ToHashSet();
        foreach (var variant in variants)
        {
            Assert.True(engine.BlockingKeys(variant).Any(keys.Contains), $"no shared key with {variant}");
        }
    }

    [Fact]
    public void BlockingKeys_AreStableStrings()
    {
        var keys = TestIdentities.Engine().BlockingKeys(TestIdentities.Man()).ToList();
        Assert.Contains("NY|DPN|1962|F", keys);
        Assert.Contains("DF|19620411|DF", keys); // day and month sorted: an inverted date meets it
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void BlockingKeys_OfFixedRecords_AreThoseOfTheCurrentVersion()
    {
        // Servers store the keys and rebuild them only when Blocking.Version changes: a key that changes silently
        // would make check-before-create miss candidates. Changed a key on purpose? Bump Blocking.Version, then pin anew.
        var keys = string.Join(';', new[] { TestIdentities.Person(), TestIdentities.Man() }.SelectMany(r => Blocking.Keys(r)));
        var fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(keys)));
        Assert.Equal((3, "8855AC1C6FB2BE01C8DEC59EBD930424DDAD39C52DE94A886041BAFBDF76F70F"), (Blocking.Version, fingerprint));
    }

    [Fact]
    public void BlockingKeys_NoFirstName_StillMeetsTheRecordWithOne()
    {
        var engine = TestIdentities.Engine();
        var man = TestIdentities.Man();
        var keys = engine.BlockingKeys(man).ToHashSet();
        Assert.Contains(engine.BlockingKeys(man with { FirstNames = [] }), k => k.StartsWith("NY|", StringComparison.Ordinal) && keys.Contains(k));
    }

    [Fact]
    public void BlockingKeys_FebrlProfile_AddsTheDateFreeNamePass()
    {
        var man = TestIdentities.Man();
        var replacedDate = man with { BirthDate = new DateOnly(1931, 2, 27), Postcode = null, City = null, Address = null };
        var febrl = new MatchEngine(MatchingOptions.Febrl());
        Assert.True(febrl.Options.WideBlocking);
        Assert.Contains(febrl.BlockingKeys(replacedDate), febrl.BlockingKeys(man).Where(k => k.StartsWith("NW|", StringComparison.Ordinal)).Contains);
        Assert.DoesNotContain(TestIdentities.Engine().BlockingKeys(man), k => k.StartsWith("NW|", StringComparison.Ordinal));
    }

    [Fact]
    public void DetectAll_SmallBase_FindsTheDuplicatesAndIsDeterministic()
    {
        var records = TrainingAndOptionsTests.SmallBase();
        var engine = new MatchEngine(new MatchingOptions(), FellegiSunterTrainer.Train(records, new MatchingOptions()));
        var first = engine.DetectAll(records);
        var second = engine.DetectAll(records);
        var probable = first.Matches.Where(m => m.Class == MatchClass.Probable).Select(m => (m.IdA, m.IdB)).ToHashSet();
        Assert.All(Enumerable.Range(0, 40), i => Assert.Contains(($"R{i * 3}", $"R{i * 3}-d"), probable));
        Assert.Equal(first.Matches.Select(m => (m.IdA, m.IdB, m.Score, m.Class)), second.Matches.Select(m => (m.IdA, m.IdB, m.Score, m.Class)));
        Assert.Equal(first.CandidatePairs, second.CandidatePairs);
    }

    [Fact]
    public void DetectAll_OnAGivenScheduler_GivesTheSameResultAndRunsThere()
    {
        var records = TrainingAndOptionsTests.SmallBase();
        var engine = new MatchEngine(new MatchingOptions(), FellegiSunterTrainer.Train(records, new MatchingOptions()));
        var expected = engine.DetectAll(records);
        var scheduler = new CountingScheduler();
        var onScheduler = engine.DetectAll(records, scheduler);
        Assert.Equal(expected.Matches.Select(m => (m.IdA, m.IdB, m.Score, m.Class)), onScheduler.Matches.Select(m => (m.IdA, m.IdB, m.Score, m.Class)));
        Assert.Equal(expected.CandidatePairs, onScheduler.CandidatePairs);
        // Preparing, keying and scoring are three parallel loops: each ran its work through the scheduler, one at a time.
        Assert.True(scheduler.Executed >= 3, $"{scheduler.Executed} tasks ran on the scheduler");
        Assert.Equal(1, scheduler.MostAtOnce);
    }

    /// <summary>Runs its tasks on the thread pool, one at a time at most (as a server's single detection thread), and counts them.</summary>
    private sealed class CountingScheduler : TaskScheduler
    {
        private int _running;
        private int _executed;
        private int _mostAtOnce;

        public int Executed => _executed;

        public int MostAtOnce => _mostAtOnce;

        public override int MaximumConcurrencyLevel => 1;

        protected override void QueueTask(Task task) => ThreadPool.UnsafeQueueUserWorkItem(_ => Run(task), null);

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks() => [];

        private void Run(Task task)
        {
            var now = Interlocked.Increment(ref _running);
            lock (this)
            {
                _mostAtOnce = Math.Max(_mostAtOnce, now);
            }
            Interlocked.Increment(ref _executed);
            TryExecuteTask(task);
            Interlocked.Decrement(ref _running);
        }
    }

    [Fact]
    public void DetectAll_Cancelled_Stops()
    {
        var records = TrainingAndOptionsTests.SmallBase();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => TestIdentities.Engine().DetectAll(records, null, cancelled.Token));
    }

    [Fact]
    public void DetectAll_OversizedBlock_IsReportedNotSilentlyDropped()
    {
        var records = Enumerable.Range(0, 30)
            .Select(i => new MatchRecord($"S{i}", "MARTIN", [$"PRENOM{(char)('A' + i % 26)}{i}"], BirthDate: new DateOnly(1980, 1, 1 + (i % 28))))
            .ToList();
        var skip = new MatchEngine(new MatchingOptions { MaxBlockSize = 10 }).DetectAll(records);
        var block = Assert.Single(skip.OversizedBlocks, b => b.Key == "NY|MRTN|1980|P");
        Assert.Equal(30, block.Size);
        Assert.False(block.Compared);

        var compare = new MatchEngine(new MatchingOptions { MaxBlockSize = 10, OversizedBlocks = OversizedBlockAction.CompareAndReport }).DetectAll(records);
        Assert.True(Assert.Single(compare.OversizedBlocks, b => b.Key == "NY|MRTN|1980|P").Compared);
        Assert.True(compare.CandidatePairs >= 30 * 29 / 2);
        Assert.True(skip.CandidatePairs < compare.CandidatePairs);
    }
}
