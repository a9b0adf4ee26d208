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
        Hl7Charset.Latin9 => c == '?' || Latin9Encoding.ToByte(c) != (byte)'?',
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

    /// <summary>
    /// The .NET encoding. ISO-8859-15 is hand-made: without System.Text.Encoding.CodePages (a package we
    /// do not take) Encoding.GetEncoding("iso-8859-15") throws on .NET.
    /// </summary>
    public static Encoding GetEncoding(this Hl7Charset charset) => charset switch
    {
        Hl7Charset.Ascii => AsciiEncoding,
        Hl7Charset.Latin1 => Encoding.Latin1,
        Hl7Charset.Latin9 => Latin9Encoding.Instance,
        Hl7Charset.Utf8 => Utf8Encoding,
        _ => throw new ArgumentOutOfRangeException(nameof(charset)),
    };
}

/// <summary>ISO-8859-15 (Latin-9): Latin-1 with eight code points replaced (€ Š š Ž ž Œ œ Ÿ).</summary>
public sealed class Latin9Encoding : Encoding
{
    public static Latin9Encoding Instance { get; } = new();

    private const char Replacement = '?';

    public override string WebName => "iso-8859-15";

    public override string EncodingName => "Western European (ISO-8859-15)";

    public override bool IsSingleByte => true;

    public override int GetByteCount(char[] chars, int index, int count) => count;

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex)
    {
        for (int i = 0; i < charCount; i++)
        {
            bytes[byteIndex + i] = ToByte(chars[charIndex + i]);
        }
        return charCount;
    }

    public override int GetCharCount(byte[] bytes, int index, int count) => count;

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
    {
        for (int i = 0; i < byteCount; i++)
        {
            chars[charIndex + i] = ToChar(bytes[byteIndex + i]);
        }
        return byteCount;
    }

    public override int GetMaxByteCount(int charCount) => charCount;

    public override int GetMaxCharCount(int byteCount) => byteCount;

    public static char ToChar(byte b) => b switch
    {
        0xA4 => '\u20AC',
        0xA6 => '\u0160',
        0xA8 => '\u0161',
        0xB4 => '\u017D',
        0xB8 => '\u017E',
        0xBC => '\u0152',
        0xBD => '\u0153',
        0xBE => '\u0178',
        _ => (char)b,
    };

    public static byte ToByte(char c) => c switch
    {
        '\u20AC' => 0xA4,
        '\u0160' => 0xA6,
        '\u0161' => 0xA8,
        '\u017D' => 0xB4,
        '\u017E' => 0xB8,
        '\u0152' => 0xBC,
        '\u0153' => 0xBD,
        '\u0178' => 0xBE,
        // The eight Latin-1 characters that Latin-9 replaced have no byte any more.
        '\u00A4' or '\u00A6' or '\u00A8' or '\u00B4' or '\u00B8' or '\u00BC' or '\u00BD' or '\u00BE' => (byte)Replacement,
        < '\u0100' => (byte)c,
        _ => (byte)Replacement,
    };
}
