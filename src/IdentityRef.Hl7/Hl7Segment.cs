namespace IdentityRef.Hl7;

/// <summary>
/// One segment: its name and its fields as escaped wire text. Immutable; the raw text is what gets
/// encoded, which is why a parsed message encodes back byte for byte (empty trailing fields included).
/// </summary>
public sealed class Hl7Segment
{
    // fields[0] is the name; fields[n] is field n. For MSH, fields[1] is MSH-1 (the field separator) and
    // fields[2] MSH-2, as HL7 numbers them, although the wire text has no separator between them.
    private readonly string[] _fields;

    private Hl7Segment(string[] fields, Hl7Delimiters delimiters)
    {
        _fields = fields;
        Delimiters = delimiters;
    }

    public string Name => _fields[0];

    public Hl7Delimiters Delimiters { get; }

    public bool IsHeader => Name is "MSH" or "BHS" or "FHS";

    /// <summary>The number of the last field present (empty trailing fields count as present).</summary>
    public int FieldCount => _fields.Length - 1;

    public IReadOnlyList<string> RawFields => _fields;

    /// <summary>Field n (1-based); an empty field when absent.</summary>
    public Hl7Field this[int field] => Field(field);

    public Hl7Field Field(int field)
    {
        if (field < 1 || field >= _fields.Length)
        {
            return new Hl7Field(string.Empty, Delimiters);
        }
        return new Hl7Field(_fields[field], Delimiters, Opaque: IsHeader && field <= 2);
    }

    /// <summary>Unescaped value at field / repetition / component / subcomponent.</summary>
    public string Get(int field, int repetition = 1, int component = 1, int subcomponent = 1) =>
        Field(field).Get(repetition, component, subcomponent);

    /// <summary>Builds a segment from fields 1..n given as escaped wire text (for MSH, from MSH-3 on).</summary>
    public static Hl7Segment FromRaw(string name, Hl7Delimiters delimiters, params IEnumerable<string> rawFields)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var list = new List<string> { name };
        if (name is "MSH" or "BHS" or "FHS")
        {
            list.Add(delimiters.Field.ToString());
            list.Add(delimiters.EncodingCharacters);
        }
        list.AddRange(rawFields);
        return new Hl7Segment([.. list], delimiters);
    }

    /// <summary>Used by the parser: fields[0] is the name, already split as HL7 numbers the fields.</summary>
    internal static Hl7Segment FromParsed(string[] fields, Hl7Delimiters delimiters) => new(fields, delimiters);

    /// <summary>A copy with field n replaced by escaped wire text, padding with empty fields if needed.</summary>
    public Hl7Segment WithRawField(int field, string raw)
    {
        if (field < 1 || (IsHeader && field <= 2))
        {
            throw new ArgumentOutOfRangeException(nameof(field), "MSH-1 and MSH-2 are the delimiters");
        }
        var copy = new string[Math.Max(_fields.Length, field + 1)];
        Array.Fill(copy, string.Empty);
        _fields.CopyTo(copy, 0);
        copy[field] = raw;
        return new Hl7Segment(copy, Delimiters);
    }

    /// <summary>A copy with field n set to a plain value (escaped here).</summary>
    public Hl7Segment WithValue(int field, string value) => WithRawField(field, Hl7Escaping.Escape(value, Delimiters));

    internal void AppendTo(System.Text.StringBuilder sb)
    {
        char sep = Delimiters.Field;
        sb.Append(_fields[0]);
        int start = 1;
        if (IsHeader && _fields.Length > 2)
        {
            sb.Append(sep).Append(_fields[2]);
            start = 3;
        }
        for (int i = start; i < _fields.Length; i++)
        {
            sb.Append(sep).Append(_fields[i]);
        }
    }

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        AppendTo(sb);
        return sb.ToString();
    }
}
