using IdentityRef.Matching;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.TraitMatching;

/// <summary>
/// The one matcher of the server, with the weights in force: pinned (a file), learnt (the latest row of
/// <c>match_weights</c>) or the matcher's defaults. Loaded once, replaced after a training, so that identical
/// inputs get identical scores between runs and restarts. With term-frequency adjustment on, it also holds how common
/// each name is among the active identities: counted when the engine is loaded, recounted by every full detection
/// (which counts the base it scores), so admission checks and incremental runs score like the last full run.
/// Several servers on one database: weights learnt on one of them reach the others within
/// <see cref="DuplicateOptions.WeightsRefreshSeconds"/> (each looks for a newer row of <c>match_weights</c>), so that two
/// desks on two servers never class the same pair differently for long.
/// </summary>
public sealed class MatchEngineProvider(IOptions<MatchingOptions> matching, IOptions<DuplicateOptions> options)
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile MatchEngine? _engine;
    private volatile string _source = "default";
    // The stored weights in force (null: defaults or pinned) and when a newer row was last looked for (Stopwatch ticks).
    private long? _weightsId;
    private long _weightsCheckedAt;

    public MatchingOptions Options => matching.Value;

    /// <summary><c>pinned</c>, <c>learnt</c> or <c>default</c>.</summary>
    public string WeightsSource => _source;

    public bool WeightsArePinned => options.Value.WeightsFile is { Length: > 0 };

    public Task<MatchEngine> GetAsync(IdentityRefDbContext db, CancellationToken cancellationToken) => GetAsync(db, null, cancellationToken);

    /// <param name="countNames">How a caller that holds every active identity (a full run) counts their names in memory:
    /// used if the engine is loaded now, instead of two GROUP BY queries over the base.</param>
    public async Task<MatchEngine> GetAsync(IdentityRefDbContext db, Func<TermFrequencies>? countNames, CancellationToken cancellationToken)
    {
        if (_engine is { } engine)
        {
            return WeightsMayHaveChanged() ? await FollowWeightsAsync(db, engine, cancellationToken) : engine;
        }
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_engine is null)
            {
                var (weights, source, id) = await LoadAsync(db, cancellationToken);
                _source = source;
                _weightsId = id;
                Interlocked.Exchange(ref _weightsCheckedAt, System.Diagnostics.Stopwatch.GetTimestamp());
                _engine = new MatchEngine(matching.Value, weights, countNames is not null && matching.Value.TermFrequencyAdjustment ? countNames() : await CountNamesAsync(db, cancellationToken));
            }
            return _engine;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Whether this caller is the one to look for newer weights now (one caller per interval; never for pinned weights).</summary>
    private bool WeightsMayHaveChanged()
    {
        if (WeightsArePinned)
        {
            return false;
        }
        var checkedAt = Interlocked.Read(ref _weightsCheckedAt);
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        return System.Diagnostics.Stopwatch.GetElapsedTime(checkedAt, now) >= TimeSpan.FromSeconds(options.Value.WeightsRefreshSeconds)
            && Interlocked.CompareExchange(ref _weightsCheckedAt, now, checkedAt) == checkedAt;
    }

    /// <summary>
    /// One indexed query: the newest stored weights. When another server (or a run in another process) stored newer
    /// ones, they replace the weights in force; the name counts stay (a full run here recounts them).
    /// </summary>
    private async Task<MatchEngine> FollowWeightsAsync(IdentityRefDbContext db, MatchEngine engine, CancellationToken cancellationToken)
    {
        var newest = await db.MatchWeights.MaxAsync(w => (long?)w.Id, cancellationToken);
        if (newest is null || newest == _weightsId)
        {
            return engine;
        }
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_weightsId != newest && _engine is { } current)
            {
                var (weights, source, id) = await LoadAsync(db, cancellationToken);
                _engine = new MatchEngine(matching.Value, weights, current.Frequencies);
                _source = source;
                _weightsId = id;
            }
            return _engine!;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// Builds the engine anew from the database (the latest weights, the names counted again) and puts it in force:
    /// after a full run in another process, which may have learnt weights and which counted the base it scored.
    /// </summary>
    public async Task<MatchEngine> ReloadAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            var (weights, source, id) = await LoadAsync(db, cancellationToken);
            var engine = new MatchEngine(matching.Value, weights, await CountNamesAsync(db, cancellationToken));
            _source = source;
            _weightsId = id;
            _engine = engine;
            return engine;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Whether weights were learnt from the base already (or pinned, which forbids learning).</summary>
    public async Task<bool> HasWeightsAsync(IdentityRefDbContext db, CancellationToken cancellationToken) =>
        WeightsArePinned || await db.MatchWeights.AnyAsync(cancellationToken);

    /// <summary>Stores freshly learnt weights (in the caller's unit of work) and scores with them from now on.</summary>
    public MatchEngine Use(IdentityRefDbContext db, MatchWeights weights, int records, DateTimeOffset now)
    {
        // Their row id is known once the run's unit of work is saved: the next look for newer weights loads this same
        // row again (once), which changes nothing.
        db.MatchWeights.Add(new StoredMatchWeights { CreatedAt = now, Source = "em", Records = records, Json = weights.ToJson() });
        var engine = new MatchEngine(matching.Value, weights, _engine?.Frequencies);
        _engine = engine;
        _source = "learnt";
        return engine;
    }

    /// <summary>Name counts from a full detection (the base it just scored): later scores use them.</summary>
    public void UseFrequencies(TermFrequencies frequencies)
    {
        ArgumentNullException.ThrowIfNull(frequencies);
        if (_engine is { } engine)
        {
            _engine = new MatchEngine(matching.Value, engine.Weights, frequencies);
        }
    }

    /// <summary>Two GROUP BY queries over the active identities (none when the adjustment is off).</summary>
    private async Task<TermFrequencies> CountNamesAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        if (!matching.Value.TermFrequencyAdjustment)
        {
            return TermFrequencies.None;
        }
        var active = db.Identities.AsNoTracking().Where(i => i.MergedIntoId == null);
        var birthNames = await active.GroupBy(i => i.BirthName).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var firstNames = await active.GroupBy(i => i.FirstNames).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return TermFrequencies.FromCounts(birthNames.Sum(b => b.Count), birthNames.Select(b => (b.Key, b.Count)), firstNames.Select(f => (f.Key, f.Count)));
    }

    private async Task<(MatchWeights Weights, string Source, long? Id)> LoadAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        if (options.Value.WeightsFile is { Length: > 0 } file)
        {
            return (Checked(MatchWeights.FromJson(await File.ReadAllTextAsync(file, cancellationToken))), "pinned", null);
        }
        var stored = await db.MatchWeights.AsNoTracking().OrderByDescending(w => w.Id).FirstOrDefaultAsync(cancellationToken);
        return stored is null ? (MatchWeights.Default, "default", null) : (Checked(MatchWeights.FromJson(stored.Json)), "learnt", stored.Id);
    }

    private static MatchWeights Checked(MatchWeights weights)
    {
        var errors = weights.Validate();
        return errors.Count == 0 ? weights : throw new InvalidOperationException("Stored match weights are invalid: " + string.Join(" ", errors));
    }
}
