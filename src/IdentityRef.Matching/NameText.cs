using System.Globalization;
using System.Text;

namespace IdentityRef.Matching;

/// <summary>Defensive text normalisation: upper case A-Z, diacritics and ligatures folded, separators unified.</summary>
public static class NameText
{
    private static readonly char[] Separators = [' ', '-', '\''];

    /// <summary>Upper-case letters (and digits when <paramref name="keepDigits"/>), single spaces between words.</summary>
    public static string Canonical(string? value, bool keepDigits = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return string.Empty;
        }
        if (IsAlreadyCanonical(value, keepDigits))
        {
            return value;
        }
        var decomposed = value.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var pendingSpace = false;
        foreach (var raw in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(raw) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            var c = char.ToUpperInvariant(raw);
            string? folded = c switch
            {
                'Œ' => "OE",
                'Æ' => "AE",
                'ß' => "SS",
                'Ø' => "O",
                _ => null,
            };
            if (folded is null && !((c >= 'A' && c <= 'Z') || (keepDigits && c >= '0' && c <= '9')))
            {
                // Hyphens, apostrophes and any other character separate words: JEAN-PIERRE = JEAN PIERRE.
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }
            builder.Append(folded ?? c.ToString());
        }
        return builder.ToString();
    }

    /// <summary>Letters only: spaces, hyphens and apostrophes removed (D'ARC = DARC = D ARC).</summary>
    public static string Compact(string? value)
    {
        var canonical = Canonical(value);
        return canonical.Contains(' ', StringComparison.Ordinal) ? canonical.Replace(" ", string.Empty, StringComparison.Ordinal) : canonical;
    }

    /// <summary>The words of a compound name, in order.</summary>
    public static string[] Parts(string? value) =>
        Canonical(value).Split(Separators, StringSplitOptions.RemoveEmptyEntries);

    private static bool IsAlreadyCanonical(string value, bool keepDigits)
    {
        if (value[0] == ' ' || value[^1] == ' ')
        {
            return false;
        }
        var previousSpace = false;
        foreach (var c in value)
        {
            if (c == ' ')
            {
                if (previousSpace)
                {
                    return false;
                }
                previousSpace = true;
                continue;
            }
            previousSpace = false;
            if (!((c >= 'A' && c <= 'Z') || (keepDigits && c >= '0' && c <= '9')))
            {
                return false;
            }
        }
        return true;
    }
}
