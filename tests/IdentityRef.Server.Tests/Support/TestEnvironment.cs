namespace IdentityRef.Server.Tests.Support;

/// <summary>What the test run knows about the machine it runs on.</summary>
public static class TestEnvironment
{
    /// <summary>
    /// True on CI, where a test that needs an external part (PostgreSQL, Chromium) must fail rather than skip when
    /// the part is missing. Read as most CI tools set it: <c>CI</c> present and not one of the false words
    /// (<c>true</c>, <c>True</c>, <c>1</c>, <c>yes</c> all count; empty, <c>0</c>, <c>false</c>, <c>no</c>, <c>off</c> do not).
    /// </summary>
    public static bool RunningOnCi => IsTruthy(Environment.GetEnvironmentVariable("CI"));

    public static bool IsTruthy(string? value) =>
        value?.Trim() is { Length: > 0 } set
        && !new[] { "0", "false", "no", "off", "n", "f" }.Contains(set, StringComparer.OrdinalIgnoreCase);
}
