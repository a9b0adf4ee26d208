namespace IdentityRef.Domain.Ins;

/// <summary>What an INSi answer is, for the identity it was asked for.</summary>
public enum InsiVerdictKind
{
    /// <summary>The answer's strict traits are the identity's, exactly: accepting it changes no trait.</summary>
    SamePerson,

    /// <summary>
    /// The answer differs only by spelling or keying (a letter, an accent, a first name more or less in the list, a
    /// day/month inversion, one wrong digit): the same person, whose traits the answer corrects. Accepting it replaces
    /// the strict traits and voids the document check, which attested the old ones.
    /// </summary>
    SpellingOnly,

    /// <summary>Plainly another person (the wrong beneficiary of a carte Vitale, a parent, a twin): never accepted at the desk.</summary>
    DifferentPerson,

    /// <summary>The answer's INS is held by another active identity of the base: a potential collision.</summary>
    InsHeldElsewhere,

    /// <summary>The answer itself breaks the rules (INS with a bad key or OID, a test INS in production, traits out of the INS alphabet).</summary>
    AnswerInvalid,
}

/// <summary>How one strict trait of the answer compares with the identity's, as the matcher's comparators see it.</summary>
public enum TraitAgreement
{
    /// <summary>Identical as written.</summary>
    Same,

    /// <summary>The comparator could not compare (a value missing on one side): neither agrees nor contradicts.</summary>
    Unknown,

    /// <summary>Different spelling of the same value: typing error, phonetics, compound part, first names reordered.</summary>
    Spelling,

    /// <summary>A classic keying error of a date: day and month inverted, one wrong digit.</summary>
    Keying,

    /// <summary>Unrelated values.</summary>
    Different,
}

/// <summary>The five strict traits of an answer against the identity's. Built by the application from the matcher's levels.</summary>
public sealed record InsiTraitComparison(
    TraitAgreement BirthName,
    TraitAgreement FirstNames,
    TraitAgreement BirthDate,
    TraitAgreement Sex,
    TraitAgreement BirthPlace)
{
    /// <summary>The traits (API names) that are not identical.</summary>
    public IReadOnlyList<string> Differing =>
        [.. new (string Field, TraitAgreement Agreement)[]
            { ("birthName", BirthName), ("firstNames", FirstNames), ("birthDate", BirthDate), ("sex", Sex), ("birthPlaceCode", BirthPlace) }
            .Where(t => t.Agreement is not (TraitAgreement.Same or TraitAgreement.Unknown)).Select(t => t.Field)];
}

/// <summary>
/// The verdict on an INSi answer: its kind, the rule that decided it (stable code, for the API's 409 and the audit), and
/// the traits that differ. <see cref="MayBeAcceptedAtTheDesk"/> is what admission staff may accept; anything else goes to
/// the identity vigilance cell.
/// </summary>
public sealed record InsiVerdict(InsiVerdictKind Kind, string Rule, string Message, IReadOnlyList<string> Differing)
{
    public bool MayBeAcceptedAtTheDesk => Kind is InsiVerdictKind.SamePerson or InsiVerdictKind.SpellingOnly;

    /// <summary>Whether accepting the answer changes a strict trait (and so voids a document check).</summary>
    public bool ChangesStrictTraits => Differing.Count > 0;
}

/// <summary>
/// The one place where an INSi answer is judged against the identity it was asked for (RNIV: qualification means the
/// INSi traits are those read on the document; an answer that is plainly another person is a collision, not an
/// acceptance). Used by the qualification at the desk, the re-verification job and the retry job alike.
/// <para>Rules, in order (the first that applies decides):</para>
/// <list type="number">
/// <item><c>insi-answer-invalid</c> / <c>insi-traits-invalid</c>: the answer breaks the INS rules (given by the caller).</item>
/// <item><c>ins-held-elsewhere</c>: another active identity holds the answer's INS.</item>
/// <item><c>sex-differs</c>: the sex differs (both known).</item>
/// <item><c>birth-date-differs</c>: the birth date differs beyond a keying error (inversion, one digit).</item>
/// <item><c>names-unrelated</c>: neither the birth name nor the first names are related (another family, another person).</item>
/// <item><c>birth-name-differs</c>: the birth name is unrelated (another family: a parent's card, a homonym's record).</item>
/// <item><c>first-names-differ</c>: no first name of one list is found, even misspelt, in the other (a sibling, a twin).</item>
/// <item><c>spelling-only</c>: differences within spelling and keying; <c>same-traits</c>: none.</item>
/// </list>
/// Rules 5–7 are stricter than "names unrelated" alone on purpose: same-sex twins share birth name and date, and a
/// birth name from another family is the wrong beneficiary's. The cell may still take such an answer, explicitly.
/// </summary>
public static class InsiVerdicts
{
    public static InsiVerdict Invalid(string rule, string message) => new(InsiVerdictKind.AnswerInvalid, rule, message, []);

    public static InsiVerdict Judge(InsiTraitComparison comparison, string? otherHolderIpp)
    {
        var differing = comparison.Differing;
        if (otherHolderIpp is not null)
        {
            return new InsiVerdict(InsiVerdictKind.InsHeldElsewhere, "ins-held-elsewhere",
                $"This INS already belongs to identity {otherHolderIpp}: a potential collision for the identity vigilance cell.", differing);
        }
        if (comparison.Sex == TraitAgreement.Different)
        {
            return Different("sex-differs", "The answer is for a person of the other sex.", differing);
        }
        if (comparison.BirthDate == TraitAgreement.Different)
        {
            return Different("birth-date-differs", "The answer's birth date differs beyond a keying error (day/month inversion, one digit).", differing);
        }
        if (comparison.BirthName == TraitAgreement.Different && comparison.FirstNames == TraitAgreement.Different)
        {
            return Different("names-unrelated", "Neither the birth name nor the first names of the answer are related to the identity's.", differing);
        }
        if (comparison.BirthName == TraitAgreement.Different)
        {
            return Different("birth-name-differs", "The answer's birth name is unrelated to the identity's (another family).", differing);
        }
        if (comparison.FirstNames == TraitAgreement.Different)
        {
            return Different("first-names-differ", "No first name of the answer is found, even misspelt, among the identity's (a sibling, a twin).", differing);
        }
        return differing.Count == 0
            ? new InsiVerdict(InsiVerdictKind.SamePerson, "same-traits", "The answer's strict traits are the identity's.", differing)
            : new InsiVerdict(InsiVerdictKind.SpellingOnly, "spelling-only",
                $"The answer corrects the spelling of: {string.Join(", ", differing)}. Accepting it voids the identity document check.", differing);
    }

    private static InsiVerdict Different(string rule, string message, IReadOnlyList<string> differing) =>
        new(InsiVerdictKind.DifferentPerson, rule, message + " It cannot be accepted at the desk: the identity vigilance cell decides.", differing);
}
