using System.Text;

namespace IdentityRef.Hl7.Tests;

/// <summary>Finds the specification examples in ../shared/data next to the repository.</summary>
internal static class TestData
{
    public static string ExamplesDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IdentityRef.sln")))
            {
                dir = dir.Parent;
            }
            if (dir?.Parent is null)
            {
                throw new InvalidOperationException("repository root not found");
            }
            return Path.Combine(dir.Parent.FullName, "shared", "data", "pam-fr-examples");
        }
    }

    public static IEnumerable<object[]> ExampleFiles() =>
        Directory.GetFiles(ExamplesDirectory, "*.hl7").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    public static byte[] Bytes(string fileName) => File.ReadAllBytes(Path.Combine(ExamplesDirectory, fileName));

    public static string Example(string prefix) =>
        Path.GetFileName(Directory.GetFiles(ExamplesDirectory, prefix + "*.hl7").Single());

    /// <summary>Segment ends made CR (CRLF and LF alike), and a final CR added when the file has none.</summary>
    public static byte[] NormaliseSegmentEnds(byte[] bytes)
    {
        var output = new List<byte>(bytes.Length + 1);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\r' && i + 1 < bytes.Length && bytes[i + 1] == '\n')
            {
                continue;
            }
            output.Add(bytes[i] == '\n' ? (byte)'\r' : bytes[i]);
        }
        if (output.Count > 0 && output[^1] != '\r')
        {
            output.Add((byte)'\r');
        }
        return [.. output];
    }

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
