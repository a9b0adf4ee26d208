using System.Text.RegularExpressions;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Architecture;

/// <summary>Rules of the source text that no compiler checks.</summary>
public sealed partial class SourceRuleTests
{
    /// <summary>
    /// In .NET, <c>\d</c> matches every Unicode decimal digit (full-width <c>１</c>, Arabic-Indic <c>١</c>…), which
    /// <c>int.Parse</c> then refuses: a birth date in such digits was a 500 and a birth place code in them was stored. A digit in
    /// a pattern is <c>[0-9]</c>.
    /// </summary>
    [Fact]
    public void NoPatternUsesBackslashD()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(Repository.Root, f), Line: i + 1, Text: line)))
            .Where(l => l.Text.Contains("Regex", StringComparison.Ordinal) && BackslashD().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}")
            .ToList();

        Assert.Empty(offenders);
    }

    [GeneratedRegex(@"(?<!\\)\\d")]
    private static partial Regex BackslashD();
}
