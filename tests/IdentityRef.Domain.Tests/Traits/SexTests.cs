using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Traits;

public sealed class SexTests
{
    [Theory]
    [InlineData("M", Sex.Male)]
    [InlineData("F", Sex.Female)]
    [InlineData("U", Sex.Unknown)]
    [InlineData(" f ", Sex.Female)]
    public void Parse_KnownCode_GivesTheSex(string text, Sex expected) =>
        Assert.Equal(expected, SexCodes.Parse(text).Value);

    [Theory]
    [InlineData("X", "invalid-value")]
    [InlineData("1", "invalid-value")]
    [InlineData("Male", "invalid-value")]
    [InlineData("", "required")]
    [InlineData(null, "required")]
    public void Parse_OtherValue_IsAFieldError(string? text, string code)
    {
        var error = Assert.Single(SexCodes.Parse(text).Errors);
        Assert.Equal(("sex", code), (error.Field, error.Code));
    }

    [Theory]
    [InlineData(Sex.Male, "M")]
    [InlineData(Sex.Female, "F")]
    [InlineData(Sex.Unknown, "U")]
    public void Code_IsTheSingleLetter(Sex sex, string code) => Assert.Equal(code, sex.Code());
}
