using System.Globalization;

namespace IdentityRef.Domain.Common;

/// <summary>
/// The one policy for free text that is not a name (address, city, postcode, phone, e-mail) and for identifiers and
/// their systems, on every entry path (API, web form, import, inbound HL7). Refused: C0 and C1 control characters
/// (NUL, BEL, tab, line breaks included), the bidirectional embeddings, overrides and isolates that make a value
/// display other than it is stored (U+202A–U+202E, U+2066–U+2069), U+FFFD (the trace of a broken encoding),
/// lone surrogates and the non-characters U+FFFE/U+FFFF. Names have their own, stricter rules (INS character set).
/// </summary>
public static class TextPolicy
{
    public const string Code = "invalid-character";

    /// <summary>The first refused character of <paramref name="value"/>, or null when the value is acceptable.</summary>
    public static FieldError? Check(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++; // a whole supplementary character
                continue;
            }
            if (WhyRefused(c) is { } why)
            {
                // The code point, never the value: the value may be patient data.
                return new FieldError(field, Code, $"{why} (U+{(int)c:X4}, character {(i + 1).ToString(CultureInfo.InvariantCulture)}) is not allowed.");
            }
        }
        return null;
    }

    public static bool IsAcceptable(string? value) => Check(value, "value") is null;

    private static string? WhyRefused(char c) => c switch
    {
        < '\u0020' or (>= '\u007F' and <= '\u009F') => "A control character",
        (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') => "A bidirectional text control",
        '\uFFFD' => "The replacement character of a broken encoding",
        '\uFFFE' or '\uFFFF' => "A non-character",
        _ when char.IsSurrogate(c) => "An incomplete surrogate pair",
        _ => null,
    };
}
