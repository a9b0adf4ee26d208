namespace IdentityRef.Persistence;

/// <summary>
/// One blocking key of an active identity (a 64-bit hash of the matcher's key text): check-before-create and
/// incremental detection fetch their candidates with one indexed query on <see cref="Key"/>.
/// </summary>
public sealed class MatchKey
{
    public required Guid IdentityId { get; init; }
    public required long Key { get; init; }
}

/// <summary>
/// An item the vigilance cell must look at. Usually a pair of identities: a potential duplicate or a potential
/// collision, ordered (<see cref="IdentityA"/> sorts before <see cref="IdentityB"/>) and unique. An INSi
/// contradiction (class <c>insi-contradiction</c>) concerns one identity and the answer of the teleservice instead:
/// <see cref="IdentityB"/> is null and <see cref="InsiCallId"/> names the answer (see ADR 0004).
/// </summary>
public sealed class DuplicateItem
{
    public long Id { get; init; }
    public required Guid IdentityA { get; init; }

    /// <summary>The other identity of a pair; null for an INSi contradiction (one identity against the teleservice).</summary>
    public Guid? IdentityB { get; init; }

    /// <summary>The INSi answer that raised the item: the compared traits of a contradiction, the INS of a same-INS pair found through INSi.</summary>
    public long? InsiCallId { get; set; }

    /// <summary>Set with a call not saved yet: EF fills <see cref="InsiCallId"/> in the same unit of work.</summary>
    public InsiCall? InsiCall { get; set; }

    /// <summary>Whether this item is one identity against the teleservice rather than a pair.</summary>
    public bool IsInsiContradiction => IdentityB is null;

    /// <summary><c>duplicate</c> or <c>collision</c> (see <see cref="DuplicateKinds"/>).</summary>
    public required string Kind { get; set; }

    /// <summary>The matcher's class: <c>probable</c> or <c>possible</c>; <c>same-ins</c> or <c>insi-contradiction</c> for a collision (see <see cref="DuplicateClasses"/>).</summary>
    public required string Class { get; set; }

    public double Score { get; set; }

    /// <summary>JSON: per trait the level, the weight and the two values, and the rules that held the class down.</summary>
    public required string Explanation { get; set; }

    /// <summary><c>open</c>, <c>in-review</c> or <c>resolved</c> (see <see cref="DuplicateStates"/>).</summary>
    public required string State { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; set; }

    /// <summary><c>merged</c>, <c>not-duplicate</c>, <c>traits-corrected</c>, <c>other-person</c>, <c>answer-accepted</c> or <c>obsolete</c> once resolved.</summary>
    public string? Resolution { get; set; }

    public string? ResolvedBy { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public long? MergeId { get; set; }

    /// <summary>JSON array of every decision on the item (who, when, what), oldest first.</summary>
    public required string Decisions { get; set; }
}

public static class DuplicateKinds
{
    public const string Duplicate = "duplicate";
    public const string Collision = "collision";
}

/// <summary>The classes of an item that are not the matcher's (<c>probable</c>, <c>possible</c>).</summary>
public static class DuplicateClasses
{
    /// <summary>One INS on two active identities, or INSi answered for one identity the INS another one holds.</summary>
    public const string SameIns = "same-ins";

    /// <summary>The traits (or the INS) the INSi teleservice returned contradict those of the identity.</summary>
    public const string InsiContradiction = "insi-contradiction";
}

/// <summary>The states of a duplicate item: the same three as a work item's, defined once in the Domain.</summary>
public static class DuplicateStates
{
    public const string Open = Domain.WorkItems.WorkItemStates.Open;
    public const string InReview = Domain.WorkItems.WorkItemStates.InReview;
    public const string Resolved = Domain.WorkItems.WorkItemStates.Resolved;

    public static bool IsKnown(string? state) => Domain.WorkItems.WorkItemStates.IsKnown(state);
}

public static class DuplicateResolutions
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
}

/// <summary>One detection run: incremental runs look at the identities changed since the start of the previous run.</summary>
public sealed class DuplicateRun
{
    public long Id { get; init; }

    /// <summary><c>full</c> or <c>incremental</c>.</summary>
    public required string Kind { get; init; }

    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int Identities { get; set; }
    public long CandidatePairs { get; set; }
    public int Found { get; set; }
    public int Created { get; set; }
    public int Reopened { get; set; }
}

/// <summary>Fellegi–Sunter m/u weights learnt from the base (JSON of the matcher's weights); the latest row is used, so scores are stable between runs.</summary>
public sealed class StoredMatchWeights
{
    public long Id { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary><c>em</c> (learnt from the base).</summary>
    public required string Source { get; init; }

    public required int Records { get; init; }
    public required string Json { get; init; }
}
