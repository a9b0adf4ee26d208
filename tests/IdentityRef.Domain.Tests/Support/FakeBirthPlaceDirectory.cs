using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Support;

/// <summary>A birth-place reference list holding only the codes a test gives it.</summary>
internal sealed class FakeBirthPlaceDirectory(params string[] codes) : IBirthPlaceDirectory
{
    private readonly HashSet<string> _codes = [.. codes];

    /// <summary>The communes and countries used by the test identities.</summary>
    public static FakeBirthPlaceDirectory Default { get; } = new("63220", "2A020", "2B020", "75056", "99100");

    public bool Contains(string code) => _codes.Contains(code);

    public string? NameOf(string code) => _codes.Contains(code) ? $"Place {code}" : null;
}
