using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Tests.Support;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Identities;

public sealed class IdentityValidatorTests
{
    private static readonly IdentityInput Valid = new()
    {
        BirthName = "Adrun",
        FirstNames = "Zoé Marie",
        BirthDate = "1975-12-31",
        Sex = "F",
        BirthPlaceCode = "63220",
    };

    [Theory]
    [InlineData("JEAN CHRISTOPHE PIERRE", "JEAN-CHRISTOPHE")]
    [InlineData("JEAN CHRISTOPHE PIERRE", "JEAN CHRISTOPHE")]
    [InlineData("JEAN CHRISTOPHE PIERRE", "JEAN")]
    [InlineData("JEAN-CHRISTOPHE PIERRE", "JEAN-CHRISTOPHE")]
    [InlineData("JEAN-CHRISTOPHE PIERRE", "JEAN-CHRISTOPHE PIERRE")]
    [InlineData("MARIE'ANGE LOUISE", "MARIE-ANGE")]
    [InlineData("jean christophe pierre", "Jean-Christophe")]
    public void Validate_FirstNameAtTheStartOfTheList_IsAccepted(string firstNames, string firstName)
    {
        var traits = Validate(Valid with { FirstNames = firstNames, FirstName = firstName }).Value;

        Assert.Equal(InsText.Normalize(firstName, "firstName", NameKind.FirstName).Value, traits.Strict.FirstName);
    }

    [Theory]
    [InlineData("JEAN CHRISTOPHE PIERRE", "CHRISTOPHE")]
    [InlineData("JEAN CHRISTOPHE PIERRE", "PIERRE")]
    [InlineData("JEAN CHRISTOPHE PIERRE", "JEAN PIERRE")]
    [InlineData("JEAN CHRISTOPHE PIERRE", "JEAN CHRIS")]
    [InlineData("JEAN", "JEAN CHRISTOPHE")]
    public void Validate_FirstNameNotAtTheStartOfTheList_IsAFirstNameError(string firstNames, string firstName)
    {
        var error = Assert.Single(Validate(Valid with { FirstNames = firstNames, FirstName = firstName }).Errors);

        Assert.Equal(("firstName", "not-first-of-list"), (error.Field, error.Code));
    }

    [Theory]
    [InlineData("JEAN CHRISTOPHE PIERRE", "JEAN")]
    [InlineData("JEAN-CHRISTOPHE PIERRE", "JEAN-CHRISTOPHE")]
    [InlineData("Zoé", "ZOE")]
    public void Validate_NoFirstName_DefaultsToTheFirstOfTheList(string firstNames, string expected) =>
        Assert.Equal(expected, Validate(Valid with { FirstNames = firstNames, FirstName = null }).Value.Strict.FirstName);

    [Fact]
    public void Validate_ValidInput_GivesNormalisedStrictAndComplementaryTraits()
    {
        var input = Valid with { UsedName = "Martin", UsedFirstName = "Zozo", Postcode = "63000", Phone = "+33 4 73 00 00 00", Email = "z@example.org" };

        var traits = Validate(input).Value;

        Assert.Equal(new StrictTraits("ADRUN", "ZOE MARIE", "ZOE", new BirthDate(new DateOnly(1975, 12, 31), false), Sex.Female, "63220"), traits.Strict);
        Assert.Equal(("MARTIN", "ZOZO"), (traits.Complementary.UsedName, traits.Complementary.UsedFirstName));
        Assert.Null(traits.DeclaredIns);
        Assert.Empty(traits.Warnings);
    }

    [Fact]
    public void Validate_UsedNameMissing_IsNeverFilledFromTheBirthName()
    {
        var traits = Validate(Valid).Value;

        Assert.Equal(ComplementaryTraits.None, traits.Complementary);
    }

    [Fact]
    public void Validate_EveryBadField_IsReportedAtOnce()
    {
        var input = new IdentityInput
        {
            BirthName = "Dupont2",
            FirstNames = "Jean_",
            BirthDate = "2021-02-30",
            Sex = "X",
            BirthPlaceCode = "ABCDE",
            UsedName = "Du/pont",
            InsValue = "275126322074975",
            InsOid = "1.2.3",
        };

        var fields = Validate(input).Errors.Select(e => e.Field).ToList();

        Assert.Equal(["birthName", "firstNames", "birthDate", "sex", "birthPlaceCode", "usedName", "ins.value", "ins.oid"], fields);
    }

