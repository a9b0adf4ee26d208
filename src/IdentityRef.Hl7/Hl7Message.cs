using System.Text;

namespace IdentityRef.Hl7;

/// <summary>A parsed or built HL7 v2 message: an ordered list of segments sharing one set of delimiters.</summary>
public sealed class Hl7Message
{
    public Hl7Message(IEnumerable<Hl7Segment> segments, int trailingBlankLines = 0)
    {
        Segments = [.. segments];
        TrailingBlankLines = trailingBlankLines;
        Delimiters = Segments.Count > 0 ? Segments[0].Delimiters : Hl7Delimiters.Default;
    }

    public Hl7Delimiters Delimiters { get; }

    public IReadOnlyList<Hl7Segment> Segments { get; }

    /// <summary>Empty segment terminators received after the last segment, kept so that encoding gives them back.</summary>
    public int TrailingBlankLines { get; }

    public Hl7Segment? Header => Segments.Count > 0 && Segments[0].Name == "MSH" ? Segments[0] : null;

    /// <summary>MSH-9.1 (e.g. ADT).</summary>
    public string MessageType => Header?.Get(9) ?? string.Empty;

    /// <summary>MSH-9.2 (e.g. A28).</summary>
    public string TriggerEvent => Header?.Get(9, 1, 2) ?? string.Empty;

    /// <summary>MSH-9.3 (e.g. ADT_A05).</summary>
    public string MessageStructure => Header?.Get(9, 1, 3) ?? string.Empty;

    public string ControlId => Header?.Get(10) ?? string.Empty;

    /// <summary>The character set MSH-18 declares; null when it is empty or not one we support.</summary>
    public Hl7Charset? Charset
    {
        get
        {
            var value = Header?.Get(18) ?? string.Empty;
            return value.Length > 0 && Hl7Charsets.TryParseMsh18(value, out var c) ? c : null;
        }
    }

    public Hl7Segment? First(string name)
    {
        foreach (var s in Segments)
        {
            if (s.Name == name)
            {
                return s;
            }
        }
        return null;
    }

    public IEnumerable<Hl7Segment> All(string name) => Segments.Where(s => s.Name == name);

    /// <summary>The wire text: each segment ended by CR.</summary>
    public string Encode()
    {
        var sb = new StringBuilder(512);
        foreach (var segment in Segments)
        {
            segment.AppendTo(sb);
            sb.Append('\r');
        }
        sb.Append('\r', TrailingBlankLines);
        return sb.ToString();
    }

    /// <summary>The wire bytes in the character set of MSH-18 (or the given one when MSH-18 is empty or unknown).</summary>
    public byte[] ToBytes(Hl7Charset fallback = Hl7Charset.Utf8) => (Charset ?? fallback).GetEncoding().GetBytes(Encode());

    public override string ToString() => Encode();
}
