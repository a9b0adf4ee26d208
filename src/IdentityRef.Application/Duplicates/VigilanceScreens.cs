using IdentityRef.Application.Patients;
using IdentityRef.Application.Merges;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Duplicates;

/// <summary>
/// A filter of the vigilance cell's queue. <see cref="State"/>: a state, <see cref="QueueFilter.Unresolved"/> (open or in
/// review, the default) or null (all); <see cref="Age"/>: one of <see cref="QueueAges"/>; <see cref="AssignedTo"/>: a user
/// name, <see cref="QueueFilter.Nobody"/> or null (anyone); <see cref="Sort"/>: one of <see cref="QueueSorts"/>. Unknown values
/// are dropped by <see cref="Normalized"/> (a hand-typed address shows more rather than an error).
/// </summary>
public sealed record QueueFilter(string? State = QueueFilter.Unresolved, string? Kind = null, string? Class = null, string? Age = null,
    string? AssignedTo = null, string? Sort = QueueSorts.Score)
{
    public const string Unresolved = "unresolved";
    public const string Nobody = "-";

    public static readonly IReadOnlyList<string> Classes = ["probable", "possible", DuplicateClasses.SameIns, DuplicateClasses.InsiContradiction];

    public QueueFilter Normalized() => new(
        State == Unresolved || DuplicateStates.IsKnown(State) ? State : null,
        Kind is DuplicateKinds.Duplicate or DuplicateKinds.Collision ? Kind : null,
        Classes.Contains(Class) ? Class : null,
        QueueAges.All.Contains(Age) ? Age : null,
        string.IsNullOrWhiteSpace(AssignedTo) ? null : AssignedTo.Trim(),
        QueueSorts.All.Contains(Sort) ? Sort : QueueSorts.Score);
}

/// <summary>How old an item of the queue is (since it was found).</summary>
public static class QueueAges
{
    public const string Day = "24h";
    public const string Week = "7j";
    public const string OverWeek = "plus-7j";
    public const string OverMonth = "plus-30j";

    public static readonly IReadOnlyList<string> All = [Day, Week, OverWeek, OverMonth];
}

/// <summary>The orders of the queue.</summary>
public static class QueueSorts
{
    /// <summary>Highest score first (the default).</summary>
    public const string Score = "score";

    /// <summary>Oldest found first.</summary>
    public const string Oldest = "anciens";

    /// <summary>Last changed first.</summary>
    public const string Recent = "recents";

    /// <summary>By the birth name of the first identity.</summary>
    public const string Name = "nom";

    public static readonly IReadOnlyList<string> All = [Score, Oldest, Recent, Name];
}

/// <summary>One identity of a queue row: who it is at a glance.</summary>
public sealed record QueueSide(string Ipp, string BirthName, string FirstName, string? UsedName, DateOnly BirthDate, string Status, string StatusLabel, bool Active);

/// <summary>One row of the queue: the item and its identities (<see cref="B"/> null for an INSi contradiction).</summary>
public sealed record QueueRow(DuplicateItemView Item, QueueSide A, QueueSide? B);

/// <summary>The pair page: the item in detail, its merge, and the thresholds of the classes (for the scale of the score).</summary>
public sealed record PairScreen(DuplicateDetailView Detail, MergeResponse? Merge, double PossibleThreshold, double ProbableThreshold);

