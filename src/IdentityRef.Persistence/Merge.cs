namespace IdentityRef.Persistence;

/// <summary>A merge decided by the identity vigilance cell, with what is needed to undo it.</summary>
public sealed class Merge
{
    public long Id { get; init; }
    public required Guid SurvivorId { get; init; }
    public required Guid MergedId { get; init; }
    public required DateTimeOffset MergedAt { get; init; }
    public required string Actor { get; init; }

    /// <summary>JSON of the survivor's strict traits, INS and document before the merge, when it took over the other's INS.</summary>
    public string? SurvivorCoreBefore { get; init; }

    /// <summary>
    /// JSON of the survivor's strict and complementary traits (and when its strict traits last changed) before the merge, when
    /// the cell took some traits from the merged identity (a merge trait by trait); an undo puts them back.
    /// </summary>
    public string? SurvivorTraitsBefore { get; init; }

    /// <summary>The survivor's version right after the merge: an undo is refused once the survivor changed since.</summary>
    public int SurvivorVersionAfter { get; set; }

    /// <summary>JSON array of the identifier rows moved from the merged identity to the survivor.</summary>
    public required string MovedIdentifiers { get; init; }

    public DateTimeOffset? UndoneAt { get; set; }
    public string? UndoneBy { get; set; }
}
