using IdentityRef.Application.Duplicates;
using IdentityRef.Domain.Identities;
using IdentityRef.Matching;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Queries;

/// <summary>The grade of a candidate, as FHIR's match-grade extension names it.</summary>
public enum MatchGrade
{
    Certain,
    Probable,
    Possible,
}

/// <summary>A candidate of <c>$match</c>: the identity, its score from 0 to 1 and its grade.</summary>
public sealed record GradedCandidate(Identity Identity, double Score, MatchGrade Grade);

/// <summary>
/// The PDQm match option (<c>Patient/$match</c>): the check-before-create engine of admission, ranked candidates with a
/// score from 0 to 1 and a grade. The matcher's Fellegi–Sunter weight w (log2 of a likelihood ratio) becomes
/// 1 / (1 + 2^(PossibleThreshold − w)): 0.5 at the Possible threshold, rising towards 1 with the evidence. The grade is
/// the matcher's class, and <see cref="MatchGrade.Certain"/> for a Probable candidate whose shareable INS is the one the
/// caller gave.
/// </summary>
public sealed class PatientMatch(DuplicateCandidates candidates, MatchEngineProvider engines)
{
    public async Task<IReadOnlyList<GradedCandidate>> MatchAsync(ValidatedTraits traits, int count, bool onlyCertain, CancellationToken cancellationToken)
    {
        var (found, _) = await candidates.FindAsync(IdentityMatching.ToRecord(traits), exclude: null, cancellationToken);
        var threshold = engines.Options.PossibleThreshold;
        var graded = found.Select(c => new GradedCandidate(c.Identity, Math.Round(1 / (1 + Math.Pow(2, threshold - c.Result.Score)), 4), GradeOf(c, traits)));
        if (onlyCertain)
        {
            graded = graded.Where(g => g.Grade == MatchGrade.Certain);
        }
        return graded.Take(count).ToList();
    }

    private static MatchGrade GradeOf(RankedCandidate candidate, ValidatedTraits traits) => candidate.Result.Class switch
    {
        MatchClass.Probable when traits.DeclaredIns is { } ins && candidate.Identity.ShareableIns is { } held && held.Value == ins.Value => MatchGrade.Certain,
        MatchClass.Probable => MatchGrade.Probable,
        _ => MatchGrade.Possible,
    };
}
