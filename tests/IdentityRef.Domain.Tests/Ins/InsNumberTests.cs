using IdentityRef.Domain.Ins;

namespace IdentityRef.Domain.Tests.Ins;

public sealed class InsNumberTests
{
    /// <summary>Every vector of the shared doc §1 (real answers of the INSi test platform).</summary>
    public static TheoryData<string, int> DocVectors => new()
    {
        { "297022A020778", 78 },
        { "160012B020777", 13 },
        { "180032B020401", 23 },
        { "2751263220749", 74 },
        { "1100863220830", 60 },
        { "2360663220836", 56 },
    };

    [Theory]
    [MemberData(nameof(DocVectors))]
    public void ComputeKey_DocVector_GivesTheTeleserviceKey(string matricule, int key) =>
        Assert.Equal(key, InsNumber.ComputeKey(matricule));

    [Theory]
    [MemberData(nameof(DocVectors))]
    public void Parse_DocVectorWithItsKey_Succeeds(string matricule, int key)
    {
        var result = InsNumber.Parse($"{matricule}{key:00}", InsOids.Nir);

        Assert.True(result.IsSuccess);
        Assert.Equal(matricule, result.Value.Matricule);
        Assert.Equal($"{key:00}", result.Value.Key);
    }

    [Theory]
    [MemberData(nameof(DocVectors))]
    public void Parse_DocVectorWithAnyOtherKey_IsRejectedAsInvalidKey(string matricule, int key)
    {
        var wrongKey = key % 97 + 1; // always a different key in 1..97

        var result = InsNumber.Parse($"{matricule}{wrongKey:00}", InsOids.Nir);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("ins.value", "invalid-key"), (error.Field, error.Code));
    }

    [Fact]
    public void Parse_LowerCaseCorsicanDepartment_IsNormalisedToUpperCase()
    {
        var result = InsNumber.Parse("297022a02077878", InsOids.Nir).Value;

        Assert.Equal("297022A020778", result.Matricule);
    }

    [Fact]
    public void Parse_ValueWithSpaces_IsCompacted() =>
        Assert.Equal("275126322074974", InsNumber.Parse(" 2 75 12 63 220 749 74 ", InsOids.Nir).Value.Value);

    [Fact]
    public void FromParts_MatriculeAndKeyAsTheTeleserviceGivesThem_BuildsTheIns()
    {
        var ins = InsNumber.FromParts("2360663220836", "56", InsOids.Nia).Value;

        Assert.Equal("236066322083656", ins.Value);
        Assert.Equal(InsKind.Nia, ins.Kind);
    }

    [Theory]
    [InlineData("27512632207497")] // 14 characters
    [InlineData("2751263220749744")] // 16 characters
    [InlineData("2751263220749")] // key missing
    [InlineData("")]
    [InlineData(null)]
    [InlineData("27512632207X974")] // a letter outside the département
    [InlineData("975126322074974")] // 9 is not a sex digit
    public void Parse_MalformedValue_IsRejectedAsInvalidFormat(string? value)
    {
        var result = InsNumber.Parse(value, InsOids.Nir);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("ins.value", "invalid-format"), (error.Field, error.Code));
    }

    [Theory]
    [InlineData("1.2.250.1.213.1.4.2")]
    [InlineData("1.2.250.1.213.1.4.12")]
    [InlineData("")]
    [InlineData(null)]
    public void Parse_UnknownOid_IsRejectedOnTheOidField(string? oid)
    {
        var result = InsNumber.Parse("275126322074974", oid);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("ins.oid", "unknown-oid"), (error.Field, error.Code));
    }

    [Fact]
    public void Parse_BadValueAndBadOid_ReportsBothErrorsUnderTheGivenField()
    {
        var result = InsNumber.Parse("123", "1.2.3", field: "declaredIns");

        Assert.Equal(["declaredIns.value", "declaredIns.oid"], result.Errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData(InsOids.Nir, InsKind.Nir)]
    [InlineData(InsOids.Nia, InsKind.Nia)]
    [InlineData(InsOids.TestNir, InsKind.TestNir)]
    [InlineData(InsOids.DemoNir, InsKind.DemoNir)]
    public void Parse_SameDigits_KindIsToldByTheOidAlone(string oid, InsKind expected)
    {
        var ins = InsNumber.Parse("275126322074974", oid).Value;

        Assert.Equal(expected, ins.Kind);
        Assert.Equal(oid, ins.Oid);
    }

    [Fact]
    public void Oids_AreTheNationalAuthorities()
    {
        Assert.Equal("1.2.250.1.213.1.4.8", InsKind.Nir.Oid());
        Assert.Equal("1.2.250.1.213.1.4.9", InsKind.Nia.Oid());
        Assert.Equal("1.2.250.1.213.1.4.10", InsKind.TestNir.Oid());
        Assert.Equal("1.2.250.1.213.1.4.11", InsKind.DemoNir.Oid());
    }

    [Theory]
    [MemberData(nameof(DocVectors))]
    public void ToString_NeverRevealsTheMatricule(string matricule, int key)
    {
        var ins = InsNumber.Parse($"{matricule}{key:00}", InsOids.Nir).Value;

        var texts = new[] { ins.ToString(), $"{ins}", InsNumber.Parse($"{matricule}{key:00}", InsOids.Nir).ToString() };

        Assert.All(texts, text => Assert.DoesNotContain(matricule[..7], text, StringComparison.Ordinal));
        Assert.Equal("INS(Nir)", ins.ToString());
    }

    [Fact]
    public void HistoryEntryToString_NeverRevealsTheMatricule()
    {
        var entry = new InsHistoryEntry("275126322074974", InsOids.Nir);

        Assert.DoesNotContain("2751263", entry.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Equality_SameValueAndOid_AreEqual() =>
        Assert.Equal(InsNumber.Parse("275126322074974", InsOids.Nir).Value, InsNumber.Parse("275126322074974", InsOids.Nir).Value);
}
