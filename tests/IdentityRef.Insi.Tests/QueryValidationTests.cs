namespace IdentityRef.Insi.Tests;

public sealed class QueryValidationTests
{
    [Fact]
    public void TraitsQuery_WithAControlCharacter_IsRefused()
    {
        Assert.NotNull(new InsiTraitsQuery("ADR\u0001UN", ["ZOE"], 'F', "1975-12-31").Problem());
    }

    [Fact]
    public void TraitsQuery_WithUnknownDayAndMonth_IsAccepted()
    {
        Assert.Null(new InsiTraitsQuery("ADRUN", ["ZOE"], 'F', "1975-00-00").Problem());
    }

    [Theory]
    [InlineData("1975-12-3")]
    [InlineData("31/12/1975")]
    [InlineData("")]
    public void TraitsQuery_WithABadDate_IsRefused(string birthDate)
    {
        Assert.NotNull(new InsiTraitsQuery("ADRUN", ["ZOE"], 'F', birthDate).Problem());
    }

    [Fact]
    public void TraitsQuery_WithABadBirthPlace_IsRefused()
    {
        Assert.NotNull(new InsiTraitsQuery("ADRUN", ["ZOE"], 'F', "1975-12-31", "632").Problem());
    }

    [Fact]
    public void VitaleQuery_WithAShortMatricule_IsRefused()
    {
        Assert.NotNull(new InsiVitaleQuery(new InsiMatricule("110086322083", "60"), null, null, "2010-08-07", "1").Problem());
    }

    [Fact]
    public void VerificationQuery_WithoutFirstName_IsRefused()
    {
        Assert.NotNull(new InsiVerificationQuery("2360663220836", "56", InsiContract.OidNir, "TCHITCHI", [], 'F', "1936-06-21").Problem());
    }

    [Fact]
    public void CorsicanMatricule_IsAccepted()
    {
        Assert.Null(new InsiVerificationQuery("297022A020778", "78", InsiContract.OidNir, "ADRTROIS", ["DOMINIQUE"], 'F', "1997-02-26").Problem());
    }
}
