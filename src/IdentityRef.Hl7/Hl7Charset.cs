using System.Text;

namespace IdentityRef.Hl7;

/// <summary>The MSH-18 character sets that PAM FR receivers accept.</summary>
public enum Hl7Charset
{
    Ascii,
    Latin1,
    Latin9,
    Utf8,
}

public static class Hl7Charsets
{
    private static readonly Encoding AsciiEncoding = Encoding.GetEncoding("us-ascii", new EncoderReplacementFallback("?"), new DecoderReplacementFallback("?"));
    private static readonly Encoding Utf8Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// ISO-8859-15 (Latin-9, code page 28605), from the code-page encodings of the shared framework. A character it
    /// cannot hold (including the eight Latin-1 ones it replaced by € Š š Ž ž Œ œ Ÿ) is written '?': the replacement
    /// fallback also turns off the "best fit" mapping that would silently change a letter.
    /// </summary>
    private static readonly Encoding Latin9Encoding =
        CodePagesEncodingProvider.Instance.GetEncoding(28605, new EncoderReplacementFallback("?"), new DecoderReplacementFallback("?"))
        ?? throw new InvalidOperationException("The ISO-8859-15 code page is missing from the runtime.");

    /// <summary>The MSH-18 code of a character set (empty for ASCII, which HL7 takes as the default).</summary>
    public static string ToMsh18(this Hl7Charset charset) => charset switch
    {
        Hl7Charset.Ascii => "ASCII",
        Hl7Charset.Latin1 => "8859/1",
        Hl7Charset.Latin9 => "8859/15",
        Hl7Charset.Utf8 => "UNICODE UTF-8",
        _ => throw new ArgumentOutOfRangeException(nameof(charset)),
    };

    /// <summary>Maps an MSH-18 value (HL7 table 0211); false for a value we do not support.</summary>
    public static bool TryParseMsh18(string? value, out Hl7Charset charset)
    {
        charset = Hl7Charset.Ascii;
        switch (value?.Trim().ToUpperInvariant())
        {
            case "ASCII":
                charset = Hl7Charset.Ascii;
                return true;
            case "8859/1":
                charset = Hl7Charset.Latin1;
                return true;
            case "8859/15":
                charset = Hl7Charset.Latin9;
                return true;
            case "UNICODE UTF-8":
            case "UTF-8":
                charset = Hl7Charset.Utf8;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether the character set has a byte for this character (UTF-8: every character but a lone surrogate).</summary>
    public static bool CanEncode(this Hl7Charset charset, char c) => charset switch
    {
        Hl7Charset.Ascii => c < '\u0080',
        Hl7Charset.Latin1 => c <= '\u00FF',
        Hl7Charset.Latin9 => c == '?' || Latin9Encoding.GetBytes([c]) is not [(byte)'?'],
        _ => true,
    };

    /// <summary>
    /// The first character of the message that the character set cannot carry, with where it sits (segment, field),
    /// or null when every character can be written. HL7 v2.5 has no escape for such a character (only \Cxxyy\ and
    /// \Mxxyyzz\ switches to ISO 2022 sets, which PAM FR receivers do not read), so the message must not be
    /// written in that set: encoding it would silently put '?' in its place.
    /// </summary>
    public static (Hl7Location Location, string CodePoint)? FindUnencodable(Hl7Message message, Hl7Charset charset)
    {
        if (charset == Hl7Charset.Utf8)
        {
            return null;
        }
        var sequences = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var segment in message.Segments)
        {
            int sequence = sequences[segment.Name] = sequences.GetValueOrDefault(segment.Name) + 1;
            var fields = segment.RawFields;
            for (int f = 1; f < fields.Count; f++)
            {
                var raw = fields[f];
                for (int i = 0; i < raw.Length; i++)
                {
                    if (!charset.CanEncode(raw[i]))
                    {
                        string code = char.IsHighSurrogate(raw[i]) && i + 1 < raw.Length && char.IsLowSurrogate(raw[i + 1])
                            ? $"U+{char.ConvertToUtf32(raw[i], raw[i + 1]):X4}"
                            : $"U+{(int)raw[i]:X4}";
                        return (new Hl7Location(segment.Name, sequence, f), code);
                    }
                }
            }
        }
        return null;
    }

    /// <summary>The .NET encoding of a character set.</summary>
    public static Encoding GetEncoding(this Hl7Charset charset) => charset switch
    {
        Hl7Charset.Ascii => AsciiEncoding,
        Hl7Charset.Latin1 => Encoding.Latin1,
        Hl7Charset.Latin9 => Latin9Encoding,
        Hl7Charset.Utf8 => Utf8Encoding,
        _ => throw new ArgumentOutOfRangeException(nameof(charset)),
    };
}
