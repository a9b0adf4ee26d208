namespace IdentityRef.Server.Tests.Support;

public sealed class TestEnvironmentTests
{
    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("woodpecker", true)] // a CI that sets its own name: still CI
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("  ", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    public void CiVariable_IsReadAsCiToolsSetIt(string? value, bool onCi) => Assert.Equal(onCi, TestEnvironment.IsTruthy(value));
}
