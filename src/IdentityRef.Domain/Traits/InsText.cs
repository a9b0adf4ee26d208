using System.Globalization;
using System.Text;
using IdentityRef.Domain.Common;

namespace IdentityRef.Domain.Traits;

/// <summary>What a name-like trait is, because the INS separator rules differ between names and first names.</summary>
public enum NameKind
{
    /// <summary>Birth name or used name: a double hyphen is allowed inside (civil-status double names).</summary>
    Name,

    /// <summary>One or several first names: no double hyphen, no hyphen or apostrophe at the end.</summary>
    FirstName,
}

/// <summary>
/// The INS character rules for identity traits (INSi integration guide, as in the WSDL patterns): upper-case
/// A–Z, separators space, apostrophe and hyphen, no diacritics, no ligatures. Input is normalised (case,
/// diacritics, ligatures, typographic apostrophes and hyphens, runs of spaces); a character with no defined
/// equivalent is an error, never silently dropped.
/// </summary>
public static class InsText
{
    public const int MaxLength = 100;

    /// <summary>
    /// Letters whose INS equivalent Unicode decomposition does not give (a letter with a stroke or a bar is one character,
    /// not a letter plus a mark): the ligatures and the conventional Latin transliterations, as civil-status officers
    /// write them in capitals. Documented in docs/insi.md ("Names"); a letter absent from this table and from Unicode
    /// decomposition is an error, never guessed.
    /// </summary>
    public static readonly IReadOnlyDictionary<char, string> Equivalents = new Dictionary<char, string>
    {
        // ligatures
        ['Œ'] = "OE", ['œ'] = "OE", ['Æ'] = "AE", ['æ'] = "AE", ['ß'] = "SS", ['ẞ'] = "SS",
        // letters with a stroke, a bar or no dot
        ['Ø'] = "O", ['ø'] = "O", ['Ð'] = "D", ['ð'] = "D", ['Đ'] = "D", ['đ'] = "D", ['Þ'] = "TH", ['þ'] = "TH",
        ['Ł'] = "L", ['ł'] = "L", ['Ŀ'] = "L", ['ŀ'] = "L", ['Ħ'] = "H", ['ħ'] = "H", ['Ŧ'] = "T", ['ŧ'] = "T",
        ['ı'] = "I", ['ĸ'] = "K", ['Ŋ'] = "N", ['ŋ'] = "N",
        // typographic apostrophes and hyphens
        ['’'] = "'", ['‘'] = "'", ['ʼ'] = "'", ['`'] = "'", ['´'] = "'",
        ['‐'] = "-", ['‑'] = "-", ['–'] = "-", ['—'] = "-",
    };

    /// <summary>
    /// Normalises <paramref name="input"/> to the INS form and checks the separator rules.
    /// </summary>
    /// <param name="field">The API field name, used in the errors.</param>
    public static Result<string> Normalize(string? input, string field, NameKind kind)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return new FieldError(field, "required", "The value is required.");
        }

        var trimmed = input.Trim();
        // string.Normalize throws on a lone surrogate: refused first, like any character with no INS equivalent.
        for (var i = 0; i < trimmed.Length; i++)
        {
            if (char.IsHighSurrogate(trimmed[i]) && i + 1 < trimmed.Length && char.IsLowSurrogate(trimmed[i + 1]))
            {
                i++; // a whole supplementary character
            }
            else if (char.IsSurrogate(trimmed[i]))
            {
                return NoEquivalent(field, trimmed, i);
            }
        }

        var builder = new StringBuilder(input.Length);
        var decomposed = trimmed.Normalize(NormalizationForm.FormD);
        for (var i = 0; i < decomposed.Length; i++)
        {
            var c = decomposed[i];
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue; // diacritic of the preceding letter (É = E + ́)
            }
            if (c is >= 'A' and <= 'Z' or '\'' or '-')
            {
                builder.Append(c);
            }
            else if (c is >= 'a' and <= 'z')
            {
                builder.Append(char.ToUpperInvariant(c));
            }
            else if (char.IsWhiteSpace(c))
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' '); // runs of spaces fold to one
                }
            }
            else if (Equivalents.TryGetValue(c, out var equivalent))
            {
                builder.Append(equivalent);
            }
            else
            {
                return NoEquivalent(field, decomposed, i);
            }
        }

        var text = builder.ToString();
        return CheckSeparators(text, field, kind) is { } error ? error : Result<string>.Success(text);
    }

    private static FieldError NoEquivalent(string field, string text, int index) => new(field, "invalid-character",
        $"The character {Shown(text, index)} has no equivalent in the INS alphabet (letters, space, apostrophe, hyphen).");

    /// <summary>
    /// A refused character as a message shows it: quoted when it prints, else by its code point (as <see cref="TextPolicy"/>
    /// does). The message reaches terminals, reports and pages: a raw U+202E would turn the rest of the line around, a NUL
    /// cut it, a lone surrogate break its encoding.
    /// </summary>
    private static string Shown(string text, int index)
    {
        if (!Rune.TryGetRuneAt(text, index, out var rune))
        {
            return $"U+{(int)text[index]:X4}"; // a lone surrogate
        }
        return IsPrintable(rune) ? $"'{rune}'" : $"U+{rune.Value:X4}";
    }

    // Letters, digits, punctuation and symbols print; controls, format characters (bidi, zero width), separators, marks on
    // their own, private use and unassigned code points do not, nor U+FFFD (the trace of a broken encoding).
    private static bool IsPrintable(Rune rune) => rune.Value != 0xFFFD && Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => true,
        UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol => true,
        _ => false,
    };

    private static FieldError? CheckSeparators(string text, string field, NameKind kind)
    {
        if (text.Length > MaxLength)
        {
            return new FieldError(field, "too-long", $"At most {MaxLength} characters ({text.Length} given).");
        }
        if (!text.Any(c => c is >= 'A' and <= 'Z'))
        {
            return new FieldError(field, "no-letter", "The value must contain letters.");
        }
        if (text[0] is '-' or '\'')
        {
            return new FieldError(field, "leading-separator", "The value cannot start with a hyphen or an apostrophe.");
        }
        // Neither a name nor a first name ends with a separator (INS rules): "D'" or "DUPONT-" is a truncated entry.
        if (text[^1] is '-' or '\'')
        {
            return new FieldError(field, "trailing-separator", "The value cannot end with a hyphen or an apostrophe.");
        }
        for (var i = 1; i < text.Length; i++)
        {
            var (previous, current) = (text[i - 1], text[i]);
            if (previous == '-' && current == '-')
            {
                var tripled = i + 1 < text.Length && text[i + 1] == '-';
                if (kind == NameKind.FirstName || tripled)
                {
                    return new FieldError(field, "double-hyphen", kind == NameKind.FirstName
                        ? "A double hyphen is not allowed in a first name."
                        : "At most two hyphens in a row.");
                }
            }
            else if (IsSeparator(previous) && IsSeparator(current) && !(previous == '-' && current == '-'))
            {
                return new FieldError(field, "adjacent-separators", "Two separators (space, apostrophe, hyphen) cannot follow each other.");
            }
        }
        return null;
    }

    private static bool IsSeparator(char c) => c is ' ' or '\'' or '-';

    /// <summary>The words of a first-name text, hyphens and apostrophes counting as spaces.</summary>
    public static string[] Words(string normalized) =>
        normalized.Split([' ', '-', '\''], StringSplitOptions.RemoveEmptyEntries);
}
