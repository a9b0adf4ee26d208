using System.Text;

namespace IdentityRef.Matching;

/// <summary>
/// French Soundex2 (F. Brouard's adaptation of Soundex to French, as described at sqlpro.developpez.com and
/// implemented in public phonetic libraries): at most four letters, no padding. Spaces, hyphens and
/// apostrophes are ignored, so compound-name variants share one key.
/// </summary>
public static class Soundex2
{
    private const int MaxLength = 4;

    private static readonly (string From, string To)[] Substitutions =
    [
        ("GUI", "KI"), ("GUE", "KE"), ("GA", "KA"), ("GO", "KO"), ("GU", "K"),
        ("CA", "KA"), ("CO", "KO"), ("CU", "KU"), ("Q", "K"), ("CC", "K"), ("CK", "K"),
    ];

    private static readonly (string From, string To)[] Prefixes =
    [
        ("MAC", "MCC"), ("SCH", "SSS"), ("ASA", "AZA"), ("KN", "NN"), ("PH", "FF"), ("PF", "FF"),
    ];

    public static string Encode(string? name)
    {
        var word = NameText.Compact(name);
        if (word.Length == 0)
        {
            return string.Empty;
        }

        // 1. Hard G and C become K, Q becomes K.
        foreach (var (from, to) in Substitutions)
        {
            if (word.Contains(from, StringComparison.Ordinal))
            {
                word = word.Replace(from, to, StringComparison.Ordinal);
            }
        }

        // 2. Every vowel but the first letter becomes A (Y stays).
        var chars = word.ToCharArray();
        for (var i = 1; i < chars.Length; i++)
        {
            if (chars[i] is 'E' or 'I' or 'O' or 'U')
            {
                chars[i] = 'A';
            }
        }
        word = new string(chars);

        // 3. Prefixes.
        foreach (var (from, to) in Prefixes)
        {
            if (word.StartsWith(from, StringComparison.Ordinal))
            {
                word = to + word[from.Length..];
                break;
            }
        }

        // 4. H is silent unless after C or S; Y is silent unless after A.
        var kept = new StringBuilder(word.Length);
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (i > 0 && c == 'H' && word[i - 1] is not ('C' or 'S'))
            {
                continue;
            }
            if (i > 0 && c == 'Y' && word[i - 1] != 'A')
            {
                continue;
            }
            kept.Append(c);
        }

        // 5. A silent final A, D, T or S.
        if (kept.Length > 1 && kept[^1] is 'A' or 'D' or 'T' or 'S')
        {
            kept.Length--;
        }

        // 6. Drop every A but the first letter, then collapse repeated letters, keep four.
        var result = new StringBuilder(MaxLength);
        for (var i = 0; i < kept.Length && result.Length < MaxLength; i++)
        {
            var c = kept[i];
            if (i > 0 && c == 'A')
            {
                continue;
            }
            if (result.Length > 0 && result[^1] == c)
            {
                continue;
            }
            result.Append(c);
        }
        return result.ToString();
    }
}
