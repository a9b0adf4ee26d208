using System.Globalization;
using System.Text;

namespace IdentityRef.Application.Security;

/// <summary>The roles of the identity server, spelled as the hospital's staff say them.</summary>
public static class Roles
{
    /// <summary>Admission staff (accueil, bureau des entrées): search, create, correct, qualify.</summary>
    public const string Accueil = "Accueil";

    /// <summary>The identity vigilance cell (CIV): everything admission does, plus the duplicate work queue.</summary>
    public const string Identitovigilance = "Identitovigilance";

    /// <summary>Interface integrators: read identities, run subscriptions, messages and jobs.</summary>
    public const string Integrateur = "Intégrateur";

    /// <summary>Everything, including accounts.</summary>
    public const string Administrateur = "Administrateur";

    /// <summary>Querying systems (lab, imaging, FHIR applications): PDQ, PIX, PDQm, PIXm and nothing else; read-only.</summary>
    public const string Consultation = "Consultation";

    public static IReadOnlyList<string> All { get; } = [Accueil, Identitovigilance, Integrateur, Administrateur, Consultation];

    /// <summary>The canonical role for a name typed in any case, with or without accents (<c>integrateur</c> → <c>Intégrateur</c>).</summary>
    public static string? Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }
        var key = Fold(name);
        return All.FirstOrDefault(r => Fold(r) == key);
    }

    private static string Fold(string text)
    {
        var decomposed = text.Trim().Normalize(NormalizationForm.FormD);
        var kept = decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark);
        return new string(kept.ToArray()).ToUpperInvariant();
    }
}
