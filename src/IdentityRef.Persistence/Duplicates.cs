using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Duplicates;

namespace IdentityRef.Persistence;

/// <summary>
/// One blocking key of an active identity (a 64-bit hash of the matcher's key text): check-before-create and
/// incremental detection fetch their candidates with one indexed query on <see cref="Key"/>. The identity is named by
/// its store number (<see cref="Identity.Number"/>), not its GUID: 24 million rows at a million identities, so the width
/// of a row is most of the cost of writing them (docs/import.md).
/// </summary>
public sealed class MatchKey
{
    /// <summary>The <see cref="Identity.Number"/> of the identity.</summary>
    public required long IdentityNumber { get; init; }

    public required long Key { get; init; }
}

/// <summary>
/// The blocking keys of one keyed identity in one row: what <c>match_keys</c> holds for it, found by the identity's store
/// number. It serves what an index of <c>match_keys</c> by identity served (the identity's keys to remove when its traits
/// change or it is merged; the identities without keys) for one row appended per identity instead of about 22 index
/// entries written at random (docs/import.md, "The key table"). Every writer of keys writes it in the same transaction; an
/// active identity has one (with an empty list if its traits give no key), a merged identity none.
/// </summary>
public sealed class IdentityKeyList
{
    /// <summary>The <see cref="Identity.Number"/> of the identity; on SQLite the rowid itself, so rows are appended in number order.</summary>
    public required long IdentityNumber { get; init; }

    /// <summary>The identity's keys (<see cref="MatchKey.Key"/>) as little-endian 64-bit integers, in ascending order (<see cref="Encode"/>).</summary>
    public required byte[] Keys { get; set; }

    /// <summary>The stored form of keys already sorted in ascending order and distinct.</summary>
    public static byte[] Encode(ReadOnlySpan<long> sortedKeys)
    {
        var bytes = new byte[sortedKeys.Length * sizeof(long)];
        for (var i = 0; i < sortedKeys.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), sortedKeys[i]);
        }
        return bytes;
    }

    /// <summary>The keys of a stored list (<see cref="Encode"/>), in ascending order.</summary>
    public static long[] Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(long) != 0)
        {
            throw new InvalidOperationException($"A stored key list has {bytes.Length} bytes, not a multiple of {sizeof(long)}.");
        }
        var keys = new long[bytes.Length / sizeof(long)];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * sizeof(long))..]);
        }
        return keys;
    }
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

    private string _state = DuplicateStates.Open;

    /// <summary>
    /// <c>open</c>, <c>in-review</c> or <c>resolved</c> (see <see cref="DuplicateStates"/>). Given when the item is created;
    /// afterwards it moves only through <see cref="Review"/>, <see cref="Resolve"/>, <see cref="Reopen"/> (the Domain's
    /// <see cref="DuplicateItemProgress"/>).
    /// </summary>
    public required string State { get => _state; init => _state = value; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; set; }

    /// <summary><c>merged</c>, <c>not-duplicate</c>, <c>traits-corrected</c>, <c>other-person</c>, <c>answer-accepted</c>, <c>linked</c> or <c>obsolete</c> once resolved.</summary>
    public string? Resolution { get; private set; }

    public string? ResolvedBy { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public long? MergeId { get; private set; }

    /// <summary>The member of the cell the item is assigned to ("m'attribuer"); null: nobody's (see <see cref="Assign"/>).</summary>
    public string? AssignedTo { get; private set; }

    /// <summary>Where the item stands, as the Domain's state machine.</summary>
    public DuplicateItemProgress Progress => DuplicateItemProgress.Restore(State, Resolution, ResolvedAt, ResolvedBy, MergeId, AssignedTo);

    /// <summary>Assigns the item to a member of the cell, in review (a resolved item: rule <c>item-resolved</c>).</summary>
    public void Assign(string to, string? shownAssignee) => Apply(Progress.Assign(to, shownAssignee));

    /// <summary>Someone of the cell takes the item (a resolved item: rule <c>item-resolved</c>).</summary>
    public void Review() => Apply(Progress.Review());

    /// <summary>Closes the item (a resolved item: rule <c>item-resolved</c>).</summary>
    public void Resolve(string resolution, string by, DateTimeOffset at) => Apply(Progress.Resolve(resolution, by, at));

    /// <summary>Names the merge that resolved the item as merged.</summary>
    public void RecordMerge(long mergeId) => Apply(Progress.WithMerge(mergeId));

    /// <summary>Back to the queue, the resolution forgotten (only a resolved item).</summary>
    public void Reopen() => Apply(Progress.Reopen());

    private void Apply(DuplicateItemProgress progress)
    {
        _state = progress.State;
        Resolution = progress.Resolution;
        ResolvedAt = progress.ResolvedAt;
        ResolvedBy = progress.ResolvedBy;
        MergeId = progress.MergeId;
        AssignedTo = progress.AssignedTo;
    }

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

/// <summary>The resolutions of a duplicate item, defined in the Domain (<see cref="DuplicateResolutionCodes"/>).</summary>
public static class DuplicateResolutions
{
    public const string Merged = DuplicateResolutionCodes.Merged;
    public const string NotDuplicate = DuplicateResolutionCodes.NotDuplicate;
    public const string Obsolete = DuplicateResolutionCodes.Obsolete;

    /// <inheritdoc cref="DuplicateResolutionCodes.TraitsCorrected"/>
    public const string TraitsCorrected = DuplicateResolutionCodes.TraitsCorrected;

    /// <inheritdoc cref="DuplicateResolutionCodes.OtherPerson"/>
    public const string OtherPerson = DuplicateResolutionCodes.OtherPerson;

    /// <inheritdoc cref="DuplicateResolutionCodes.AnswerAccepted"/>
    public const string AnswerAccepted = DuplicateResolutionCodes.AnswerAccepted;

    /// <inheritdoc cref="DuplicateResolutionCodes.Linked"/>
    public const string Linked = DuplicateResolutionCodes.Linked;
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
