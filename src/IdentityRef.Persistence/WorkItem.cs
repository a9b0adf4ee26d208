namespace IdentityRef.Persistence;

/// <summary>
/// A task for people, raised by a job or a feature: an INS the teleservice no longer confirms, a technical failure
/// that retries could not clear (the identity vigilance cell's), parked messages, a lagging subscription (the
/// integrators')… Generic on purpose: each feature adds its own <see cref="Kind"/> and puts what is needed to decide
/// in <see cref="Details"/>. Open, then in review when someone takes it, then resolved with what was done.
/// </summary>
public sealed class WorkItem
{
    public const string Open = "open";
    public const string InReview = "in-review";
    public const string Resolved = "resolved";

    public long Id { get; init; }

    /// <summary>A stable code, e.g. <c>ins-reverification-mismatch</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The identity concerned, when there is one.</summary>
    public Guid? IdentityId { get; init; }

    /// <summary><see cref="Open"/>, <see cref="InReview"/> or <see cref="Resolved"/>.</summary>
    public required string State { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>JSON: what was found (codes, call ids); never shown in logs.</summary>
    public string? Details { get; set; }

    /// <summary>The last change of state (the creation until someone acts).</summary>
    public required DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Who took the item (state <see cref="InReview"/>), if anyone did.</summary>
    public string? ReviewedBy { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }

    /// <summary>What was done, in the words of the person who resolved it; never shown in logs.</summary>
    public string? Resolution { get; set; }

    public const int ResolutionMaxLength = 500;
}
