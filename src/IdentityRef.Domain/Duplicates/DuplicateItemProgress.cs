using IdentityRef.Domain.Common;
using IdentityRef.Domain.WorkItems;

namespace IdentityRef.Domain.Duplicates;

/// <summary>How the identity vigilance cell (or the system) closes a duplicate item.</summary>
public static class DuplicateResolutionCodes
{
    public const string Merged = "merged";
    public const string NotDuplicate = "not-duplicate";
    public const string Obsolete = "obsolete";

    /// <summary>INSi contradiction: the local traits were corrected and now agree with the teleservice's (checked again).</summary>
    public const string TraitsCorrected = "traits-corrected";

    /// <summary>INSi contradiction: the teleservice's answer is another person; an INS of that answer held by the identity is deleted.</summary>
    public const string OtherPerson = "other-person";

    /// <summary>INSi contradiction: the cell, having checked, takes the answer for this person (an explicit, audited override of the verdict).</summary>
    public const string AnswerAccepted = "answer-accepted";

    /// <summary>
    /// One person's two records that must not be merged (yet), e.g. two INS in conflict awaiting the CNAM: the pair is
    /// linked (PAM FR A24) and stays so until the cell unlinks it (A37), which reopens the item. Found again, it stays closed.
    /// </summary>
    public const string Linked = "linked";

    public static bool IsKnown(string? resolution) =>
        resolution is Merged or NotDuplicate or Obsolete or TraitsCorrected or OtherPerson or AnswerAccepted or Linked;
}

/// <summary>
/// Where a duplicate item (a pair, a collision, an INSi contradiction) stands, and the only ways it moves: open → in review
/// (someone of the cell took it) → resolved with a resolution (who, when; a merge also names the merge); a resolved
/// item is reopened when detection finds it again or a merge is undone. Taking or resolving a resolved item is the rule
/// error <c>item-resolved</c>. The states are those of a work item (<see cref="WorkItemStates"/>).
/// </summary>
public sealed record DuplicateItemProgress
{
    private DuplicateItemProgress(string state) => State = state;

    public string State { get; private init; }

    /// <summary>One of <see cref="DuplicateResolutionCodes"/> once resolved.</summary>
    public string? Resolution { get; private init; }

    public DateTimeOffset? ResolvedAt { get; private init; }

    public string? ResolvedBy { get; private init; }

    /// <summary>The merge that resolved the item (resolution <see cref="DuplicateResolutionCodes.Merged"/>).</summary>
    public long? MergeId { get; private init; }

    /// <summary>The member of the cell the item is assigned to (kept once resolved: who handled it); a reopened item is nobody's.</summary>
    public string? AssignedTo { get; private init; }

    public bool IsResolved => State == WorkItemStates.Resolved;

    /// <summary>A newly found item.</summary>
    public static DuplicateItemProgress Detected() => new(WorkItemStates.Open);

    /// <summary>Progress read back from storage; a state or a resolution that is not ours is a bug.</summary>
    public static DuplicateItemProgress Restore(string state, string? resolution, DateTimeOffset? resolvedAt, string? resolvedBy, long? mergeId,
        string? assignedTo = null)
    {
        if (!WorkItemStates.IsKnown(state))
        {
            throw new ArgumentException($"Unknown duplicate item state '{state}'.", nameof(state));
        }
        if (resolution is not null && !DuplicateResolutionCodes.IsKnown(resolution))
        {
            throw new ArgumentException($"Unknown duplicate item resolution '{resolution}'.", nameof(resolution));
        }
        return new(state) { Resolution = resolution, ResolvedAt = resolvedAt, ResolvedBy = resolvedBy, MergeId = mergeId, AssignedTo = assignedTo };
    }

    /// <summary>Someone of the cell takes the item: it stays in the queue, in review.</summary>
    public DuplicateItemProgress Review()
    {
        EnsureUnresolved();
        return this with { State = WorkItemStates.InReview };
    }

    /// <summary>
    /// The item is assigned to <paramref name="to"/> (a member of the cell, "m'attribuer"): it is in review, by that person.
    /// <paramref name="shownAssignee"/> is who had it on the screen the person acted from: taking an item over from someone
    /// is deliberate (the screen showed them), never by accident from a stale screen — the rule error <c>item-assigned</c>
    /// when someone else took it meanwhile. A resolved item is the rule error <c>item-resolved</c>.
    /// </summary>
    public DuplicateItemProgress Assign(string to, string? shownAssignee)
    {
        EnsureUnresolved();
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        if (AssignedTo is { } current && current != to && current != shownAssignee)
        {
            throw new DomainRuleException("item-assigned", $"The item was taken meanwhile by {current}.");
        }
        return this with { State = WorkItemStates.InReview, AssignedTo = to };
    }

    /// <summary>Closes the item with <paramref name="resolution"/>, by <paramref name="by"/> (a person or <c>system:…</c>).</summary>
    public DuplicateItemProgress Resolve(string resolution, string by, DateTimeOffset at)
    {
        EnsureUnresolved();
        if (!DuplicateResolutionCodes.IsKnown(resolution))
        {
            throw new ArgumentException($"Unknown duplicate item resolution '{resolution}'.", nameof(resolution));
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        return this with { State = WorkItemStates.Resolved, Resolution = resolution, ResolvedAt = at, ResolvedBy = by, MergeId = null };
    }

    /// <summary>Names the merge that resolved the item; only for an item resolved as merged, once.</summary>
    public DuplicateItemProgress WithMerge(long mergeId) => Resolution == DuplicateResolutionCodes.Merged && MergeId is null
        ? this with { MergeId = mergeId }
        : throw new InvalidOperationException("Only an item resolved as merged, and not yet linked to its merge, takes a merge id.");

    /// <summary>A resolved item found again (or whose merge was undone) goes back to the queue, its resolution forgotten.</summary>
    public DuplicateItemProgress Reopen() => IsResolved
        ? new(WorkItemStates.Open)
        : throw new InvalidOperationException("Only a resolved item is reopened.");

    private void EnsureUnresolved()
    {
        if (IsResolved)
        {
            throw new DomainRuleException("item-resolved", $"This item was already resolved ({Resolution}).");
        }
    }
}
