using System.Text;

namespace IdentityRef.Hl7;

/// <summary>MSA-1 acknowledgment codes (original mode).</summary>
public enum Hl7AckCode
{
    /// <summary>AA: accepted.</summary>
    Accept,

    /// <summary>AE: error, do not resend unchanged.</summary>
    Error,

    /// <summary>AR: rejected, may be retried.</summary>
    Reject,
}

/// <summary>Who we are in the ACK, and how to stamp it.</summary>
public sealed record Hl7AckOptions
{
    /// <summary>MSH-10 of the ACK; a fresh GUID-based id when null.</summary>
    public string? ControlId { get; init; }

    /// <summary>MSH-7 of the ACK; when null, the clock's current time in <see cref="TimeZone"/>.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The clock the ACK is stamped with (the server passes its one TimeProvider).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The time zone MSH-7 is written in, with its offset; the clock's local zone when null.</summary>
    public TimeZoneInfo? TimeZone { get; init; }

    /// <summary>Used when the received message gave no receiving application/facility to swap.</summary>
    public string DefaultSendingApplication { get; init; } = "IdentityRef";

    public string DefaultSendingFacility { get; init; } = string.Empty;

    /// <summary>Used when the received message is too broken to tell its version.</summary>
    public string DefaultVersion { get; init; } = "2.5";

    /// <summary>Caps the number of ERR segments (a hostile message can hold thousands of problems).</summary>
    public int MaxErrSegments { get; init; } = 50;
}

/// <summary>Builds original-mode acknowledgements (MSH, MSA, ERR*).</summary>
public static class Hl7Ack
{
    public static string AckCodeText(this Hl7AckCode code) => code switch
    {
        Hl7AckCode.Accept => "AA",
        Hl7AckCode.Error => "AE",
        Hl7AckCode.Reject => "AR",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    /// <summary>AA when no error of severity E, AE otherwise; AR for unsupported type/trigger/version/processing id or no message at all.</summary>
    public static Hl7AckCode ChooseCode(Hl7Message? received, IEnumerable<Hl7Error> errors)
    {
        if (received is null)
        {
            return Hl7AckCode.Reject;
        }
        var severe = errors.Where(e => e.IsError).ToList();
        if (severe.Any(e => e.Code is Hl7ErrorCode.UnsupportedMessageType or Hl7ErrorCode.UnsupportedEventCode or Hl7ErrorCode.UnsupportedVersionId or Hl7ErrorCode.UnsupportedProcessingId))
        {
            return Hl7AckCode.Reject;
        }
        return severe.Count == 0 ? Hl7AckCode.Accept : Hl7AckCode.Error;
    }

    /// <summary>Builds the ACK of a received message.</summary>
    public static Hl7Message Build(Hl7Message received, Hl7AckCode code, IEnumerable<Hl7Error>? errors = null, Hl7AckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(received);
        var header = received.Header;
        return BuildCore(header, received.Delimiters, code, errors ?? [], options ?? new Hl7AckOptions());
    }

    /// <summary>
    /// Builds the ACK of raw bytes, whatever state they are in: from the parsed message when there is one,
    /// otherwise from whatever MSH can be salvaged (MSA-2 stays empty when MSH-10 cannot be read).
    /// </summary>
    public static Hl7Message BuildForBytes(ReadOnlySpan<byte> bytes, Hl7ParseResult parsed, Hl7AckCode? code = null, IEnumerable<Hl7Error>? extraErrors = null, Hl7AckOptions? options = null)
    {
        var errors = parsed.Errors.Concat(extraErrors ?? []).ToList();
        var chosen = code ?? ChooseCode(parsed.Message, errors);
        if (parsed.Message is { } message)
        {
            return Build(message, chosen, errors, options);
        }
        var salvaged = SalvageHeader(bytes);
        return BuildCore(salvaged, Hl7Delimiters.Default, chosen, errors, options ?? new Hl7AckOptions());
    }

    /// <summary>Parses the first line alone with the default delimiters, to recover MSH-3..12 from a broken message.</summary>
    private static Hl7Segment? SalvageHeader(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || !bytes.StartsWith("MSH"u8))
        {
            return null;
        }
        int end = bytes.IndexOfAny((byte)'\r', (byte)'\n');
        var line = Encoding.Latin1.GetString(end < 0 ? bytes[..Math.Min(bytes.Length, 4096)] : bytes[..Math.Min(end, 4096)]);
        if (line.Length < 4 || line[3] != '|')
        {
            return null;
        }
        var pieces = line.Split('|');
        // Keep only plain printable ASCII: the rest of the message is not trusted.
        var fields = pieces.Skip(2).Take(20).Select(p => p.All(c => c is >= ' ' and < '\u007F') ? p : string.Empty);
        return Hl7Segment.FromRaw("MSH", Hl7Delimiters.Default, fields);
    }

