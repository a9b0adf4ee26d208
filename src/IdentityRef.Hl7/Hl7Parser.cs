using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace IdentityRef.Hl7;

/// <summary>How hard the parser is on deviations that still leave a usable message.</summary>
public enum Hl7Strictness
{
    /// <summary>Deviations are reported as errors (severity E): the ACK will be AE/AR.</summary>
    Strict,

    /// <summary>Deviations that leave a usable message are reported as warnings (severity W).</summary>
    Lenient,
}

public sealed record Hl7ParseOptions
{
    public static Hl7ParseOptions Lenient { get; } = new();

    public static Hl7ParseOptions Strict { get; } = new() { Strictness = Hl7Strictness.Strict };

    public Hl7Strictness Strictness { get; init; } = Hl7Strictness.Lenient;

    /// <summary>
    /// Character set used when MSH-18 is empty. HL7 says ASCII; French senders often send Latin-9 or UTF-8
    /// without declaring it, so in lenient mode non-ASCII bytes are decoded as UTF-8 when valid, else Latin-1.
    /// </summary>
    public Hl7Charset CharsetWhenUndeclared { get; init; } = Hl7Charset.Ascii;

    /// <summary>Guards against hostile input: fields beyond this are dropped with an error.</summary>
    public int MaxFieldsPerSegment { get; init; } = 500;

    public int MaxRepetitionsPerField { get; init; } = 1000;

    public int MaxSegments { get; init; } = 10_000;
}

/// <summary>The outcome of a parse: a message when one could be made, and every problem found.</summary>
public sealed record Hl7ParseResult(Hl7Message? Message, IReadOnlyList<Hl7Error> Errors, Hl7Charset? Charset = null)
{
    /// <summary>A message came out and nothing of severity E was found.</summary>
    public bool IsSuccess => Message is not null && !Errors.Any(e => e.IsError);
}

/// <summary>Parses ER7 (pipe-and-hat) HL7 v2 text or bytes. Never throws on bad input.</summary>
public static class Hl7Parser
{
    public static Hl7ParseResult Parse(string text, Hl7ParseOptions? options = null)
    {
        var ctx = new Context(options ?? Hl7ParseOptions.Lenient);
        var message = ParseText(text ?? string.Empty, ctx);
        return new Hl7ParseResult(message, ctx.Errors, message?.Charset);
    }