/// <summary>The reads of the vigilance cell's screens (queue, next pair, pair page): the page models hold no query of their own.</summary>
public sealed class VigilanceScreens(IdentityRefDbContext db, IBirthPlaceDirectory places, InsiContradictions contradictions, MatchEngineProvider engines,
    TimeProvider clock)
{
    /// <summary>A page of the queue for <paramref name="filter"/>; <see cref="QueueFilter.AssignedTo"/> is matched as given.</summary>
    public async Task<Patients.PageResponse<QueueRow>> QueueAsync(QueueFilter filter, int page, int pageSize, CancellationToken ct)
    {
        var query = Filtered(filter.Normalized());
        var total = await query.CountAsync(ct);
        var items = await Sorted(query, filter.Normalized().Sort).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var ids = items.SelectMany(d => d.IdentityB is { } b ? new[] { d.IdentityA, b } : [d.IdentityA]).Distinct().ToList();
        var identities = await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var ipps = identities.ToDictionary(p => p.Key, p => p.Value.Ipp);
        QueueSide Side(Identity i) => new(i.Ipp, i.BirthName, i.FirstName, i.UsedName, i.BirthDate, i.Status.Code(), i.Status.Label(), i.IsActive);
        var rows = items.Select(d => new QueueRow(DuplicateViews.From(d, ipps), Side(identities[d.IdentityA]),
            d.IdentityB is { } b ? Side(identities[b]) : null)).ToList();
        return new Patients.PageResponse<QueueRow>(rows, page, pageSize, total);
    }

    /// <summary>The next unresolved item of <paramref name="filter"/> that nobody has, in its order, other than <paramref name="except"/>.</summary>
    public async Task<long?> NextUnassignedAsync(QueueFilter filter, long? except, CancellationToken ct)
    {
        var normalized = filter.Normalized() with { AssignedTo = Nobody };
        var query = Filtered(normalized).Where(d => d.State != DuplicateStates.Resolved);
        if (except is { } id)
        {
            query = query.Where(d => d.Id != id);
        }
        return await Sorted(query, normalized.Sort).Select(d => (long?)d.Id).FirstOrDefaultAsync(ct);
    }

    private const string Nobody = QueueFilter.Nobody;

    /// <summary>The item to decide on (tracked: the decisions change it in this unit of work), or null.</summary>
    public Task<DuplicateItem?> ItemAsync(long id, CancellationToken ct) => db.DuplicateItems.FirstOrDefaultAsync(d => d.Id == id, ct);

    /// <summary>A merge to undo (tracked), or null.</summary>
    public Task<Merge?> MergeAsync(long id, CancellationToken ct) => db.Merges.FirstOrDefaultAsync(m => m.Id == id, ct);

    /// <summary>The identity of <paramref name="ipp"/> when it is one of the pair's, else null.</summary>
    public Task<Guid?> SurvivorOfPairAsync(DuplicateItem item, string ipp, CancellationToken ct) => DuplicateQueries.SurvivorOfPairAsync(db, item, ipp, ct);

    /// <summary>A page of the work queue by descending score (<c>/api/duplicates</c>); null filters take everything.</summary>
    public Task<PageResponse<DuplicateItemView>> QueueAsync(string? state, string? kind, int page, int pageSize, CancellationToken ct) =>
        DuplicateQueries.QueueAsync(db, state, kind, page, pageSize, ct);

    /// <summary>Item <paramref name="id"/> as the API shows it, or null when there is no such item.</summary>
    public async Task<DuplicateDetailView?> DetailAsync(long id, CancellationToken ct) =>
        await db.DuplicateItems.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) is { } item ? await DetailAsync(item, ct) : null;

    /// <summary>The item as the API shows it, after a decision on it.</summary>
    public Task<DuplicateDetailView> DetailAsync(DuplicateItem item, CancellationToken ct) => DuplicateQueries.DetailAsync(db, item, places, contradictions, ct);

    /// <summary>Forgets what a refused decision left in memory (the page shows the item as stored).</summary>
    public void Forget() => db.ChangeTracker.Clear();

    /// <summary>The pair page of item <paramref name="id"/>, or null when there is no such item.</summary>
    public async Task<PairScreen?> PairAsync(long id, CancellationToken ct)
    {
        if (await db.DuplicateItems.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) is not { } item)
        {
            return null;
        }
        var detail = await DuplicateQueries.DetailAsync(db, item, places, contradictions, ct);
        MergeResponse? merge = null;
        if (item.MergeId is { } mergeId && await db.Merges.AsNoTracking().FirstOrDefaultAsync(m => m.Id == mergeId, ct) is { } found)
        {
            merge = await MergeQueries.ViewAsync(db, found, ct);
        }
        var options = engines.Options;
        return new PairScreen(detail, merge, options.PossibleThreshold, options.ProbableThreshold);
    }

    private IQueryable<DuplicateItem> Filtered(QueueFilter f)
    {
        var query = db.DuplicateItems.AsNoTracking();
        query = f.State switch
        {
            null => query,
            QueueFilter.Unresolved => query.Where(d => d.State != DuplicateStates.Resolved),
            var state => query.Where(d => d.State == state),
        };
        if (f.Kind is { } kind)
        {
            query = query.Where(d => d.Kind == kind);
        }
        if (f.Class is { } matchClass)
        {
            query = query.Where(d => d.Class == matchClass);
        }
        var now = clock.GetUtcNow();
        query = f.Age switch
        {
            QueueAges.Day => query.Where(d => d.CreatedAt >= now.AddDays(-1)),
            QueueAges.Week => query.Where(d => d.CreatedAt >= now.AddDays(-7)),
            QueueAges.OverWeek => query.Where(d => d.CreatedAt < now.AddDays(-7)),
            QueueAges.OverMonth => query.Where(d => d.CreatedAt < now.AddDays(-30)),
            _ => query,
        };
        query = f.AssignedTo switch
        {
            null => query,
            Nobody => query.Where(d => d.AssignedTo == null),
            var who => query.Where(d => d.AssignedTo == who),
        };
        return query;
    }

    private IQueryable<DuplicateItem> Sorted(IQueryable<DuplicateItem> query, string? sort) => sort switch
    {
        QueueSorts.Oldest => query.OrderBy(d => d.CreatedAt).ThenBy(d => d.Id),
        QueueSorts.Recent => query.OrderByDescending(d => d.UpdatedAt).ThenBy(d => d.Id),
        QueueSorts.Name => query.OrderBy(d => db.Identities.Where(i => i.Id == d.IdentityA).Select(i => i.BirthName).FirstOrDefault()).ThenBy(d => d.Id),
        _ => query.OrderByDescending(d => d.Score).ThenBy(d => d.Id),
    };
}
