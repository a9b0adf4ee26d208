using System.Diagnostics;
using System.Runtime;
using IdentityRef.Domain.Identities;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Duplicates;

/// <summary>One run at a time per server: two runs would queue the same pair twice.</summary>
public sealed class DetectionGate
{
    public SemaphoreSlim Lock { get; } = new(1, 1);
}

/// <summary>
/// Runs a full detection outside the server's process and returns its summary (the host starts the same program's
/// <c>dedupe --full</c>, see <see cref="DuplicateOptions.FullRunIsolation"/>).
/// </summary>
public interface ISeparateFullRun
{
    Task<DetectionSummary> RunAsync(bool train, CancellationToken cancellationToken);
}

/// <summary>
/// Whole-base detection for the vigilance cell's work queue. <see cref="RunFullAsync"/> scores every candidate pair in
/// memory (<see cref="MatchEngine.DetectAll"/>); <see cref="RunIncrementalAsync"/> compares only the identities changed
/// since the previous run with the whole base, through the key index. Both also report potential collisions: one INS
/// held by two active identities.
/// </summary>
public sealed class DuplicateDetection(
    IdentityRefDbContext db,
    MatchEngineProvider engines,
    DetectionGate gate,
    DetectionScheduler scheduler,
    TimeProvider clock,
    IOptions<DuplicateOptions> options,
    ILogger<DuplicateDetection> logger,
    ISeparateFullRun? separate = null)
{
    private const string Full = "full";
    private const string Incremental = "incremental";

    public async Task<DetectionSummary> RunFullAsync(CancellationToken cancellationToken) => await RunFullAsync(train: false, cancellationToken);

    /// <param name="train">Learn the m/u weights from the base by EM first (refused when weights are pinned).</param>
    public async Task<DetectionSummary> RunFullAsync(bool train, CancellationToken cancellationToken)
    {
        await gate.Lock.WaitAsync(cancellationToken);
        try
        {
            return await FullRunAsync(train, cancellationToken);
        }
        finally
        {
            gate.Lock.Release();
        }
    }

    public async Task<DetectionSummary> RunIncrementalAsync(CancellationToken cancellationToken)
    {
        await gate.Lock.WaitAsync(cancellationToken);
        try
        {
            var last = await db.DuplicateRuns.AsNoTracking().Where(r => r.FinishedAt != null).OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
            // Without a previous run "changed since" is the whole base: the in-memory run is far faster for that.
            return last is null
                ? await FullRunAsync(train: false, cancellationToken)
                : await MeasuredAsync(Incremental, () => IncrementalAsync(last.StartedAt, cancellationToken));
        }
        finally
        {
            gate.Lock.Release();
        }
    }

    /// <summary>A full run where <see cref="DuplicateOptions.FullRunIsolation"/> says: in a separate process, or here.</summary>
    private Task<DetectionSummary> FullRunAsync(bool train, CancellationToken cancellationToken) =>
        options.Value.FullRunIsolation == FullRunIsolation.Process && separate is not null
            ? MeasuredAsync(Full, () => SeparateAsync(separate, train, cancellationToken))
            : MeasuredAsync(Full, () => BackgroundAsync(() => FullAsync(train, cancellationToken)));

    /// <summary>
    /// The run in its own process; then this server scores as the run left things (weights it may have learnt, the
    /// names counted anew). The new engine replaces the old one once built, so no admission check waits for the count.
    /// It is built here, not on the detection threads: it awaits (a pinned weights file, a contended load), and a pool
    /// thread started from a nice-19 thread would keep that priority for requests (see <see cref="DetectionScheduler"/>).
    /// </summary>
    private async Task<DetectionSummary> SeparateAsync(ISeparateFullRun run, bool train, CancellationToken cancellationToken)
    {
        var summary = await run.RunAsync(train, cancellationToken);
        await engines.ReloadAsync(db, CancellationToken.None);
        return summary;
    }

    /// <summary>
    /// A full run with the garbage collector told to avoid blocking full collections meanwhile: the run fills gigabytes,
    /// and a blocking collection stops every request thread too. The scoring itself runs on <see cref="DetectionScheduler"/>.
    /// </summary>
    private static async Task<DetectionSummary> BackgroundAsync(Func<Task<DetectionSummary>> run)
    {
        var latency = GCSettings.LatencyMode;
        GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
        try
        {
            return await run();
        }
        finally
        {
            GCSettings.LatencyMode = latency;
        }
    }

    /// <summary>A run, counted in the metrics by kind and outcome (succeeded, failed, cancelled) with its duration.</summary>
    private static async Task<DetectionSummary> MeasuredAsync(string kind, Func<Task<DetectionSummary>> run)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "failed";
        try
        {
            var summary = await run();
            outcome = "succeeded";
            return summary;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        finally
        {
            Telemetry.IdentityRefTelemetry.DetectionRan(kind, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<DetectionSummary> FullAsync(bool train, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var run = new DuplicateRun { Kind = Full, StartedAt = clock.GetUtcNow() };
        // Identities bulk-written without keys (seed, import) or keyed before detection existed get theirs first:
        // check-before-create and incremental runs only see identities through their keys.
        if (await MatchKeyBuild.AnyMissingAsync(db, cancellationToken))
        {
            var (keyed, _) = await MatchKeyBuild.BuildMissingAsync(db, cancellationToken);
            logger.KeysBuilt(keyed);
        }
        // Reading the base is the other CPU-heavy phase (a million rows decoded): on SQLite it is synchronous computation
        // in this process (no I/O wait, no awaits that yield, no timers), so it runs on the detection threads too. On
        // PostgreSQL it waits on the network, and stays on the caller's thread (see DetectionScheduler).
        var (rows, records) = db.Provider == DatabaseProvider.Sqlite
            ? await scheduler.RunAsync(() => Load(MatchRows.ActiveAsync(db, cancellationToken).GetAwaiter().GetResult()), cancellationToken)
            : Load(await MatchRows.ActiveAsync(db, cancellationToken));
        var loadMs = watch.ElapsedMilliseconds;
        var byId = rows.ToDictionary(r => r.Id.ToString());
        var engine = await engines.GetAsync(db, () => TermFrequencies.Count(records), cancellationToken);
        var trained = false;
        var wantTraining = train || (options.Value.TrainAtFirstFullRun && !await engines.HasWeightsAsync(db, cancellationToken));
        if (wantTraining && !engines.WeightsArePinned && records.Count >= options.Value.MinRecordsToTrain)
        {
            var weights = FellegiSunterTrainer.Train(records, engines.Options);
            engine = engines.Use(db, weights, records.Count, clock.GetUtcNow());
            trained = true;
            logger.WeightsLearnt(records.Count, weights.Training?.Iterations ?? 0, weights.Training?.Converged ?? false);
        }
        // Scoring, the minutes of CPU of a run, on the bounded low-priority detection threads: requests keep the cores.
        var detected = await scheduler.RunAsync(() => engine.DetectAll(records, scheduler, cancellationToken), cancellationToken);
        // Admission checks and incremental runs now weigh names as common as this run found them.
        engines.UseFrequencies(detected.Frequencies);
        rows.Clear();
        var found = new List<FoundPair>(detected.Matches.Count);
        foreach (var match in detected.Matches)
        {
            found.Add(Found(match, byId[match.IdA], byId[match.IdB]));
        }
        found.AddRange(SameInsPairs(engine, byId.Values.Where(r => r.Ins is not null).GroupBy(r => r.Ins!)));
        logger.DetectionPhases(records.Count, loadMs, watch.ElapsedMilliseconds - loadMs);
        var summary = await QueueAsync(found, null, byId.Values.ToDictionary(r => r.Id, r => r.StrictTraitsChangedAt), run, detected.CandidatePairs, records.Count,
            detected.OversizedBlocks.Count, trained, watch, cancellationToken);
        if (detected.OversizedBlocks.Count > 0)
        {
            // The keys themselves derive from patient names: only their number and sizes are logged.
            logger.OversizedBlocks(detected.OversizedBlocks.Count, detected.OversizedBlocks.Max(b => b.Size));
        }
        return summary;
    }

    private static (List<MatchRow> Rows, List<MatchRecord> Records) Load(List<MatchRow> rows) => (rows, rows.Select(r => r.ToRecord()).ToList());

    private async Task<DetectionSummary> IncrementalAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var run = new DuplicateRun { Kind = Incremental, StartedAt = clock.GetUtcNow() };
        var engine = await engines.GetAsync(db, cancellationToken);
        var changed = await db.Identities.AsNoTracking().Where(i => i.UpdatedAt >= since && i.MergedIntoId == null).ToListAsync(cancellationToken);
        var strict = new Dictionary<Guid, DateTimeOffset>();
        var found = new Dictionary<(Guid, Guid), FoundPair>();
        long compared = 0;
        foreach (var identity in changed)
        {
            var record = IdentityMatching.ToRecord(identity);
            var keys = IdentityMatching.KeyHashes(record).ToList();
            var numbers = await db.MatchKeys.AsNoTracking().Where(k => keys.Contains(k.Key) && k.IdentityNumber != identity.Number)
                .Select(k => k.IdentityNumber).Distinct().ToListAsync(cancellationToken);
            var others = new List<Identity>(numbers.Count);
            foreach (var chunk in numbers.Chunk(1000))
            {
                others.AddRange(await db.Identities.AsNoTracking().Where(i => chunk.Contains(i.Number) && i.MergedIntoId == null).ToListAsync(cancellationToken));
            }
            var ids = others.Select(o => o.Id).ToHashSet();
            if (identity.InsValue is { } ins)
            {
                // The INS key already brings them, unless the other was keyed before it held that INS: ask the INS index too.
                var sameIns = await db.Identities.AsNoTracking().Where(i => i.InsValue == ins && i.Id != identity.Id && i.MergedIntoId == null).ToListAsync(cancellationToken);
                others.AddRange(sameIns.Where(s => !ids.Contains(s.Id)));
            }
            compared += others.Count;
            strict[identity.Id] = identity.StrictTraitsChangedAt;
            var self = MatchRow.Of(identity);
            var rowsById = others.ToDictionary(o => o.Id.ToString(), MatchRow.Of);
            foreach (var other in others)
            {
                strict[other.Id] = other.StrictTraitsChangedAt;
            }
            foreach (var result in engine.RankCandidates(record, others.Select(IdentityMatching.ToRecord)))
            {
                var other = rowsById[result.IdB];
                var sameIns = self.Ins is not null && self.Ins == other.Ins;
                if (result.Class == MatchClass.Distinct && !sameIns)
                {
                    continue;
                }
                var pair = sameIns ? Collision(result, self, other) : Found(result, self, other);
                found[(pair.A, pair.B)] = pair;
            }
        }
        return await QueueAsync(found.Values.ToList(), changed.Select(i => i.Id).ToList(), strict, run, compared, changed.Count, 0, trained: false, watch, cancellationToken);
    }

    /// <param name="scope">The identities compared with the whole base (incremental run); null: all of them (full run).</param>
    private async Task<DetectionSummary> QueueAsync(List<FoundPair> found, IReadOnlyList<Guid>? scope, IReadOnlyDictionary<Guid, DateTimeOffset> strictChangedAt, DuplicateRun run,
        long candidatePairs, int identities, int oversized, bool trained, Stopwatch watch, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // A pair found both as a duplicate and as a collision is a collision.
        var pairs = found.GroupBy(f => (f.A, f.B)).Select(g => g.FirstOrDefault(f => f.Kind == DuplicateKinds.Collision) ?? g.First()).ToList();
        var items = await LoadItemsAsync(scope, cancellationToken);
        int created = 0, updated = 0, reopened = 0;
        foreach (var pair in pairs)
        {
            var outcome = DuplicateQueue.Apply(db, items.GetValueOrDefault((pair.A, pair.B)), pair,
                id => strictChangedAt.TryGetValue(id, out var at) ? at : DateTimeOffset.MinValue, now);
            created += outcome == DuplicateQueue.Outcome.Created ? 1 : 0;
            updated += outcome == DuplicateQueue.Outcome.Updated ? 1 : 0;
            reopened += outcome == DuplicateQueue.Outcome.Reopened ? 1 : 0;
        }
        // Items whose identity was merged, or whose pair was compared again and no longer scores, leave the queue.
        var involved = items.Values.Where(i => i.State != DuplicateStates.Resolved).SelectMany(i => new[] { i.IdentityA, i.IdentityB!.Value }).Distinct().ToList();
        var inactiveSet = new HashSet<Guid>();
        foreach (var chunk in involved.Chunk(1000))
        {
            inactiveSet.UnionWith(await db.Identities.AsNoTracking().Where(i => chunk.Contains(i.Id) && i.MergedIntoId != null).Select(i => i.Id).ToListAsync(cancellationToken));
        }
        var foundSet = pairs.Select(p => (p.A, p.B)).ToHashSet();
        var obsolete = 0;
        foreach (var item in items.Values.Where(i => i.State != DuplicateStates.Resolved))
        {
            var gone = inactiveSet.Contains(item.IdentityA) || inactiveSet.Contains(item.IdentityB!.Value)
                || (item.Kind == DuplicateKinds.Duplicate && !foundSet.Contains((item.IdentityA, item.IdentityB!.Value)));
            if (gone)
            {
                DuplicateQueue.Resolve(item, DuplicateResolutions.Obsolete, now, "system:detection", "no longer detected");
                obsolete++;
            }
        }
        run.FinishedAt = clock.GetUtcNow();
        run.Identities = identities;
        run.CandidatePairs = candidatePairs;
        run.Found = pairs.Count;
        run.Created = created;
        run.Reopened = reopened;
        db.DuplicateRuns.Add(run);
        await SaveYieldingToTheCellAsync(cancellationToken);
        var summary = new DetectionSummary(run.Kind, identities, candidatePairs, pairs.Count,
            pairs.Count(p => p.Class == "probable"), pairs.Count(p => p.Class == "possible"), pairs.Count(p => p.Kind == DuplicateKinds.Collision),
            created, updated, reopened, obsolete, oversized, engines.WeightsSource, trained, watch.ElapsedMilliseconds);
        logger.DetectionFinished(summary.Kind, summary.Identities, summary.Found, summary.Created, summary.Reopened, summary.ElapsedMs);
        return summary;
    }

    /// <summary>
    /// Saves the run's changes. An item the cell decided on while the run was comparing (its state is the concurrency
    /// token) keeps the cell's decision: the run's change to it is dropped and the rest is saved; the next run sees it again.
    /// </summary>
    private async Task SaveYieldingToTheCellAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateConcurrencyException e) when (attempt < 5)
            {
                foreach (var entry in e.Entries)
                {
                    await entry.ReloadAsync(cancellationToken);
                }
            }
        }
    }

    /// <summary>Every item (full run), or the items of the given identities (incremental run).</summary>
    private async Task<Dictionary<(Guid, Guid), DuplicateItem>> LoadItemsAsync(IReadOnlyList<Guid>? identities, CancellationToken cancellationToken)
    {
        if (identities is null)
        {
            // Pairs only: INSi contradictions (no IdentityB) are raised and resolved outside detection.
            return await db.DuplicateItems.Where(d => d.IdentityB != null).ToDictionaryAsync(d => (d.IdentityA, d.IdentityB!.Value), cancellationToken);
        }
        var items = new Dictionary<(Guid, Guid), DuplicateItem>();
        foreach (var chunk in identities.Chunk(500))
        {
            foreach (var item in await db.DuplicateItems.Where(d => d.IdentityB != null && (chunk.Contains(d.IdentityA) || chunk.Contains(d.IdentityB.Value))).ToListAsync(cancellationToken))
            {
                items[(item.IdentityA, item.IdentityB!.Value)] = item;
            }
        }
        return items;
    }

    private static IEnumerable<FoundPair> SameInsPairs(MatchEngine engine, IEnumerable<IGrouping<string, MatchRow>> groups)
    {
        foreach (var group in groups)
        {
            var members = group.ToList();
            for (var x = 0; x < members.Count; x++)
            {
                for (var y = x + 1; y < members.Count; y++)
                {
                    yield return Collision(engine.Compare(members[x].ToRecord(), members[y].ToRecord()), members[x], members[y]);
                }
            }
        }
    }

    private static FoundPair Found(MatchResult result, MatchRow x, MatchRow y)
    {
        var (a, b) = IdentityMatching.Ordered(x.Id, y.Id);
        var (ra, rb) = a == x.Id ? (x, y) : (y, x);
        var explanation = IdentityMatching.Explain(result, a.ToString(), ra.Status == IdentityStatus.Qual, rb.Status == IdentityStatus.Qual);
        return new FoundPair(a, b, DuplicateKinds.Duplicate, explanation.Class, explanation.Score, explanation);
    }

    /// <summary>One INS on two active identities: two people sharing an INS, or one person twice (RNIV: a potential collision).</summary>
    private static FoundPair Collision(MatchResult result, MatchRow x, MatchRow y) =>
        Found(result, x, y) with { Kind = DuplicateKinds.Collision, Class = "same-ins" };
}

