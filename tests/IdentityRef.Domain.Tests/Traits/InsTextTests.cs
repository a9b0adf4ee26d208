using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Traits;

public sealed class InsTextTests
{
    [Theory]
    [InlineData("Éléonore", "ELEONORE")]
    [InlineData("d'Arc-Dupont", "D'ARC-DUPONT")]
    [InlineData("Œdipe", "OEDIPE")]
    [InlineData("œdipe", "OEDIPE")]
    [InlineData("Lætitia", "LAETITIA")]
    [InlineData("ÆLIS", "AELIS")]
    [InlineData("d’Arc", "D'ARC")] // typographic apostrophe
    [InlineData("d‘Arc", "D'ARC")]
    [InlineData("dupont", "DUPONT")]
    [InlineData("Jean   Pierre", "JEAN PIERRE")] // runs of spaces fold to one
    [InlineData("Jean\t Pierre", "JEAN PIERRE")]
    [InlineData("  Dupont  ", "DUPONT")] // surrounding spaces are not part of the name
    [InlineData("Noël Çelik Ñúñez", "NOEL CELIK NUNEZ")]
    [InlineData("Jean–Pierre", "JEAN-PIERRE")] // en dash
    [InlineData("Strauß", "STRAUSS")]
    public void Normalize_TypedName_GivesTheInsForm(string typed, string expected) =>
        Assert.Equal(expected, InsText.Normalize(typed, "birthName", NameKind.Name).Value);

    [Theory]
    [InlineData("Dupont2")]
    [InlineData("Du_pont")]
    [InlineData("Du/pont")]
    [InlineData("Dupont.")]
    [InlineData("Dupont@")]
    public void Normalize_CharacterWithNoInsEquivalent_IsAFieldErrorNeverDropped(string typed)
    {
        var result = InsText.Normalize(typed, "usedName", NameKind.Name);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("usedName", "invalid-character"), (error.Field, error.Code));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Normalize_Missing_IsRequired(string? typed) =>
        AssertError(typed, NameKind.Name, "required");

    [Theory]
    [InlineData("-DUPONT", NameKind.Name, "leading-separator")]
    [InlineData("'DUPONT", NameKind.Name, "leading-separator")]
    [InlineData("-JEAN", NameKind.FirstName, "leading-separator")]
    [InlineData("DE  LA", NameKind.Name, "")] // doubled space is folded, not an error
    [InlineData("D''ARC", NameKind.Name, "adjacent-separators")]
    [InlineData("D' ARC", NameKind.Name, "adjacent-separators")]
    [InlineData("D 'ARC", NameKind.Name, "adjacent-separators")]
    [InlineData("MARIE' ANNE", NameKind.FirstName, "adjacent-separators")]
    [InlineData("DUPONT--DURAND", NameKind.Name, "")] // double hyphen allowed inside a name
    [InlineData("JEAN--PIERRE", NameKind.FirstName, "double-hyphen")]
    [InlineData("DUPONT---DURAND", NameKind.Name, "double-hyphen")]
    [InlineData("DUPONT-", NameKind.Name, "trailing-separator")]
    [InlineData("JEAN-", NameKind.FirstName, "trailing-separator")]
    [InlineData("JEAN'", NameKind.FirstName, "trailing-separator")]
    [InlineData("---", NameKind.Name, "no-letter")]
    [InlineData("'", NameKind.FirstName, "no-letter")]
    [InlineData("JEAN-PIERRE", NameKind.FirstName, "")]
    [InlineData("D'ARC", NameKind.Name, "")]
    public void Normalize_SeparatorRules_AreEnforced(string typed, NameKind kind, string expectedCode)
    {
        if (expectedCode.Length == 0)
        {
            Assert.True(InsText.Normalize(typed, "field", kind).IsSuccess);
        }
        else
        {
            AssertError(typed, kind, expectedCode);
        }
    }

    [Fact]
    public void Normalize_LeadingSpace_IsRemovedSoTheResultNeverStartsWithASpace() =>
        Assert.Equal("DUPONT", InsText.Normalize(" \u00A0DUPONT", "birthName", NameKind.Name).Value);

    [Fact]
    public void Normalize_HundredCharacters_IsAccepted()
    {
        var name = new string('A', 50) + "-" + new string('B', 49);

        Assert.Equal(100, InsText.Normalize(name, "birthName", NameKind.Name).Value.Length);
    }

    [Fact]
    public void Normalize_HundredAndOneCharacters_IsTooLong() =>
        AssertError(new string('A', 101), NameKind.Name, "too-long");

    [Fact]
    public void Normalize_LigatureExpandingBeyondHundred_IsTooLong() =>
        AssertError(new string('A', 99) + "Œ", NameKind.Name, "too-long"); // the length counts the INS form

    [Theory]
    [InlineData("JEAN-CHRISTOPHE PIERRE", new[] { "JEAN", "CHRISTOPHE", "PIERRE" })]
    [InlineData("MARIE'ANGE", new[] { "MARIE", "ANGE" })]
    public void Words_HyphensAndApostrophesCountAsSpaces(string text, string[] expected) =>
        Assert.Equal(expected, InsText.Words(text));

    private static void AssertError(string? typed, NameKind kind, string code)
    {
        var error = Assert.Single(InsText.Normalize(typed, "firstNames", kind).Errors);
        Assert.Equal(("firstNames", code), (error.Field, error.Code));
    }
}

/// <summary>The transliteration table of docs/insi.md ("Names"): letters Unicode decomposition does not reduce to A–Z.</summary>
public sealed class InsTextTransliterationTests
{
    [Theory]
    [InlineData("Đorđević", "DORDEVIC")]
    [InlineData("Yıldız", "YILDIZ")]
    [InlineData("Søren", "SOREN")]
    [InlineData("Strauß", "STRAUSS")]
    [InlineData("Łukasz", "LUKASZ")]
    [InlineData("Þórður", "THORDUR")]
    [InlineData("Ħamrun", "HAMRUN")]
    [InlineData("Œdipe", "OEDIPE")]
    [InlineData("İpek", "IPEK")]
    public void Normalize_LetterWithAConventionalLatinTransliteration_IsTransliterated(string input, string expected)
    {
        Assert.Equal(expected, InsText.Normalize(input, "birthName", NameKind.Name).Value);
    }

    [Theory]
    [InlineData("D'", NameKind.Name)]
    [InlineData("DUPONT'", NameKind.Name)]
    [InlineData("DUPONT-", NameKind.Name)]
    [InlineData("JEAN'", NameKind.FirstName)]
    public void Normalize_ValueEndingWithASeparator_IsAFieldError(string input, NameKind kind)
    {
        var error = Assert.Single(InsText.Normalize(input, "birthName", kind).Errors);

        Assert.Equal("trailing-separator", error.Code);
    }

    [Fact]
    public void Normalize_LetterWithNoTransliteration_IsStillAnError_NeverGuessed()
    {
        Assert.Equal("invalid-character", Assert.Single(InsText.Normalize("Ʃ", "birthName", NameKind.Name).Errors).Code);
    }
}
