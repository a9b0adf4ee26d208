using System.Xml;
using System.Xml.Linq;

namespace IdentityRef.Insi;

/// <summary>XML loading with no DTD and no external resolution (answers and requests come from the network).</summary>
internal static class InsiXml
{
    private static readonly XmlReaderSettings SafeSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    public static XDocument? TryLoad(byte[] bytes)
    {
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var reader = XmlReader.Create(stream, SafeSettings);
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException)
        {
            return null;
        }
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

        var body = envelope.Element(soap + "Body");
        if (body is null)
        {
            return (null, "the envelope has no Body");
        }

        var children = body.Elements().ToList();
        return children.Count == 1 ? (children[0], null) : (null, $"the Body has {children.Count} elements instead of 1");
    }

    public static string? Text(this XElement parent, XName name)
    {
        var value = parent.Element(name)?.Value.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
