using IdentityRef.Domain.Common;

namespace IdentityRef.Domain.Identities;

/// <summary>
/// The rules of a merge chosen by the identity vigilance cell (nothing merges by itself): the survivor stays, the
/// other becomes an inactive duplicate pointing to it; a retrieved (and so qualified-capable) INS wins over none;
/// two different INS are a collision, never a merge.
/// </summary>
public static class IdentityMerge
{
    /// <returns>True when the survivor took over the INS (and its traits) of the merged identity.</returns>
    public static bool Merge(Identity survivor, Identity merged, DateTimeOffset now)
    {
        if (survivor.Id == merged.Id)
        {
            throw new DomainRuleException("merge-self", "An identity cannot be merged into itself.");
        }
        if (!survivor.IsActive || !merged.IsActive)
        {
            throw new DomainRuleException("identity-merged", "Both identities must be active to be merged.");
        }
        if (survivor.InsValue is not null && merged.InsValue is not null && survivor.InsValue != merged.InsValue)
        {
            throw new DomainRuleException("ins-collision",
                "The two identities hold different INS: this is a potential collision for the identity vigilance cell, not a duplicate to merge.");
        }
        if (merged.Status == IdentityStatus.Qual && (survivor.Attributes & (IdentityAttributes.Douteuse | IdentityAttributes.Fictive)) != 0)
        {
            // The receivers hold the merged identity's INS as qualified; on a doubtful or fictitious survivor it would be
            // provisional, and no message of a merge withdraws it from them (the group merge refuses this too).
            throw new DomainRuleException("qualified-lost",
                "The merged identity is qualified and the survivor is marked doubtful or fictitious: the merge would leave no qualified identity. Keep the qualified identity as the survivor, or settle the doubt first.");
        }
        var takeOver = TakesOver(survivor, merged);
        if (takeOver)
        {
            survivor.TakeInsFrom(merged, now);
        }
        merged.MarkMergedInto(survivor.Id, now);
        return takeOver;
    }

    /// <summary>Whether merging <paramref name="merged"/> into <paramref name="survivor"/> hands its INS (and its INS traits) over.</summary>
    public static bool TakesOver(Identity survivor, Identity merged) =>
        merged.InsSource == InsSource.Insi && survivor.InsSource != InsSource.Insi
        || (merged.Status == IdentityStatus.Qual && survivor.Status != IdentityStatus.Qual && merged.InsValue is not null);

    /// <summary>
    /// Checks the cell's choice of strict traits for a merge, trait by trait (<paramref name="strictFromMerged"/>: the strict
    /// traits taken from the merged identity whose value differs from the survivor's). Strict traits are the INS traits of an
    /// identity whose INS came from INSi, and the traits a document attested on a validated identity: they move only as a whole,
    /// with their INS or their document. So: when the merged identity's INS wins (<see cref="TakesOver"/>), every strict trait
    /// is its own (<c>merge-ins-traits</c> for one taken from the survivor, <paramref name="strictFromSurvivor"/>); otherwise a
    /// strict trait may come from the merged identity only when neither identity is anchored by an INSi INS or a document
    /// (<c>merge-anchored-traits</c>).
    /// </summary>
    public static void CheckTraitChoice(Identity survivor, Identity merged, IReadOnlyCollection<string> strictFromMerged, IReadOnlyCollection<string> strictFromSurvivor)
    {
        if (TakesOver(survivor, merged))
        {
            if (strictFromSurvivor.Count > 0)
            {
                throw new DomainRuleException("merge-ins-traits",
                    "The merged identity's INS wins the merge: its strict traits are the INS traits and come with it.") { Reason = string.Join(",", strictFromSurvivor) };
            }
            return;
        }
        if (strictFromMerged.Count > 0 && (IsAnchored(survivor) || IsAnchored(merged)))
        {
            throw new DomainRuleException("merge-anchored-traits",
                "Strict traits attested by an INSi INS or an identity document move only with it: keep that identity's strict traits.")
            { Reason = string.Join(",", strictFromMerged) };
        }
    }

    /// <summary>Strict traits held by an INS retrieved through INSi or attested by a document check.</summary>
    public static bool IsAnchored(Identity identity) => identity.InsSource == InsSource.Insi || identity.DocumentType is not null;
}
