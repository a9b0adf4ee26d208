using System.Xml;
using System.Xml.Linq;

namespace IdentityRef.Insi;

/// <summary>
/// XML loading with no DTD, no external resolution and a nesting limit (answers and requests come from the network), and
/// strict reading of single-valued elements.
/// </summary>
internal static class InsiXml
{
    /// <summary>
    /// The deepest element nesting read (the root is level 1). Real INSi messages are about 10 levels deep (the recorded
    /// answers 7); anything deeper is refused before the document is built, which would cost quadratic time and, when its
    /// text is read, a recursion deep enough to overflow the stack.
    /// </summary>
    public const int MaxDepth = 32;

    private static readonly XmlReaderSettings SafeSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>The document, or null when it is not well-formed XML or nests elements deeper than <see cref="MaxDepth"/>.</summary>
    public static XDocument? TryLoad(byte[] bytes)
    {
        try
        {
            if (!WithinDepth(bytes))
            {
                return null;
            }

            using var stream = new MemoryStream(bytes, writable: false);
            using var reader = XmlReader.Create(stream, SafeSettings);
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>A streaming pass that stops at the first element nested deeper than <see cref="MaxDepth"/>.</summary>
    private static bool WithinDepth(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var reader = XmlReader.Create(stream, SafeSettings);
        while (reader.Read())
        {
            // XmlReader.Depth is 0 for the root element.
            if (reader.NodeType == XmlNodeType.Element && reader.Depth >= MaxDepth)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The single element child of soap:Body of a SOAP 1.2 envelope, or why there is none.</summary>
    public static (XElement? Payload, string? Problem) BodyPayload(XDocument document)
    {
        XNamespace soap = InsiContract.SoapEnvelopeNamespace;
        var envelope = document.Root;
        if (envelope is null || envelope.Name != soap + "Envelope")
        {
            return (null, "the root is not a SOAP 1.2 Envelope");
        }

        string? repeated = null;
        var body = envelope.Only(soap + "Body", ref repeated);
        if (repeated is not null)
        {
            return (null, "the envelope has more than one Body");
        }

        if (body is null)
        {
            return (null, "the envelope has no Body");
        }

        var children = body.Elements().ToList();
        return children.Count == 1 ? (children[0], null) : (null, $"the Body has {children.Count} elements instead of 1");
    }

    /// <summary>The trimmed text of the first child of that name, null when absent or empty (lenient: requests, faults).</summary>
    public static string? Text(this XElement parent, XName name) => Trimmed(parent.Element(name));

    /// <summary>
    /// The child of that name when there is exactly one, null when there is none. When there are several, never the first one:
    /// null, and <paramref name="problem"/> (when not already set) says "<c>where</c> with more than one <c>name</c>" —
    /// element names only, no content, so the problem is safe to log. <paramref name="where"/> defaults to the parent's name.
    /// </summary>
    public static XElement? Only(this XElement parent, XName name, ref string? problem, string? where = null)
    {
        using var children = parent.Elements(name).GetEnumerator();
        if (!children.MoveNext())
        {
            return null;
        }

        var only = children.Current;
        if (!children.MoveNext())
        {
            return only;
        }

        problem ??= $"{where ?? parent.Name.LocalName} with more than one {name.LocalName}";
        return null;
    }

    /// <summary>The trimmed text of <see cref="Only"/>: null when absent, empty or repeated (then <paramref name="problem"/> says so).</summary>
    public static string? OnlyText(this XElement parent, XName name, ref string? problem, string? where = null) =>
        Trimmed(parent.Only(name, ref problem, where));

    private static string? Trimmed(XElement? element)
    {
        var value = element?.Value.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
