using IdentityRef.Domain.Common;

namespace IdentityRef.Domain.WorkItems;

/// <summary>The states of a work item, as stored and shown (<c>open</c>, <c>in-review</c>, <c>resolved</c>).</summary>
public static class WorkItemStates
{
    public const string Open = "open";
    public const string InReview = "in-review";
    public const string Resolved = "resolved";

    /// <summary>Open and in review: what is left to do.</summary>
    public static IReadOnlyList<string> Unresolved { get; } = [Open, InReview];

    public static bool IsKnown(string? state) => state is Open or InReview or Resolved;
}

/// <summary>
/// Where a work item stands, and the only ways it moves: open → in review (taken by someone; another person may take it
/// over) → resolved (by someone, saying what was done). Resolved is final: taking or resolving it again is the rule
/// error <c>work-item-resolved</c>. Each transition returns the new progress; the caller stores it.
/// </summary>
public sealed record WorkItemProgress
{
    /// <summary>The longest resolution comment kept.</summary>
    public const int ResolutionMaxLength = 500;

    private WorkItemProgress(string state, DateTimeOffset updatedAt)
    {
        State = state;
        UpdatedAt = updatedAt;
    }

    /// <summary>One of <see cref="WorkItemStates"/>.</summary>
    public string State { get; private init; }

    /// <summary>The last change of state (the creation until someone acts).</summary>
    public DateTimeOffset UpdatedAt { get; private init; }

    /// <summary>Who took the item, if anyone did.</summary>
    public string? ReviewedBy { get; private init; }

    public DateTimeOffset? ResolvedAt { get; private init; }

    public string? ResolvedBy { get; private init; }

    /// <summary>What was done, in the words of the person who resolved it.</summary>
    public string? Resolution { get; private init; }

    public bool IsResolved => State == WorkItemStates.Resolved;

    /// <summary>A new item, raised at <paramref name="at"/>.</summary>
    public static WorkItemProgress Opened(DateTimeOffset at) => new(WorkItemStates.Open, at);

    /// <summary>Progress read back from storage; an unknown state is a bug (the column holds only ours).</summary>
    public static WorkItemProgress Restore(string state, DateTimeOffset updatedAt, string? reviewedBy, DateTimeOffset? resolvedAt, string? resolvedBy,
        string? resolution) =>
        WorkItemStates.IsKnown(state)
            ? new(state, updatedAt) { ReviewedBy = reviewedBy, ResolvedAt = resolvedAt, ResolvedBy = resolvedBy, Resolution = resolution }
            : throw new ArgumentException($"Unknown work item state '{state}'.", nameof(state));

    /// <summary>Taken by <paramref name="reviewer"/>: in review (an item in review may be taken over).</summary>
    public WorkItemProgress Review(string reviewer, DateTimeOffset at)
    {
        EnsureUnresolved();
        ArgumentException.ThrowIfNullOrWhiteSpace(reviewer);
        return this with { State = WorkItemStates.InReview, ReviewedBy = reviewer, UpdatedAt = at };
    }

    /// <summary>
    /// Resolved by <paramref name="resolver"/>, saying what was done. The comment is required and at most
    /// <see cref="ResolutionMaxLength"/> characters once trimmed: the caller checks the input and reports the field
    /// (a blank or over-long comment here is a bug, not a user error).
    /// </summary>
    public WorkItemProgress Resolve(string resolver, string comment, DateTimeOffset at)
    {
        EnsureUnresolved();
        ArgumentException.ThrowIfNullOrWhiteSpace(resolver);
        var resolution = comment?.Trim();
        ArgumentException.ThrowIfNullOrEmpty(resolution, nameof(comment));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(resolution.Length, ResolutionMaxLength, nameof(comment));
        return this with { State = WorkItemStates.Resolved, ResolvedBy = resolver, ResolvedAt = at, Resolution = resolution, UpdatedAt = at };
    }

    private void EnsureUnresolved()
    {
        if (IsResolved)
        {
            throw new DomainRuleException("work-item-resolved", "This work item is already resolved.");
        }
    }
}
