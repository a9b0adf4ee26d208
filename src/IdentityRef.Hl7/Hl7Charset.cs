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