    /// <summary>Reads MSH-18 from the raw bytes, decodes with that character set, then parses.</summary>
    public static Hl7ParseResult Parse(ReadOnlySpan<byte> bytes, Hl7ParseOptions? options = null)
    {
        var ctx = new Context(options ?? Hl7ParseOptions.Lenient);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
            ctx.Deviation(Hl7ErrorCode.DataTypeError, Hl7Location.Message, "UTF-8 byte order mark before MSH");
        }
        var charset = DetectCharset(bytes, ctx, out bool declared);
        ctx.Charset = charset;
        var text = Decode(bytes, charset, declared, ctx);
        var message = ParseText(text, ctx);
        return new Hl7ParseResult(message, ctx.Errors, charset);
    }

    private static Hl7Charset DetectCharset(ReadOnlySpan<byte> bytes, Context ctx, out bool isDeclared)
    {
        var declared = ReadMsh18(bytes);
        isDeclared = false;
        if (declared is null || declared.Length == 0)
        {
            return ctx.Options.CharsetWhenUndeclared;
        }
        if (Hl7Charsets.TryParseMsh18(declared, out var charset))
        {
            isDeclared = true;
            return charset;
        }
        ctx.Error(Hl7ErrorCode.TableValueNotFound, new Hl7Location("MSH", 1, 18, 1, 1), "character set not supported (table 0211)");
        return ctx.Options.CharsetWhenUndeclared;
    }

    /// <summary>MSH-18.1 from the raw bytes; every supported charset is ASCII-compatible in that range.</summary>
    internal static string? ReadMsh18(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8 || bytes[0] != (byte)'M' || bytes[1] != (byte)'S' || bytes[2] != (byte)'H')
        {
            return null;
        }
        byte sep = bytes[3];
        int lineEnd = bytes.IndexOfAny((byte)'\r', (byte)'\n');
        var line = lineEnd < 0 ? bytes : bytes[..lineEnd];
        if (line.Length < 5)
        {
            return null;
        }
        // On the wire MSH-2 is the first piece after the name, so MSH-n is piece n-1.
        int piece = 0;
        int start = 3;
        while (piece < 16)
        {
            int next = line[(start + 1)..].IndexOf(sep);
            if (next < 0)
            {
                return null;
            }
            start = start + 1 + next;
            piece++;
        }
        var rest = line[(start + 1)..];
        int end = rest.IndexOf(sep);
        var field = end < 0 ? rest : rest[..end];
        var encoding = line[4..];
        int encEnd = encoding.IndexOf(sep);
        if (encEnd >= 2)
        {
            // Stop at the component or repetition separator: only the first value names the default charset.
            int stop = field.IndexOfAny(encoding[0], encoding[1]);
            if (stop >= 0)
            {
                field = field[..stop];
            }
        }
        return Encoding.ASCII.GetString(field);
    }

    /// <summary>
    /// Bytes that do not decode under the character set MSH-18 declares are an error (E, whatever the strictness):
    /// the text would hold U+FFFD or guessed letters, and a name stored that way is a wrong identity. With no MSH-18
    /// the sender declared nothing, and the lenient policy guesses UTF-8, then Latin-1, with a warning.
    /// </summary>
    private static string Decode(ReadOnlySpan<byte> bytes, Hl7Charset charset, bool declared, Context ctx)
    {
        switch (charset)
        {
            case Hl7Charset.Utf8:
                if (!Utf8.IsValid(bytes))
                {
                    var at = LocateByte(bytes, FirstInvalidUtf8(bytes));
                    const string Text = "bytes that are not valid UTF-8 although MSH-18 declares UNICODE UTF-8";
                    if (declared)
                    {
                        ctx.Error(Hl7ErrorCode.DataTypeError, at, Text);
                    }
                    else
                    {
                        ctx.Deviation(Hl7ErrorCode.DataTypeError, at, "bytes that are not valid UTF-8 (replaced by U+FFFD)");
                    }
                }
                return Encoding.UTF8.GetString(bytes);
            case Hl7Charset.Ascii:
                int high = bytes.IndexOfAnyInRange((byte)0x80, (byte)0xFF);
                if (high < 0)
                {
                    return Encoding.ASCII.GetString(bytes);
                }
                if (declared)
                {
                    ctx.Error(Hl7ErrorCode.DataTypeError, LocateByte(bytes, high), "non-ASCII bytes although MSH-18 declares ASCII");
                }
                else
                {
                    ctx.Deviation(Hl7ErrorCode.DataTypeError, LocateByte(bytes, high), "non-ASCII bytes while MSH-18 declares nothing (HL7 then means ASCII)");
                }
                return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
            default:
                return charset.GetEncoding().GetString(bytes);
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var buffer = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            Utf8.ToUtf16(bytes, buffer, out int read, out _, replaceInvalidSequences: false);
            return read;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static Hl7Location LocateByte(ReadOnlySpan<byte> bytes, int offset)
    {
        offset = Math.Clamp(offset, 0, bytes.Length);
        var before = bytes[..offset];
        int lineStart = before.LastIndexOfAny((byte)'\r', (byte)'\n') + 1;
        var line = before[lineStart..];
        string name = line.Length >= 3 ? Encoding.ASCII.GetString(line[..3]) : string.Empty;
        if (!IsSegmentName(name) || bytes.Length < 4)
        {
            return Hl7Location.Message;
        }
        int sequence = 1;
        var earlier = before[..lineStart];
        while (earlier.Length > 0)
        {
            int end = earlier.IndexOfAny((byte)'\r', (byte)'\n');
            var previous = end < 0 ? earlier : earlier[..end];
            if (previous.Length >= 3 && previous[..3].SequenceEqual(line[..3]))
            {
                sequence++;
            }
            earlier = end < 0 ? [] : earlier[(end + 1)..];
        }
        int field = line.Count(bytes[3]) + (name == "MSH" ? 1 : 0);
        return new Hl7Location(name, sequence, field);
    }

    private static Hl7Message? ParseText(string text, Context ctx)
    {
        int start = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            start = 1;
        }
        if (text.Length - start < 8 || string.CompareOrdinal(text, start, "MSH", 0, 3) != 0)
        {
            ctx.Error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location("MSH", 1), text.Length - start == 0 ? "empty message" : "the message does not start with an MSH segment");
            return null;
        }
        char fieldSep = text[start + 3];
        int encEnd = text.IndexOf(fieldSep, start + 4);
        int firstLineEnd = text.AsSpan(start).IndexOfAny('\r', '\n');
        firstLineEnd = firstLineEnd < 0 ? text.Length : firstLineEnd + start;
        if (firstLineEnd < start + 4)
        {
            ctx.Error(Hl7ErrorCode.DataTypeError, new Hl7Location("MSH", 1, 1), "bad delimiters: the field separator is a segment terminator");
            return null;
        }
        string encoding = encEnd < 0 || encEnd > firstLineEnd ? text[(start + 4)..firstLineEnd] : text[(start + 4)..encEnd];
        if (!Hl7Delimiters.TryCreate(fieldSep, encoding, out var delimiters, out var problem))
        {
            ctx.Error(Hl7ErrorCode.DataTypeError, new Hl7Location("MSH", 1, char.IsLetterOrDigit(fieldSep) || char.IsControl(fieldSep) ? 1 : 2), "bad delimiters: " + problem);
            return null;
        }
        // hex escapes are bytes of the message's character set: the one the bytes were decoded with, else MSH-18
        var hexCharset = ctx.Charset;
        if (hexCharset is null && Hl7Charsets.TryParseMsh18(ReadMsh18(Encoding.Latin1.GetBytes(text[start..firstLineEnd])), out var declared))
        {
            hexCharset = declared;
        }
        delimiters = delimiters with { HexCharset = hexCharset };

        var segments = new List<Hl7Segment>();
        var lines = SplitLines(text, start);
        int trailingBlank = 0;
        int lastNonBlank = lines.FindLastIndex(l => l.Length > 0);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i];
            if (line.Length == 0)
            {
                if (i > lastNonBlank)
                {
                    trailingBlank++;
                }
                else
                {
                    ctx.Deviation(Hl7ErrorCode.SegmentSequenceError, new Hl7Location(string.Empty, segments.Count + 1), "empty segment");
                }
                continue;
            }
            if (segments.Count >= ctx.Options.MaxSegments)
            {
                ctx.Error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location(string.Empty, segments.Count + 1), "too many segments; the rest is ignored");
                break;
            }
            var segment = ParseSegment(line, delimiters, segments.Count == 0, counts, ctx);
            if (segment is not null)
            {
                segments.Add(segment);
            }
        }
        var message = new Hl7Message(segments, trailingBlank);
        CheckHeader(segments[0], ctx);
        return message;
    }

    private static List<string> SplitLines(string text, int start)
    {
        var lines = new List<string>(16);
        int i = start;
        while (i < text.Length)
        {
            int end = text.AsSpan(i).IndexOfAny('\r', '\n');
            if (end < 0)
            {
                lines.Add(text[i..]);
                break;
            }
            end += i;
            lines.Add(text[i..end]);
            i = end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1);
        }
        return lines;
    }

    private static Hl7Segment? ParseSegment(string line, Hl7Delimiters d, bool isFirst, Dictionary<string, int> counts, Context ctx)
    {
        int nameEnd = line.IndexOf(d.Field);
        string name = nameEnd < 0 ? line : line[..nameEnd];
        counts[name] = counts.TryGetValue(name, out int n) ? n + 1 : 1;
        int sequence = counts[name];
        var location = new Hl7Location(name, sequence);
        if (!IsSegmentName(name))
        {
            ctx.Error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location(name.Length > 3 ? name[..3] : name, sequence), "invalid segment name");
            return null;
        }
        if (!isFirst && name == "MSH")
        {
            ctx.Deviation(Hl7ErrorCode.SegmentSequenceError, location, "MSH segment repeated inside the message");
        }

        string[] pieces = line.Split(d.Field);
        bool header = name is "MSH" or "BHS" or "FHS";
        string[] fields;
        if (header)
        {
            fields = new string[pieces.Length + 1];
            fields[0] = name;
            fields[1] = d.Field.ToString();
            Array.Copy(pieces, 1, fields, 2, pieces.Length - 1);
        }
        else
        {
            fields = pieces;
        }
        int max = ctx.Options.MaxFieldsPerSegment;
        if (fields.Length - 1 > max)
        {
            ctx.Error(Hl7ErrorCode.DataTypeError, location with { Field = max + 1 }, $"more than {max} fields; the rest is dropped");
            Array.Resize(ref fields, max + 1);
        }
        for (int f = header ? 3 : 1; f < fields.Length; f++)
        {
            CheckField(fields[f], d, location with { Field = f }, ctx);
        }
        return Hl7Segment.FromParsed(fields, d);
    }

    private static void CheckField(string raw, Hl7Delimiters d, Hl7Location location, Context ctx)
    {
        if (raw.Length == 0)
        {
            return;
        }
        int reps = raw.AsSpan().Count(d.Repetition) + 1;
        if (reps > ctx.Options.MaxRepetitionsPerField)
        {
            ctx.Error(Hl7ErrorCode.DataTypeError, location, $"more than {ctx.Options.MaxRepetitionsPerField} repetitions");
        }
        int esc = raw.IndexOf(d.Escape);
        if (esc < 0)
        {
            return;
        }
        int rep = 1, comp = 1, sub = 1;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c == d.Repetition)
            {
                rep++;
                comp = 1;
                sub = 1;
            }
            else if (c == d.Component)
            {
                comp++;
                sub = 1;
            }
            else if (c == d.Subcomponent)
            {
                sub++;
            }
            else if (c == d.Escape)
            {
                var here = location with { Repetition = rep, Component = comp, Subcomponent = sub };
                int end = raw.IndexOf(d.Escape, i + 1);
                int nextDelimiter = raw.AsSpan(i + 1).IndexOfAny(d.Component, d.Repetition, d.Subcomponent);
                if (end < 0 || (nextDelimiter >= 0 && nextDelimiter + i + 1 < end))
                {
                    ctx.Deviation(Hl7ErrorCode.DataTypeError, here, "unterminated escape sequence (kept as text)");
                    continue;
                }
                switch (Hl7Escaping.Classify(raw.AsSpan(i + 1, end - i - 1)))
                {
                    case Hl7Escaping.EscapeKind.Malformed:
                        ctx.Deviation(Hl7ErrorCode.DataTypeError, here, "malformed hexadecimal escape sequence (kept as text)");
                        break;
                    case Hl7Escaping.EscapeKind.Unknown:
                        ctx.Deviation(Hl7ErrorCode.DataTypeError, here, "unknown escape sequence (kept as text)");
                        break;
                    default:
                        break;
                }
                i = end;
            }
        }
    }

    private static void CheckHeader(Hl7Segment msh, Context ctx)
    {
        void Require(int field, string what, bool alwaysError)
        {
            if (msh.Field(field).IsEmpty)
            {
                var location = new Hl7Location("MSH", 1, field);
                if (alwaysError)
                {
                    ctx.Error(Hl7ErrorCode.RequiredFieldMissing, location, what + " is missing");
                }
                else
                {
                    ctx.Deviation(Hl7ErrorCode.RequiredFieldMissing, location, what + " is missing");
                }
            }
        }
        Require(9, "MSH-9 message type", alwaysError: true);
        Require(10, "MSH-10 message control id", alwaysError: true);
        Require(11, "MSH-11 processing id", alwaysError: false);
        Require(12, "MSH-12 version id", alwaysError: false);
        // An ACK to a message too broken to tell its trigger legitimately has none.
        if (!msh.Field(9).IsEmpty && msh.Get(9, 1, 2).Length == 0 && msh.Get(9) != "ACK")
        {
            ctx.Deviation(Hl7ErrorCode.RequiredFieldMissing, new Hl7Location("MSH", 1, 9, 1, 2), "MSH-9.2 trigger event is missing");
        }
    }

    internal static bool IsSegmentName(string name) =>
        name.Length == 3 && char.IsAsciiLetterUpper(name[0]) && (char.IsAsciiLetterUpper(name[1]) || char.IsAsciiDigit(name[1])) && (char.IsAsciiLetterUpper(name[2]) || char.IsAsciiDigit(name[2]));

    private sealed class Context(Hl7ParseOptions options)
    {
        public Hl7ParseOptions Options { get; } = options;

        public List<Hl7Error> Errors { get; } = [];

        /// <summary>The character set the bytes were decoded with (null when parsing text).</summary>
        public Hl7Charset? Charset { get; set; }

        public void Error(Hl7ErrorCode code, Hl7Location location, string message) =>
            Errors.Add(new Hl7Error(code, Hl7Severity.Error, location, message));

        /// <summary>A deviation that leaves a usable message: an error when strict, a warning when lenient.</summary>
        public void Deviation(Hl7ErrorCode code, Hl7Location location, string message) =>
            Errors.Add(new Hl7Error(code, Options.Strictness == Hl7Strictness.Strict ? Hl7Severity.Error : Hl7Severity.Warning, location, message));
    }
}