internal static partial class DuplicateLog
{
    [LoggerMessage(LogEvents.DuplicateDetectionFinished, LogLevel.Information, "Duplicate detection ({Kind}): {Identities} identities, {Found} pairs, {Created} new, {Reopened} reopened in {ElapsedMs} ms")]
    public static partial void DetectionFinished(this ILogger logger, string kind, int identities, int found, int created, int reopened, long elapsedMs);

    [LoggerMessage(LogEvents.DuplicateBlocksOversized, LogLevel.Warning, "Duplicate detection: {Count} blocking keys exceed the block size limit (largest {Largest} identities)")]
    public static partial void OversizedBlocks(this ILogger logger, int count, int largest);

    [LoggerMessage(LogEvents.FullDetectionPhases, LogLevel.Information, "Full detection: {Identities} identities read in {LoadMs} ms, scored in {MatchMs} ms")]
    public static partial void DetectionPhases(this ILogger logger, int identities, long loadMs, long matchMs);

    [LoggerMessage(LogEvents.BlockingKeysBuilt, LogLevel.Information, "Blocking keys built for {Identities} identities that had none (bulk-written, or keyed before duplicate detection existed)")]
    public static partial void KeysBuilt(this ILogger logger, int identities);

    [LoggerMessage(LogEvents.MatchWeightsLearnt, LogLevel.Information, "Match weights learnt by EM from {Records} identities ({Iterations} iterations, converged: {Converged})")]
    public static partial void WeightsLearnt(this ILogger logger, int records, int iterations, bool converged);
}
