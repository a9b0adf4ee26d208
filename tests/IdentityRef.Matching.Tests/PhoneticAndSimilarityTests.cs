using IdentityRef.Matching;
using Xunit;

namespace IdentityRef.Matching.Tests;

public sealed class PhoneticAndSimilarityTests
{
    // Published Soundex2 examples (test suites of the Talisman and fab2s/Searchable libraries, after F. Brouard).
    [Theory]
    [InlineData("Asamian", "AZMN")]
    [InlineData("Knight", "NG")]
    [InlineData("MacKenzie", "MKNZ")]
    [InlineData("Pfeifer", "FR")]
    [InlineData("Philippe", "FLP")]
    [InlineData("Schindler", "SNDL")]
    [InlineData("Chateau", "CHT")]
    [InlineData("Habitat", "HBT")]
    [InlineData("Téhéran", "TRN")]
    [InlineData("Essayer", "ESYR")]
    [InlineData("Crayon", "CRYN")]
    [InlineData("Plyne", "PLN")]
    [InlineData("Barad", "BR")]
    [InlineData("Martin", "MRTN")]
    [InlineData("Bernard", "BRNR")]
    [InlineData("Faure", "FR")]
    [InlineData("Perez", "PRZ")]
    [InlineData("Gros", "GR")]
    [InlineData("Chapuis", "CHP")]
    [InlineData("Boyer", "BYR")]
    [InlineData("Gauthier", "KTR")]
    [InlineData("Rey", "RY")]
    [InlineData("Barthélémy", "BRTL")]
    [InlineData("Henry", "HNR")]
    [InlineData("Moulin", "MLN")]
    [InlineData("Rousseau", "RS")]
    public void Soundex2_PublishedExample_GivesPublishedCode(string name, string expected) =>
        Assert.Equal(expected, Soundex2.Encode(name));

    [Theory]
    [InlineData("DUPONT", "DUPOND")]
    [InlineData("FAURE", "PHAURE")]
    [InlineData("JEAN-PIERRE", "JEAN PIERRE")]
    [InlineData("D'ARC", "DARC")]
    public void Soundex2_SpellingVariants_ShareTheKey(string a, string b) =>
        Assert.Equal(Soundex2.Encode(a), Soundex2.Encode(b));

    [Fact]
    public void Soundex2_EmptyOrSeparatorsOnly_IsEmpty()
    {
        Assert.Equal(string.Empty, Soundex2.Encode(null));
        Assert.Equal(string.Empty, Soundex2.Encode(" - '"));
    }

    // Classic Jaro–Winkler examples (Winkler 1990 as quoted in the record-linkage literature).
    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.961)]
    [InlineData("DWAYNE", "DUANE", 0.840)]
    [InlineData("DIXON", "DICKSONX", 0.813)]
    public void JaroWinkler_KnownPairs_GiveKnownSimilarity(string a, string b, double expected) =>
        Assert.Equal(expected, JaroWinkler.Similarity(a, b), 3);

    [Fact]
    public void JaroWinkler_IdenticalAndDisjoint_AreOneAndZero()
    {
        Assert.Equal(1.0, JaroWinkler.Similarity("DUPONT", "DUPONT"));
        Assert.Equal(0.0, JaroWinkler.Similarity("ABC", "XYZ"));
    }

    [Theory]
    [InlineData("Jean-Pierre", "JEAN PIERRE")]
    [InlineData("d'Arc", "D ARC")]
    [InlineData("  Éloïse  ", "ELOISE")]
    [InlineData("Œdipe", "OEDIPE")]
    public void Canonical_UnnormalisedInput_IsUpperAsciiWithSingleSpaces(string raw, string expected) =>
        Assert.Equal(expected, NameText.Canonical(raw));
}
