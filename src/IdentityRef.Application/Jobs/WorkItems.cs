using IdentityRef.Application.Security;
using System.Text.Json;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Jobs;

/// <summary>The kinds of work item the jobs raise. Other features add theirs (e.g. duplicates) to the same table.</summary>
public static class WorkItemKinds
{
    public const string ReverificationMismatch = "ins-reverification-mismatch";
    public const string ReverificationNotFound = "ins-reverification-not-found";
    public const string TechnicalFailure = "technical-failure";

    /// <summary>Outgoing messages set aside (AE or persistent failure): for the integrators.</summary>
    public const string OutboxParked = "outbox-parked";

    /// <summary>A subscribed system falls behind: its oldest undelivered message is too old.</summary>
    public const string SubscriptionLagging = "subscription-lagging";

    /// <summary>
    /// An A40 of another identity source that this server refused (two INS, a link, or a merged patient whose survivor is not the
    /// one the message names): the sender holds those records as one person, this server keeps them apart until the cell decides.
    /// </summary>
    public const string InboundMergeRefused = "inbound-merge-refused";

    public static readonly IReadOnlyList<string> Reverification = [ReverificationMismatch, ReverificationNotFound];

    /// <summary>The kinds about the message flows rather than an identity: the integrators' (Messages policy).</summary>
    public static readonly IReadOnlyList<string> Operational = [OutboxParked, SubscriptionLagging];

    public static readonly IReadOnlyList<string> All =
        [ReverificationMismatch, ReverificationNotFound, TechnicalFailure, InboundMergeRefused, OutboxParked, SubscriptionLagging];

    /// <summary>
    /// The policy of the matrix (<see cref="Security.Policies"/>) whose roles handle items of this kind: the operational
    /// kinds go to the integrators, every other kind to the identity vigilance cell, whose queue work items are by default.
    /// </summary>
    public static string PolicyOf(string kind) => Operational.Contains(kind) ? Policies.Messages : Policies.Duplicates;
}

/// <summary>Raises work items for the identity vigilance cell, in the caller's unit of work.</summary>
public static class WorkItemRaiser
{
    /// <summary>
    /// Adds an open work item unless one of the same kind is already open or in review for the identity (the cell
    /// has it already). Never saves. Returns whether an item was added.
    /// </summary>
    public static async Task<bool> RaiseAsync(IdentityRefDbContext db, string kind, Guid? identityId, object details, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var pending = await db.WorkItems.AnyAsync(w => w.IdentityId == identityId && w.Kind == kind && w.State != WorkItem.Resolved, cancellationToken);
        if (pending)
        {
            return false;
        }
        db.WorkItems.Add(WorkItem.Raise(kind, identityId, JsonSerializer.Serialize(details), now));
        return true;
    }
}
