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
        var takeOver = merged.InsSource == InsSource.Insi && survivor.InsSource != InsSource.Insi
            || (merged.Status == IdentityStatus.Qual && survivor.Status != IdentityStatus.Qual && merged.InsValue is not null);
        if (takeOver)
        {
            survivor.TakeInsFrom(merged, now);
        }
        merged.MarkMergedInto(survivor.Id, now);
        return takeOver;
    }
}
