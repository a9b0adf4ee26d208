using IdentityRef.Application.Duplicates;
using IdentityRef.Domain.Identities;
using IdentityRef.Matching;
using IdentityRef.Application.TraitMatching;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

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
/// caller gave. An INS the server does not share counts for nothing here (<see cref="DuplicateCandidates.FindAsync"/>).
/// </summary>
public sealed class PatientMatch(IdentityRefDbContext db, DuplicateCandidates candidates, MatchEngineProvider engines)
{
    public async Task<IReadOnlyList<GradedCandidate>> MatchAsync(ValidatedTraits traits, int count, bool onlyCertain, CancellationToken cancellationToken)
    {
        var (found, _) = await candidates.FindAsync(IdentityMatching.ToRecord(traits), exclude: null, cancellationToken, onlyShareableIns: true);
        var threshold = engines.Options.PossibleThreshold;
        var kept = found.Select(c => (c.Row.Id, Score: Math.Round(1 / (1 + Math.Pow(2, threshold - c.Result.Score)), 4), Grade: GradeOf(c, traits)))
            .Where(g => !onlyCertain || g.Grade == MatchGrade.Certain).Take(count).ToList();
        // The answer is whole Patient resources: the identities of the candidates returned, and only those.
        var ids = kept.Select(k => k.Id).ToList();
        var identities = await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, cancellationToken);
        // An identity merged away between the two reads is no longer a candidate.
        var graded = new List<GradedCandidate>(kept.Count);
        foreach (var (id, score, grade) in kept)
        {
            if (identities.TryGetValue(id, out var identity) && identity.IsActive)
            {
                graded.Add(new GradedCandidate(identity, score, grade));
            }
        }
        return graded;
    }

    private static MatchGrade GradeOf(RankedCandidate candidate, ValidatedTraits traits) => candidate.Result.Class switch
    {
        MatchClass.Probable when traits.DeclaredIns is { } ins && candidate.ShareableIns is { } held && held == ins.Value => MatchGrade.Certain,
        MatchClass.Probable => MatchGrade.Probable,
        _ => MatchGrade.Possible,
    };
}
