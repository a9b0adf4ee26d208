using IdentityRef.Domain.Ins;

namespace IdentityRef.Domain.Tests.Ins;

/// <summary>The verdict rules alone, trait agreement by trait agreement (the application feeds them the matcher's levels).</summary>
public sealed class InsiVerdictTests
{
    private const TraitAgreement S = TraitAgreement.Same, U = TraitAgreement.Unknown, Sp = TraitAgreement.Spelling, K = TraitAgreement.Keying, D = TraitAgreement.Different;

    // birth name, first names, birth date, sex, birth place → kind, rule
    [Theory]
    [InlineData(S, S, S, S, S, InsiVerdictKind.SamePerson, "same-traits")]
    [InlineData(S, S, S, S, U, InsiVerdictKind.SamePerson, "same-traits")]
    [InlineData(Sp, S, S, S, S, InsiVerdictKind.SpellingOnly, "spelling-only")]       // a typing error in the birth name
    [InlineData(S, Sp, S, S, S, InsiVerdictKind.SpellingOnly, "spelling-only")]       // TCHITCHI: OLA CATARINA / CATARINA BELLA
    [InlineData(S, S, K, S, S, InsiVerdictKind.SpellingOnly, "spelling-only")]        // day and month inverted
    [InlineData(S, S, S, S, Sp, InsiVerdictKind.SpellingOnly, "spelling-only")]       // an old commune's code
    [InlineData(S, S, S, D, S, InsiVerdictKind.DifferentPerson, "sex-differs")]       // twins of opposite sex
    [InlineData(S, Sp, D, S, S, InsiVerdictKind.DifferentPerson, "birth-date-differs")] // a parent, a child: same family, other date
    [InlineData(D, D, S, S, S, InsiVerdictKind.DifferentPerson, "names-unrelated")]
    [InlineData(D, S, S, S, S, InsiVerdictKind.DifferentPerson, "birth-name-differs")]
    [InlineData(S, D, S, S, S, InsiVerdictKind.DifferentPerson, "first-names-differ")] // same-sex twins
    [InlineData(D, D, D, D, D, InsiVerdictKind.DifferentPerson, "sex-differs")]        // wrong beneficiary of a carte Vitale
    public void Judge_AppliesTheFirstRuleThatHolds(TraitAgreement birthName, TraitAgreement firstNames, TraitAgreement birthDate, TraitAgreement sex,
        TraitAgreement birthPlace, InsiVerdictKind kind, string rule)
    {
        var verdict = InsiVerdicts.Judge(new InsiTraitComparison(birthName, firstNames, birthDate, sex, birthPlace), otherHolderIpp: null);

        Assert.Equal(kind, verdict.Kind);
        Assert.Equal(rule, verdict.Rule);
        Assert.Equal(kind is InsiVerdictKind.SamePerson or InsiVerdictKind.SpellingOnly, verdict.MayBeAcceptedAtTheDesk);
    }

    [Fact]
    public void Judge_InsHeldByAnotherIdentity_WinsOverEverything()
    {
        var verdict = InsiVerdicts.Judge(new InsiTraitComparison(S, S, S, S, S), otherHolderIpp: "100000042");

        Assert.Equal(InsiVerdictKind.InsHeldElsewhere, verdict.Kind);
        Assert.Contains("100000042", verdict.Message, StringComparison.Ordinal);
        Assert.False(verdict.MayBeAcceptedAtTheDesk);
    }

    [Fact]
    public void Judge_SpellingOnly_NamesTheTraitsItCorrects_AndSaysTheDocumentCheckIsVoided()
    {
        var verdict = InsiVerdicts.Judge(new InsiTraitComparison(S, Sp, K, S, U), null);

        Assert.Equal(["firstNames", "birthDate"], verdict.Differing);
        Assert.True(verdict.ChangesStrictTraits);
        Assert.Contains("voids the identity document check", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_IsNeverForTheDesk()
    {
        Assert.False(InsiVerdicts.Invalid("insi-answer-invalid", "bad key").MayBeAcceptedAtTheDesk);
    }
}
