using IdentityRef.Domain.Common;
using IdentityRef.Domain.Tests.Support;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Traits;

public sealed class BirthPlaceCodeTests
{
    [Theory]
    [InlineData("63220")]
    [InlineData("2A020")]
    [InlineData("2B020")]
    [InlineData("2a020")]
    [InlineData("99100")]
    public void Parse_KnownCode_IsAcceptedWithoutWarning(string text)
    {
        var warnings = new List<FieldWarning>();

        var code = BirthPlaceCode.Parse(text, FakeBirthPlaceDirectory.Default, warnings).Value;

        Assert.Equal(text.ToUpperInvariant(), code);
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("6322")]
    [InlineData("632200")]
    [InlineData("2C020")]
    [InlineData("A2020")]
    [InlineData("63 220")]
    [InlineData("")]
    [InlineData(null)]
    public void Parse_MalformedCode_IsRejected(string? text)
    {
        var warnings = new List<FieldWarning>();

        var error = Assert.Single(BirthPlaceCode.Parse(text, FakeBirthPlaceDirectory.Default, warnings).Errors);

        Assert.Equal(("birthPlaceCode", "invalid-format"), (error.Field, error.Code));
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData("01999")] // well-formed commune missing from the reference data (maybe a former commune)
    [InlineData("2A999")]
    [InlineData("99999")] // unknown place: never warned about
    public void Parse_WellFormedCodeOutsideTheReferenceData_IsAcceptedAndWarnedUnlessUnknownPlace(string text)
    {
        var warnings = new List<FieldWarning>();

        var result = BirthPlaceCode.Parse(text, FakeBirthPlaceDirectory.Default, warnings);

        Assert.Equal(text, result.Value);
        if (text == BirthPlaceCode.Unknown)
        {
            Assert.Empty(warnings);
        }
        else
        {
            var warning = Assert.Single(warnings);
            Assert.Equal(("birthPlaceCode", "unknown-code"), (warning.Field, warning.Code));
        }
    }

    [Theory]
    [InlineData("99100", true)]
    [InlineData("63220", false)]
    public void IsAbroad_TellsCountryCodes(string code, bool abroad) =>
        Assert.Equal(abroad, BirthPlaceCode.IsAbroad(code));
}
