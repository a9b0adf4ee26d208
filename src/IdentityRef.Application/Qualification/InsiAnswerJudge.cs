using System.Globalization;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;
using IdentityRef.Insi;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Qualification;

/// <summary>
/// An INSi answer judged for one identity: the domain's verdict, the matcher's comparison (score and per-trait explanation,
/// shown to the cell), and — when the answer is valid — its INS and strict traits as the domain's values.
/// </summary>
public sealed record InsiJudgement(InsiVerdict Verdict, InsiComparison Comparison, InsNumber? Ins, StrictTraits? Traits);

/// <summary>
/// Turns (identity, INSi answer) into <see cref="InsiJudgement"/> for every caller — the desk's search and acceptance, the
/// re-verification job, the retry job (through the search), the cell's decisions: the answer is validated (INS, OID,
/// environment, INS character rules), compared by the matcher's comparators, checked against the other holders of its INS,
/// and judged by <see cref="InsiVerdicts"/>.
/// </summary>
public sealed class InsiAnswerJudge(IdentityRefDbContext db, MatchEngineProvider engines, IBirthPlaceDirectory places, TimeProvider clock,
    IOptions<InsiOptions> insi)
{
    public bool AcceptsTestIns => insi.Value.Environment == InsiEnvironment.Qualification;

    /// <summary>The matcher's view of the answer against the identity (score, per-trait explanation) and the traits that differ as written.</summary>
    public async Task<InsiComparison> CompareAsync(Identity identity, InsiTraitsDto traits, string? ins, CancellationToken cancellationToken)
    {
        var engine = await engines.GetAsync(db, cancellationToken);
        var result = engine.Compare(IdentityMatching.ToRecord(identity), InsiTraits.ToRecord(traits, ins));
        // The teleservice's INS is shown to the cell (the qualification screen shows it to admission staff too); the
        // local INS only when the identity is qualified, as everywhere.
        var explanation = IdentityMatching.Explain(result, result.IdA, showInsA: identity.Status == IdentityStatus.Qual, showInsB: true);
        return new InsiComparison(result, explanation, InsiTraits.Contradicting(identity, traits, ins));
    }

    public async Task<InsiJudgement> JudgeAsync(Identity identity, InsiTraitsDto traits, string? insValue, string? insOid, CancellationToken cancellationToken)
    {
        var comparison = await CompareAsync(identity, traits, insValue, cancellationToken);
        var ins = IdentityValidator.ParseIns(insValue, insOid, AcceptsTestIns);
        if (!ins.IsSuccess)
        {
            return new InsiJudgement(InsiVerdicts.Invalid("insi-answer-invalid",
                "The INS returned by the teleservice is not valid here (" + string.Join("; ", ins.Errors.Select(e => e.Code)) + "): it cannot be accepted."),
                comparison, null, null);
        }
        // The INS sex is M or F only (the INSi contract lets TIQ/Sexe be any capital letter; U exists locally, not in the INS).
        // An answer with another sex breaks the INS rules: never a correction to accept (accepting U would leave an identity
        // INSi can no longer be asked for). No value in the message: it reaches the logs.
        if (traits.Sex is not ("M" or "F"))
        {
            return new InsiJudgement(InsiVerdicts.Invalid("insi-traits-invalid",
                "The traits returned by the teleservice break the INS rules: sex (an INS sex is M or F)"), comparison, ins.Value, null);
        }
        var strict = IdentityValidator.Validate(new IdentityInput
        {
            BirthName = traits.BirthName, FirstNames = traits.FirstNames, FirstName = traits.FirstName, BirthDate = traits.BirthDate,
            Sex = traits.Sex, BirthPlaceCode = traits.BirthPlaceCode,
        }, places, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        if (!strict.IsSuccess)
        {
            return new InsiJudgement(InsiVerdicts.Invalid("insi-traits-invalid",
                "The traits returned by the teleservice break the INS rules: " + string.Join("; ", strict.Errors.Select(e => e.Field))),
                comparison, ins.Value, null);
        }
        var holder = await db.Identities.AsNoTracking()
            .Where(i => i.InsValue == ins.Value.Value && i.Id != identity.Id && i.MergedIntoId == null)
            .OrderBy(i => i.Ipp).Select(i => i.Ipp).FirstOrDefaultAsync(cancellationToken);
        var agreements = Agreements(identity, strict.Value.Strict, comparison.Result);
        return new InsiJudgement(InsiVerdicts.Judge(agreements, holder), comparison, ins.Value, strict.Value.Strict);
    }

    /// <summary>
    /// Each strict trait: identical as written, or the matcher's level read as spelling / keying / unrelated. A loosely
    /// similar first name ("Similar": CAROLINE, CARINE) counts as unrelated: twins are given such names.
    /// </summary>
    public static InsiTraitComparison Agreements(Identity identity, StrictTraits answer, MatchResult result)
    {
        var birthName = identity.BirthName == answer.BirthName
            ? TraitAgreement.Same
            : result[Trait.BirthName].Level switch
            {
                TraitLevels.Missing => TraitAgreement.Unknown,
                TraitLevels.BirthName.Different => TraitAgreement.Different,
                _ => TraitAgreement.Spelling,
            };
        var firstNames = identity.FirstNames == answer.FirstNames && identity.FirstName == answer.FirstName
            ? TraitAgreement.Same
            : result[Trait.FirstNames].Level switch
            {
                TraitLevels.Missing => TraitAgreement.Unknown,
                TraitLevels.FirstNames.Different or TraitLevels.FirstNames.Similar => TraitAgreement.Different,
                _ => TraitAgreement.Spelling,
            };
        var birthDate = identity.BirthDate == answer.BirthDate.Value
            ? TraitAgreement.Same
            : TraitComparers.BirthDateLevel(identity.BirthDate, answer.BirthDate.Value) switch
            {
                TraitLevels.BirthDate.DayMonthSwapped or TraitLevels.BirthDate.OneDigit => TraitAgreement.Keying,
                _ => TraitAgreement.Different,
            };
        // A value the answer adds or changes is a change of the strict traits (so it voids a document check), but a birth-place
        // code keyed from an old or a neighbouring commune is not another person. A sex is never a spelling: the answer's is
        // M or F (checked above), and an identity of sex U cannot call INSi nor accept an answer (EnsureInsiCallAllowed).
        var sex = identity.Sex == answer.Sex ? TraitAgreement.Same : TraitAgreement.Different;
        var birthPlace = string.Equals(identity.BirthPlaceCode ?? "", answer.BirthPlaceCode ?? "", StringComparison.Ordinal)
            ? TraitAgreement.Same
            : TraitAgreement.Spelling;
        return new InsiTraitComparison(birthName, firstNames, birthDate, sex, birthPlace);
    }

    internal static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>The outcome of a recorded INSi call (<c>insi_calls.Outcome</c>): the teleservice's code, or why there is none.</summary>
public static class InsiCallOutcomes
{
    public const string Found = "00";
    public const string NotFound = "01";
    public const string Several = "02";

    /// <summary>The service was down (network, time-out, a "try later" fault): the retry job asks again. (Five characters at most: the column's.)</summary>
    public const string Unavailable = "down";

    /// <summary>A failure that will not go away by asking again (a refusal fault, a malformed answer, an invalid query).</summary>
    public const string Error = "error";

    public static readonly IReadOnlyList<string> Failures = [Unavailable, Error];

    public static string Of(InsiError error) => error.IsTransient ? Unavailable : Error;
}