    [Fact]
    public void Validate_UnknownButWellFormedBirthPlace_IsAWarningNotAnError()
    {
        var traits = Validate(Valid with { BirthPlaceCode = "01999" }).Value;

        var warning = Assert.Single(traits.Warnings);
        Assert.Equal(("birthPlaceCode", "unknown-code"), (warning.Field, warning.Code));
    }

    [Fact]
    public void Validate_NoBirthPlace_IsAllowedAsNotYetKnown() =>
        Assert.Null(Validate(Valid with { BirthPlaceCode = null }).Value.Strict.BirthPlaceCode);

    [Fact]
    public void Validate_CorrectedBirthDate_IsKeptFlagged() =>
        Assert.True(Validate(Valid with { BirthDate = "1975-00-00" }).Value.Strict.BirthDate.Corrected);

    [Theory]
    [InlineData("JEAN-CHRISTOPHE PIERRE", "JEAN CHRISTOPHE", "JEAN-CHRISTOPHE")]
    [InlineData("MARIE'ANGE LOUISE", "MARIE ANGE", "MARIE'ANGE")]
    public void Validate_FirstNameTypedWithSpacesWhereTheListJoinsThem_IsStoredAsTheListWritesIt(string firstNames, string typed, string stored)
    {
        Assert.Equal(stored, Validate(Valid with { FirstNames = firstNames, FirstName = typed }).Value.Strict.FirstName);
    }

    [Theory]
    [InlineData("JEAN-CHRISTOPHE PIERRE", "JEAN")]
    [InlineData("MARIE-ANGE LOUISE", "MARIE")]
    [InlineData("ANNE-SOPHIE-CLAIRE", "ANNE-SOPHIE")]
    public void Validate_FirstNameThatIsAFragmentOfAHyphenatedName_IsAFieldError(string firstNames, string firstName)
    {
        var errors = Validate(Valid with { FirstNames = firstNames, FirstName = firstName }).Errors;

        Assert.Contains(errors, e => e is { Field: "firstName", Code: "first-name-fragment" });
    }

    [Fact]
    public void Validate_DeclaredInsWithoutOid_IsRefused_TheDigitsDoNotTellNirFromNia()
    {
        var errors = Validate(Valid with { InsValue = "275126322074974" }).Errors;

        Assert.Contains(errors, e => e is { Field: "ins.oid", Code: "required" });
    }

    [Theory]
    [InlineData(InsOids.TestNir)]
    [InlineData(InsOids.DemoNir)]
    public void Validate_TestOrDemoIns_IsRefusedInProduction_AcceptedForTheQualificationPlatform(string oid)
    {
        var input = Valid with { InsValue = "275126322074974", InsOid = oid };

        Assert.Contains(Validate(input).Errors, e => e is { Field: "ins.oid", Code: "test-ins-refused" });
        Assert.True(IdentityValidator.Validate(input, FakeBirthPlaceDirectory.Default, TestClock.Today, acceptTestIns: true).Value.DeclaredIns!.IsForTesting);
    }

    [Fact]
    public void Validate_DeclaredInsWithItsOid_IsKeptWithItsKind()
    {
        Assert.Equal(InsKind.Nia, Validate(Valid with { InsValue = "275126322074974", InsOid = InsOids.Nia }).Value.DeclaredIns!.Kind);
    }

    [Theory]
    [InlineData("Postcode", "63 000")]
    [InlineData("Phone", "abc")]
    [InlineData("Email", "not-an-address")]
    public void Validate_MalformedContactField_IsAFormatError(string property, string value)
    {
        var input = property switch
        {
            "Postcode" => Valid with { Postcode = value },
            "Phone" => Valid with { Phone = value },
            _ => Valid with { Email = value },
        };

        var error = Assert.Single(Validate(input).Errors);

        Assert.Equal((char.ToLowerInvariant(property[0]) + property[1..], "invalid-format"), (error.Field, error.Code));
    }

    [Fact]
    public void Validate_TooLongAddress_IsAnError()
    {
        var error = Assert.Single(Validate(Valid with { Address = new string('a', IdentityValidator.MaxFreeTextLength + 1) }).Errors);

        Assert.Equal(("address", "too-long"), (error.Field, error.Code));
    }

    private static Domain.Common.Result<ValidatedTraits> Validate(IdentityInput input) =>
        IdentityValidator.Validate(input, FakeBirthPlaceDirectory.Default, TestClock.Today);
}
