using IdentityRef.Domain.WorkItems;

namespace IdentityRef.Persistence;

/// <summary>
/// A task for people, raised by a job or a feature: an INS the teleservice no longer confirms, a technical failure
/// that retries could not clear (the identity vigilance cell's), parked messages, a lagging subscription (the
/// integrators')… Generic on purpose: each feature adds its own <see cref="Kind"/> and puts what is needed to decide
/// in <see cref="Details"/>. Its state moves only through <see cref="Review"/> and <see cref="Resolve"/>, by the rules of
/// <see cref="WorkItemProgress"/> (the Domain's state machine): open, then in review, then resolved with what was done.
/// </summary>
public sealed class WorkItem
{
    public const string Open = WorkItemStates.Open;
    public const string InReview = WorkItemStates.InReview;
    public const string Resolved = WorkItemStates.Resolved;

    public const int ResolutionMaxLength = WorkItemProgress.ResolutionMaxLength;

    private WorkItem()
    {
    }

    public long Id { get; init; }

    /// <summary>A stable code, e.g. <c>ins-reverification-mismatch</c>.</summary>
    public string Kind { get; private init; } = "";

    /// <summary>The identity concerned, when there is one.</summary>
    public Guid? IdentityId { get; private init; }

    /// <summary><see cref="Open"/>, <see cref="InReview"/> or <see cref="Resolved"/>.</summary>
    public string State { get; private set; } = Open;

    public DateTimeOffset CreatedAt { get; private init; }

    /// <summary>JSON: what was found (codes, call ids); never shown in logs.</summary>
    public string? Details { get; private init; }

    /// <summary>The last change of state (the creation until someone acts).</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Who took the item (state <see cref="InReview"/>), if anyone did.</summary>
    public string? ReviewedBy { get; private set; }

    public DateTimeOffset? ResolvedAt { get; private set; }
    public string? ResolvedBy { get; private set; }

    /// <summary>What was done, in the words of the person who resolved it; never shown in logs.</summary>
    public string? Resolution { get; private set; }

    /// <summary>Where the item stands, as the Domain's state machine.</summary>
    public WorkItemProgress Progress => WorkItemProgress.Restore(State, UpdatedAt, ReviewedBy, ResolvedAt, ResolvedBy, Resolution);

    /// <summary>A new open item of <paramref name="kind"/>, raised at <paramref name="at"/>.</summary>
    public static WorkItem Raise(string kind, Guid? identityId, string? details, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var opened = WorkItemProgress.Opened(at);
        return new WorkItem { Kind = kind, IdentityId = identityId, Details = details, CreatedAt = at, State = opened.State, UpdatedAt = opened.UpdatedAt };
    }

    /// <summary>Taken by <paramref name="reviewer"/> (see <see cref="WorkItemProgress.Review"/>).</summary>
    public void Review(string reviewer, DateTimeOffset at) => Apply(Progress.Review(reviewer, at));

    /// <summary>Resolved with what was done (see <see cref="WorkItemProgress.Resolve"/>).</summary>
    public void Resolve(string resolver, string comment, DateTimeOffset at) => Apply(Progress.Resolve(resolver, comment, at));

    private void Apply(WorkItemProgress progress)
    {
        State = progress.State;
        UpdatedAt = progress.UpdatedAt;
        ReviewedBy = progress.ReviewedBy;
        ResolvedAt = progress.ResolvedAt;
        ResolvedBy = progress.ResolvedBy;
        Resolution = progress.Resolution;
    }
}
