namespace IdentityRef.Hl7;

/// <summary>Splitting helpers over wire text; positions are 1-based as in HL7.</summary>
internal static class Hl7Text
{
    public static int Count(string raw, char separator)
    {
        if (raw.Length == 0)
        {
            return 0;
        }
        return raw.AsSpan().Count(separator) + 1;
    }

    /// <summary>The n-th (1-based) piece of raw split on separator, or empty.</summary>
    public static string Nth(string raw, char separator, int n)
    {
        if (n < 1 || raw.Length == 0)
        {
            return string.Empty;
        }
        int start = 0;
        for (int i = 1; i < n; i++)
        {
            int next = raw.IndexOf(separator, start);
            if (next < 0)
            {
                return string.Empty;
            }
            start = next + 1;
        }
        int end = raw.IndexOf(separator, start);
        if (start == 0 && end < 0)
        {
            return raw;
        }
        return end < 0 ? raw[start..] : raw[start..end];
    }
}

/// <summary>A field of a segment, a view over its escaped wire text.</summary>
public readonly record struct Hl7Field(string Raw, Hl7Delimiters Delimiters, bool Opaque = false)
{
    public bool IsEmpty => Raw.Length == 0;

    /// <summary>HL7 null (<c>""</c>): the receiver must erase the value.</summary>
    public bool IsNull => Raw == "\"\"";

    public int RepetitionCount => Opaque ? (Raw.Length == 0 ? 0 : 1) : Hl7Text.Count(Raw, Delimiters.Repetition);

    public Hl7Repetition Repetition(int n) =>
        Opaque ? new Hl7Repetition(n == 1 ? Raw : string.Empty, Delimiters, true) : new Hl7Repetition(Hl7Text.Nth(Raw, Delimiters.Repetition, n), Delimiters);

    /// <summary>Every repetition, split in one pass (indexing each would be quadratic on hostile input).</summary>
    public IEnumerable<Hl7Repetition> Repetitions
    {
        get
        {
            if (Raw.Length == 0)
            {
                yield break;
            }
            if (Opaque)
            {
                yield return new Hl7Repetition(Raw, Delimiters, true);
                yield break;
            }
            foreach (var piece in Raw.Split(Delimiters.Repetition))
            {
                yield return new Hl7Repetition(piece, Delimiters);
            }
        }
    }

    /// <summary>The unescaped value of the first repetition, component and subcomponent.</summary>
    public string Value => Opaque ? Raw : Repetition(1).Value;

    public string Get(int repetition, int component = 1, int subcomponent = 1) => Repetition(repetition).Component(component).Subcomponent(subcomponent);

    public override string ToString() => Raw;
}

/// <summary>One repetition of a field (a data type value).</summary>
public readonly record struct Hl7Repetition(string Raw, Hl7Delimiters Delimiters, bool Opaque = false)
{
    public bool IsEmpty => Raw.Length == 0;

    public bool IsNull => Raw == "\"\"";

    public int ComponentCount => Opaque ? 1 : Hl7Text.Count(Raw, Delimiters.Component);

    public Hl7Component Component(int n) =>
        Opaque ? new Hl7Component(n == 1 ? Raw : string.Empty, Delimiters, true) : new Hl7Component(Hl7Text.Nth(Raw, Delimiters.Component, n), Delimiters);

    public string Value => Component(1).Value;

    /// <summary>The unescaped first subcomponent of component n.</summary>
    public string this[int component] => Component(component).Value;

    public override string ToString() => Raw;
}

/// <summary>One component of a repetition.</summary>
public readonly record struct Hl7Component(string Raw, Hl7Delimiters Delimiters, bool Opaque = false)
{
    public bool IsEmpty => Raw.Length == 0;

    public int SubcomponentCount => Opaque ? 1 : Hl7Text.Count(Raw, Delimiters.Subcomponent);

    public string RawSubcomponent(int n) => Opaque ? (n == 1 ? Raw : string.Empty) : Hl7Text.Nth(Raw, Delimiters.Subcomponent, n);

    /// <summary>The unescaped subcomponent n.</summary>
    public string Subcomponent(int n) => Opaque ? RawSubcomponent(n) : Hl7Escaping.Unescape(RawSubcomponent(n), Delimiters, Delimiters.HexCharset?.GetEncoding());

    public string Value => Subcomponent(1);

    public override string ToString() => Raw;
}
