using System.Globalization;
using IdentityRef.Domain.Identities;

namespace IdentityRef.Server.Web;

/// <summary>
/// An identity's history as a person reads it: each audited value in French (dates as <c>JJ/MM/AAAA</c>, yes/no,
/// the sex and the documents by their names, another identity by its IPP, never its internal id).
/// </summary>
public static class HistoryText
{
    /// <summary>A value of an audited field, in French; <paramref name="ipps"/> names the identities the trail designates by id.</summary>
    public static string Value(string field, string? value, IReadOnlyDictionary<Guid, string> ipps, TimeProvider clock)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "∅";
        }
        if (value is "true" or "True")
        {
            return "oui";
        }
        if (value is "false" or "False")
        {
            return "non";
        }
        if (Guid.TryParse(value, out var id))
        {
            return ipps.TryGetValue(id, out var ipp) ? "IPP " + ipp : "une autre identité";
        }
        switch (field)
        {
            case "sex":
                return FrenchText.Sex(value);
            case "documentType":
                return FrenchText.Document(value);
            case "insSource":
                return value switch { "Insi" => "téléservice INSi", "Declared" => "déclaré", _ => value };
            case "status" when IdentityStatusCodes.Parse(value) is { } status:
                return $"{status.Code()} ({status.Label().ToLowerInvariant()})";
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return FrenchFormat.Date(day);
        }
        if (value.Length > 10 && value[4] == '-' && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
        {
            return FrenchFormat.Minute(at, clock);
        }
        return value;
    }

    /// <summary>The ids the values of a history designate (a merge names the other identity by its id).</summary>
    public static IEnumerable<Guid> Ids(IEnumerable<string?> values) =>
        values.Select(v => Guid.TryParse(v, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty);

    /// <summary>The system that gave an identifier, in French: <c>hl7:URGENCES</c> → « URGENCES (flux entrant) ».</summary>
    public static string System(string system) => system switch
    {
        "merged-ipp" => "Ancien IPP (identité fusionnée)",
        _ when system.StartsWith("hl7:", StringComparison.Ordinal) => $"{system[4..]} (flux entrant)",
        _ when system.StartsWith("import:", StringComparison.Ordinal) => $"{system[7..]} (import)",
        _ => system,
    };
}