    private static Hl7Message BuildCore(Hl7Segment? received, Hl7Delimiters d, Hl7AckCode code, IEnumerable<Hl7Error> errors, Hl7AckOptions options)
    {
        string R(int field) => received is null ? string.Empty : received.Field(field).Raw;
        string trigger = received?.Get(9, 1, 2) ?? string.Empty;
        string sendingApp = R(5).Length > 0 ? R(5) : Hl7Escaping.Escape(options.DefaultSendingApplication, d);
        string sendingFacility = R(6).Length > 0 ? R(6) : Hl7Escaping.Escape(options.DefaultSendingFacility, d);
        string version = R(12).Length > 0 ? R(12) : options.DefaultVersion;
        string timestamp = Hl7DateTime.FormatDateTimeWithOffset(
            options.Timestamp ?? TimeZoneInfo.ConvertTime(options.Clock.GetUtcNow(), options.TimeZone ?? options.Clock.LocalTimeZone));
        string controlId = options.ControlId ?? Guid.NewGuid().ToString("N")[..20];
        var msh = Hl7Segment.FromRaw("MSH", d,
            sendingApp,
            sendingFacility,
            R(3),
            R(4),
            timestamp,
            string.Empty,
            Hl7Compose.Components(d, "ACK", trigger, "ACK"),
            Hl7Escaping.Escape(controlId, d),
            R(11).Length > 0 ? R(11) : "P",
            version,
            string.Empty,
            string.Empty,
            string.Empty,
            string.Empty,
            R(17),
            // Echo the character set only when we can honour it; an unknown one would make the ACK unreadable.
            Hl7Charsets.TryParseMsh18(received?.Get(18) ?? string.Empty, out _) ? R(18) : string.Empty,
            R(19));
        var segments = new List<Hl7Segment>
        {
            TrimTrailing(msh),
            Hl7Segment.FromRaw("MSA", d, code.AckCodeText(), received is null ? string.Empty : R(10)),
        };
        foreach (var error in errors.Take(options.MaxErrSegments))
        {
            segments.Add(ErrSegmentFor(error, d));
        }
        return new Hl7Message(segments);
    }

    /// <summary>ERR (v2.5): ERR-2 location, ERR-3 <c>code^text^HL70357</c>, ERR-4 severity, ERR-8 user message.</summary>
    public static Hl7Segment ErrSegmentFor(Hl7Error error, Hl7Delimiters d)
    {
        string severity = error.Severity switch
        {
            Hl7Severity.Error => "E",
            Hl7Severity.Warning => "W",
            _ => "I",
        };
        string location = error.Location.Segment.Length == 0 ? string.Empty : error.Location.ToErl(d);
        return Hl7Segment.FromRaw("ERR", d,
            string.Empty,
            location,
            Hl7Compose.Components(d, ((int)error.Code).ToString(System.Globalization.CultureInfo.InvariantCulture), Hl7Error.CodeText(error.Code), "HL70357"),
            severity,
            string.Empty,
            string.Empty,
            string.Empty,
            Hl7Escaping.Escape(error.Message, d));
    }

    private static Hl7Segment TrimTrailing(Hl7Segment segment)
    {
        var fields = segment.RawFields.Skip(3).ToList();
        while (fields.Count > 0 && fields[^1].Length == 0)
        {
            fields.RemoveAt(fields.Count - 1);
        }
        return Hl7Segment.FromRaw(segment.Name, segment.Delimiters, fields);
    }
}
