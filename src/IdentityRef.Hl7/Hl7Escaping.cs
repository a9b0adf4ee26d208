using System.Globalization;
using System.Text;

namespace IdentityRef.Hl7;

/// <summary>HL7 v2 escape sequences (v2.5 §2.7).</summary>
public static class Hl7Escaping
{
    /// <summary>Escapes delimiters and line breaks in a plain value.</summary>
    public static string Escape(string value, Hl7Delimiters d)
    {
        if (value.Length == 0)
        {
            return value;
        }
        int i = 0;
        for (; i < value.Length; i++)
        {
            char c = value[i];
            if (d.IsDelimiter(c) || c == '\r' || c == '\n')
            {
                break;
            }
        }
        if (i == value.Length)
        {
            return value;
        }
        var sb = new StringBuilder(value.Length + 8);
        sb.Append(value, 0, i);
        for (; i < value.Length; i++)
        {
            char c = value[i];
            char? code = c == d.Field ? 'F' : c == d.Component ? 'S' : c == d.Subcomponent ? 'T' : c == d.Repetition ? 'R' : c == d.Escape ? 'E' : null;
            if (code is { } k)
            {
                sb.Append(d.Escape).Append(k).Append(d.Escape);
            }
            else if (c is '\r' or '\n')
            {
                sb.Append(d.Escape).Append('X').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture)).Append(d.Escape);
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Turns escaped wire text into the value. \Xhh..\ bytes are read as Latin-1 unless an encoding is given.
    /// Sequences we do not interpret (\H\, \N\, \.br\, \Zxx\, \Cxxyy\, \Mxxyyzz\) and malformed ones are
    /// kept literally, so that nothing is lost and nothing throws.
    /// </summary>
    public static string Unescape(string raw, Hl7Delimiters d, Encoding? hexEncoding = null)
    {
        int first = raw.IndexOf(d.Escape, StringComparison.Ordinal);
        if (first < 0)
        {
            return raw;
        }
        var sb = new StringBuilder(raw.Length);
        sb.Append(raw, 0, first);
        int i = first;
        while (i < raw.Length)
        {
            char c = raw[i];
            if (c != d.Escape)
            {
                sb.Append(c);
                i++;
                continue;
            }
            int end = raw.IndexOf(d.Escape, i + 1);
            if (end < 0)
            {
                sb.Append(raw, i, raw.Length - i);
                break;
            }
            var body = raw.AsSpan(i + 1, end - i - 1);
            if (TryDecode(body, d, hexEncoding, sb))
            {
                i = end + 1;
            }
            else
            {
                sb.Append(raw, i, end - i + 1);
                i = end + 1;
            }
        }
        return sb.ToString();
    }

    private static bool TryDecode(ReadOnlySpan<char> body, Hl7Delimiters d, Encoding? hexEncoding, StringBuilder sb)
    {
        if (body.Length == 1)
        {
            char? value = body[0] switch
            {
                'F' => d.Field,
                'S' => d.Component,
                'T' => d.Subcomponent,
                'R' => d.Repetition,
                'E' => d.Escape,
                _ => null,
            };
            if (value is { } v)
            {
                sb.Append(v);
                return true;
            }
            return false;
        }
        if (body.Length > 1 && body[0] == 'X' && TryHex(body[1..], out var bytes))
        {
            sb.Append((hexEncoding ?? Encoding.Latin1).GetString(bytes));
            return true;
        }
        return false;
    }

    internal static bool TryHex(ReadOnlySpan<char> hex, out byte[] bytes)
    {
        bytes = [];
        if (hex.Length == 0 || hex.Length % 2 != 0)
        {
            return false;
        }
        var result = new byte[hex.Length / 2];
        for (int i = 0; i < result.Length; i++)
        {
            if (!byte.TryParse(hex.Slice(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result[i]))
            {
                return false;
            }
        }
        bytes = result;
        return true;
    }

    /// <summary>Classifies one escape sequence body (between the escape characters) for validation.</summary>
    internal static EscapeKind Classify(ReadOnlySpan<char> body)
    {
        if (body.Length == 1 && body[0] is 'F' or 'S' or 'T' or 'R' or 'E')
        {
            return EscapeKind.Delimiter;
        }
        if (body.Length == 1 && body[0] is 'H' or 'N')
        {
            return EscapeKind.PassThrough;
        }
        if (body.Length > 0 && body[0] == 'X')
        {
            return TryHex(body[1..], out _) ? EscapeKind.Hex : EscapeKind.Malformed;
        }
        if (body.Length > 0 && body[0] is '.' or 'Z' or 'C' or 'M')
        {
            return EscapeKind.PassThrough;
        }
        return EscapeKind.Unknown;
    }

    internal enum EscapeKind
    {
        Delimiter,
        Hex,
        PassThrough,
        Unknown,
        Malformed,
    }
}
