using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace IdentityRef.Insi.Tests.Support;

/// <summary>The contract's XSDs (copied in Contract/), to validate elements that cross the wire.</summary>
public static class ContractSchemas
{
    private static readonly Lazy<XmlSchemaSet> Schemas = new(() =>
    {
        var set = new XmlSchemaSet();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Contract"), "*.xsd"))
        {
            using var reader = XmlReader.Create(file);
            set.Add(null, reader);
        }

        set.Compile();
        return set;
    });

    public static void AssertValid(XElement element) => Assert.Empty(Problems(element));

    public static List<string> Problems(XElement element)
    {
        var problems = new List<string>();
        if (!Schemas.Value.GlobalElements.Contains(new XmlQualifiedName(element.Name.LocalName, element.Name.NamespaceName)))
        {
            // XDocument.Validate only warns silently about an undeclared root: make it an error.
            problems.Add($"Error: {element.Name} is not declared by the contract's XSDs");
        }

        new XDocument(new XElement(element)).Validate(Schemas.Value, (_, e) => problems.Add($"{e.Severity}: {e.Message}"));
        return problems;
    }
}
