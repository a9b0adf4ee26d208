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

    /// <summary>
    /// The message reaches the import's rejects report, terminals and pages: a character that does not print is named by
    /// its code point (a raw U+202E would reverse the rest of the line, a NUL cut it), as TextPolicy names it.
    /// </summary>
    [Theory]
    [InlineData("DUP\u202EONT", "U+202E")] // right-to-left override
    [InlineData("DUP\u2066ONT", "U+2066")] // left-to-right isolate
    [InlineData("MAR\0TIN", "U+0000")]
    [InlineData("MAR\u0007TIN", "U+0007")]
    [InlineData("MAR\u009BTIN", "U+009B")] // C1 control (the terminals' CSI)
    [InlineData("MAR\u200BTIN", "U+200B")] // zero width space
    [InlineData("MAR\uFFFDTIN", "U+FFFD")] // trace of a broken encoding
    [InlineData("MAR\uFFFFTIN", "U+FFFF")]
    [InlineData("MAR\uE000TIN", "U+E000")] // private use
    [InlineData("MAR\u0488TIN", "U+0488")] // an enclosing mark on its own
    public void Normalize_CharacterThatDoesNotPrint_IsNamedByItsCodePoint_NeverCopiedIntoTheMessage(string typed, string named)
    {
        var error = Assert.Single(InsText.Normalize(typed, "birthName", NameKind.Name).Errors);

        Assert.Equal("invalid-character", error.Code);
        Assert.Equal($"The character {named} has no equivalent in the INS alphabet (letters, space, apostrophe, hyphen).", error.Message);
        var refused = typed.Except("MARTINDUPO").Single();
        Assert.DoesNotContain(refused, error.Message);
    }

    // Lone surrogates in a Fact: xUnit's data serialization would turn them into U+FFFD.
    [Fact]
    public void Normalize_LoneSurrogate_IsNamedByItsCodePoint()
    {
        Assert.Contains("The character U+D800 has", Assert.Single(InsText.Normalize("MAR\uD800TIN", "birthName", NameKind.Name).Errors).Message, StringComparison.Ordinal);
        Assert.Contains("The character U+DC00 has", Assert.Single(InsText.Normalize("MAR\uDC00TIN", "birthName", NameKind.Name).Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dupont@", "'@'")]
    [InlineData("Dupont2", "'2'")]
    [InlineData("\u01A9", "'\u01A9'")] // Ʃ, a letter with no transliteration
    [InlineData("Du\U0001F600pont", "'\U0001F600'")] // a supplementary character is quoted whole, never half a pair
    [InlineData("Du\U000E0001pont", "U+E0001")] // a supplementary format character (language tag)
    public void Normalize_RefusedCharacter_QuotedWhenItPrints(string typed, string shown)
    {
        var error = Assert.Single(InsText.Normalize(typed, "birthName", NameKind.Name).Errors);

        Assert.Equal($"The character {shown} has no equivalent in the INS alphabet (letters, space, apostrophe, hyphen).", error.Message);
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
