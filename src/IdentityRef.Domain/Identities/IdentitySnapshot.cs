using System.Globalization;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Identities;

/// <summary>
/// A flat picture of an identity, field by field, for the audit trail: the trail keeps, for every change,
/// the fields before and after.
/// </summary>
public static class IdentitySnapshot
{
    public static SortedDictionary<string, string?> Of(Identity identity) => new(StringComparer.Ordinal)
    {
        ["ipp"] = identity.Ipp,
        ["birthName"] = identity.BirthName,
        ["firstNames"] = identity.FirstNames,
        ["firstName"] = identity.FirstName,
        ["birthDate"] = identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["birthDateCorrected"] = identity.BirthDateCorrected ? "true" : "false",
        ["sex"] = identity.Sex.Code(),
        ["birthPlaceCode"] = identity.BirthPlaceCode,
        ["usedName"] = identity.UsedName,
        ["usedFirstName"] = identity.UsedFirstName,
        ["address"] = identity.Address,
        ["postcode"] = identity.Postcode,
        ["city"] = identity.City,
        ["phone"] = identity.Phone,
        ["email"] = identity.Email,
        ["deathDate"] = identity.DeathDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["status"] = identity.Status.Code(),
        ["attributes"] = string.Join(",", identity.Attributes.Codes()),
        ["ins"] = identity.InsValue,
        ["insOid"] = identity.InsKind is { } kind ? Ins.InsOids.Oid(kind) : null,
        ["insSource"] = identity.InsSource?.ToString(),
        ["insiCheckedAt"] = identity.InsiCheckedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["insHistory"] = string.Join(",", identity.InsHistory.Select(h => h.Value)),
        ["documentType"] = identity.DocumentType,
        ["documentNumber"] = identity.DocumentNumber,
        ["documentExpires"] = identity.DocumentExpires?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["documentCheckedBy"] = identity.DocumentCheckedBy,
        ["documentCheckedAt"] = identity.DocumentCheckedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["mergedInto"] = identity.MergedIntoId?.ToString(),
        ["receivedObtainingMode"] = identity.ReceivedObtainingMode,
        ["receivedDocumentType"] = identity.ReceivedDocumentType,
        ["receivedDocumentExpires"] = identity.ReceivedDocumentExpires?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    /// <summary>The fields that differ: (before, after) restricted to what changed.</summary>
    public static (SortedDictionary<string, string?> Before, SortedDictionary<string, string?> After) Diff(
        IReadOnlyDictionary<string, string?>? before, IReadOnlyDictionary<string, string?> after)
    {
        var b = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        var a = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (field, value) in after)
        {
            string? old = null;
            if (before is not null && before.TryGetValue(field, out old) && old == value)
            {
                continue;
            }
            if (before is not null)
            {
                b[field] = old;
            }
            a[field] = value;
        }
        return (b, a);
    }
}
