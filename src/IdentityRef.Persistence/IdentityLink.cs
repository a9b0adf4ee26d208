namespace IdentityRef.Persistence;

/// <summary>
/// Two active identities the identity vigilance cell (or another identity source, by an inbound A24) holds for one
/// person's records that must not be merged (yet) — e.g. two INS in conflict awaiting the CNAM. PAM FR's optional
/// Link/Unlink option: A24 when the link is made, A37 when it is undone (the row is then deleted; the audit trail
/// keeps both). Ordered (<see cref="IdentityA"/> sorts before <see cref="IdentityB"/>) and unique.
/// </summary>
public sealed class IdentityLink
{
    public long Id { get; init; }
    public required Guid IdentityA { get; init; }
    public required Guid IdentityB { get; init; }
    public required DateTimeOffset LinkedAt { get; init; }

    /// <summary>Who linked: an account, or <c>hl7:SENDER</c> for an inbound A24.</summary>
    public required string LinkedBy { get; init; }

    /// <summary>The work item the cell decided on, when the link came from the queue.</summary>
    public long? DuplicateItemId { get; init; }

    /// <summary>The pair in the stored order.</summary>
    public static (Guid A, Guid B) Order(Guid x, Guid y) => x.CompareTo(y) < 0 ? (x, y) : (y, x);
}
