using System.Text.Json;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.WorkItems;
using IdentityRef.Persistence;
using IdentityRef.Persistence.Audit;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Jobs;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.WorkItems;

/// <summary>A work item as the API and the screen show it: the identity by its IPP, the details as a JSON object.</summary>
public sealed record WorkItemView(long Id, string Kind, string State, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Ipp, JsonElement? Details,
    string? ReviewedBy, DateTimeOffset? ResolvedAt, string? ResolvedBy, string? Resolution);

/// <summary>Body of <c>POST /api/work-items/{id}/resolve</c>.</summary>
public sealed record ResolveWorkItemRequest(string? Comment);

/// <summary>
/// Which kinds of work item a user may see and handle, from the matrix: the kinds of the vigilance cell need the
/// <see cref="Policies.Duplicates"/> policy, the operational ones <see cref="Policies.Messages"/> (<see cref="WorkItemKinds.PolicyOf"/>).
/// </summary>
public readonly record struct WorkItemAccess(bool IdentityKinds, bool OperationalKinds)
{
    public bool Any => IdentityKinds || OperationalKinds;

    public bool Allows(string kind) => WorkItemKinds.PolicyOf(kind) == Policies.Messages ? OperationalKinds : IdentityKinds;

    /// <summary>The items of the kinds this user may handle.</summary>
    public IQueryable<WorkItem> Visible(IQueryable<WorkItem> items)
    {
        var operational = WorkItemKinds.Operational.ToArray();
        return (IdentityKinds, OperationalKinds) switch
        {
            (true, true) => items,
            (true, false) => items.Where(w => !operational.Contains(w.Kind)),
            (false, true) => items.Where(w => operational.Contains(w.Kind)),
            _ => items.Where(w => false),
        };
    }
}

/// <summary>
/// The work items raised by the jobs: list, take (in review), resolve with a comment. Shared by <c>/api/work-items</c> and the
/// "Signalements" screen. Every change is audited (on the identity when the item has one). Resolving an INS re-verification
/// item makes the identity due again for the job (<see cref="InsReverifier.DueAsync"/> skips only unresolved ones).
/// </summary>
public sealed class WorkItemQueue(IdentityRefDbContext db, TimeProvider clock)
{
    /// <summary>Open and in review: what is left to do.</summary>
    public static readonly IReadOnlyList<string> Unresolved = WorkItemStates.Unresolved;

    public static bool IsKnownState(string? state) => WorkItemStates.IsKnown(state);

    /// <summary>A page of the items this user may handle, newest first; null filters take everything.</summary>
    public async Task<PageResponse<WorkItemView>> ListAsync(WorkItemAccess access, IReadOnlyCollection<string>? states, string? kind, int page, int pageSize,
        CancellationToken ct)
    {
        var query = access.Visible(db.WorkItems.AsNoTracking());
        if (states is not null)
        {
            var wanted = states.ToArray();
            query = query.Where(w => wanted.Contains(w.State));
        }
        if (kind is not null)
        {
            query = query.Where(w => w.Kind == kind);
        }
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(w => w.CreatedAt).ThenByDescending(w => w.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var ipps = await IppsAsync(items.Where(w => w.IdentityId is not null).Select(w => w.IdentityId!.Value).Distinct().ToList(), ct);
        return new PageResponse<WorkItemView>(items.Select(w => View(w, ipps)).ToList(), page, pageSize, total);
    }

    /// <summary>The item, tracked (to act on it), or null.</summary>
    public Task<WorkItem?> FindAsync(long id, CancellationToken ct) => db.WorkItems.FirstOrDefaultAsync(w => w.Id == id, ct);

    public async Task<WorkItemView> ViewAsync(WorkItem item, CancellationToken ct) =>
        View(item, await IppsAsync(item.IdentityId is { } id ? [id] : [], ct));

    /// <summary>Takes the item: in review, by <paramref name="actor"/> (someone else's item may be taken over). A resolved item is a rule error (<see cref="WorkItemProgress"/>).</summary>
    public async Task ReviewAsync(WorkItem item, Actor actor, CancellationToken ct)
    {
        var before = item.State;
        item.Review(actor.Name, clock.GetUtcNow());
        await SaveAsync(item, "work-item.in-review", before, actor, null, ct);
    }

    /// <summary>Resolves the item with what was done (checked by <see cref="CheckComment"/>). Resolving twice is a rule error.</summary>
    public async Task ResolveAsync(WorkItem item, Actor actor, string comment, CancellationToken ct)
    {
        var before = item.State;
        item.Resolve(actor.Name, comment, clock.GetUtcNow());
        await SaveAsync(item, "work-item.resolved", before, actor, item.Resolution, ct);
    }

    /// <summary>The resolution comment is required: the next person must know what was done.</summary>
    public static FieldError? CheckComment(string? comment) => comment?.Trim() switch
    {
        null or "" => new FieldError("comment", "required", "Say what was done (a comment is required to resolve)."),
        { Length: > WorkItem.ResolutionMaxLength } => new FieldError("comment", "too-long", $"At most {WorkItem.ResolutionMaxLength} characters."),
        _ => null,
    };

    private async Task SaveAsync(WorkItem item, string action, string before, Actor actor, string? comment, CancellationToken ct)
    {
        var ipp = item.IdentityId is { } identityId ? await db.Identities.AsNoTracking().Where(i => i.Id == identityId).Select(i => i.Ipp).FirstOrDefaultAsync(ct) : null;
        // On the identity's history when there is one; the comment goes to the details, never to a log.
        db.AuditTrail.Add(new AuditEntry
        {
            IdentityId = ipp is null ? null : item.IdentityId,
            Ipp = ipp,
            Action = action,
            Actor = actor.Name,
            At = item.UpdatedAt,
            CorrelationId = actor.CorrelationId,
            Before = JsonSerializer.Serialize(new Dictionary<string, string?> { ["workItemState"] = before }),
            After = JsonSerializer.Serialize(new Dictionary<string, string?> { ["workItemState"] = item.State }),
            Details = JsonSerializer.Serialize(new { workItem = item.Id, kind = item.Kind, comment }),
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone else changed its state between our read and our write (the state is the concurrency token).
            db.ChangeTracker.Clear();
            throw new DomainRuleException("work-item-changed", "The work item changed meanwhile; read it again.");
        }
    }

    private async Task<Dictionary<Guid, string>> IppsAsync(IReadOnlyList<Guid> ids, CancellationToken ct) =>
        ids.Count == 0 ? [] : await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Ipp, ct);

    private static WorkItemView View(WorkItem w, IReadOnlyDictionary<Guid, string> ipps) => new(w.Id, w.Kind, w.State, w.CreatedAt, w.UpdatedAt,
        w.IdentityId is { } id ? ipps.GetValueOrDefault(id) : null,
        w.Details is null ? null : JsonSerializer.Deserialize<JsonElement>(w.Details),
        w.ReviewedBy, w.ResolvedAt, w.ResolvedBy, w.Resolution);
}
