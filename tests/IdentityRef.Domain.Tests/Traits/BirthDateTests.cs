using IdentityRef.Domain.Tests.Support;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Traits;

public sealed class BirthDateTests
{
    [Theory]
    [InlineData("1975-12-31", 1975, 12, 31)]
    [InlineData("2000-02-29", 2000, 2, 29)]
    [InlineData(" 1960-01-01 ", 1960, 1, 1)]
    public void Parse_FullDate_IsKeptUncorrected(string text, int year, int month, int day)
    {
        var date = BirthDate.Parse(text, TestClock.Today).Value;

        Assert.Equal(new BirthDate(new DateOnly(year, month, day), Corrected: false), date);
    }

    [Theory]
    [InlineData("1975-06-00", 1975, 6, 1)] // unknown day → 01
    [InlineData("1975-00-14", 1975, 1, 14)] // unknown month → 01
    [InlineData("1975-00-00", 1975, 12, 31)] // both unknown → 31/12
    public void Parse_UnknownDayOrMonth_IsCompletedAndFlaggedCorrected(string text, int year, int month, int day)
    {
        var date = BirthDate.Parse(text, TestClock.Today).Value;

        Assert.Equal(new BirthDate(new DateOnly(year, month, day), Corrected: true), date);
    }

    [Fact]
    public void ToString_IsIsoWithoutTheCorrectionFlag() =>
        Assert.Equal("1975-12-31", BirthDate.Parse("1975-00-00", TestClock.Today).Value.ToString());

    [Theory]
    [InlineData("2021-02-30")]
    [InlineData("2023-02-29")]
    [InlineData("1975-04-31")]
    [InlineData("1975-13-01")]
    [InlineData("1975-00-32")]
    public void Parse_DayOrMonthThatDoesNotExist_IsInvalidDate(string text) =>
        AssertError(text, "invalid-date");

    [Fact]
    public void Parse_Tomorrow_IsInTheFuture() =>
        AssertError(TestClock.Today.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "future-date");

    [Fact]
    public void Parse_Today_IsAccepted() =>
        Assert.Equal(TestClock.Today, BirthDate.Parse(TestClock.Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), TestClock.Today).Value.Value);

    [Theory]
    [InlineData("31/12/1975")]
    [InlineData("1975-12-3")]
    [InlineData("19751231")]
    [InlineData("1975-12-31T00:00")]
    [InlineData("abcd-ef-gh")]
    public void Parse_NotIsoFormat_IsInvalidFormat(string text) =>
        AssertError(text, "invalid-format");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Parse_Missing_IsRequired(string? text) =>
        AssertError(text, "required");

    [Theory]
    [InlineData("1849-12-31")]
    [InlineData("0000-01-01")]
    [InlineData("0000-00-00")]
    public void Parse_YearBeforeMinimum_IsImplausibleNotAnException(string text) =>
        AssertError(text, "implausible-date");

    private static void AssertError(string? text, string code)
    {
        var error = Assert.Single(BirthDate.Parse(text, TestClock.Today, "insTraits.birthDate").Errors);
        Assert.Equal(("insTraits.birthDate", code), (error.Field, error.Code));
    }
}
