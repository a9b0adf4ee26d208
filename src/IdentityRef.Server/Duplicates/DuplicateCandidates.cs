using IdentityRef.Domain.Identities;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using IdentityRef.Server.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Duplicates;

/// <summary>A scored candidate of check-before-create, with the identity it designates.</summary>
public sealed record RankedCandidate(Identity Identity, MatchResult Result);

/// <summary>Check-before-create: the probe's blocking keys, one indexed query on <c>match_keys</c>, then the matcher ranks the active identities found.</summary>
public sealed class DuplicateCandidates(IdentityRefDbContext db, MatchEngineProvider engines)
{
    /// <summary>Every Possible or Probable candidate, best first; <paramref name="compared"/> tells how many identities were scored.</summary>
    public async Task<(IReadOnlyList<RankedCandidate> Candidates, int Compared)> FindAsync(MatchRecord probe, Guid? exclude, CancellationToken cancellationToken)
    {
        var engine = await engines.GetAsync(db, cancellationToken);
        var keys = IdentityMatching.KeyHashes(probe).ToList();
        // One query: the identities whose keys meet the probe's (the key index, then the identities' primary key).
        var matching = db.MatchKeys.Where(k => keys.Contains(k.Key)).Select(k => k.IdentityId);
        var found = await db.Identities.AsNoTracking().Where(i => matching.Contains(i.Id) && i.MergedIntoId == null).ToListAsync(cancellationToken);
        var identities = found.Where(i => i.Id != exclude).ToDictionary(i => i.Id.ToString());
        if (identities.Count == 0)
        {
            return ([], 0);
        }
        var ranked = engine.RankCandidates(probe, identities.Values.Select(IdentityMatching.ToRecord));
        return (ranked.Where(r => r.Class != MatchClass.Distinct).Select(r => new RankedCandidate(identities[r.IdB], r)).ToList(), identities.Count);
    }
}

/// <summary>The admission hook of <c>POST /api/patients</c>: a probable duplicate stops the creation unless the caller confirms.</summary>
public sealed class AdmissionDuplicateCheck(DuplicateCandidates candidates, IOptions<DuplicateOptions> options)
    : IAdmissionDuplicateCheck
{
    public async Task<AdmissionVerdict> CheckAsync(ValidatedTraits traits, CancellationToken cancellationToken)
    {
        if (!options.Value.AdmissionCheckEnabled)
        {
            return new AdmissionVerdict(false, [], null);
        }
        var (found, compared) = await candidates.FindAsync(IdentityMatching.ToRecord(traits), exclude: null, cancellationToken);
        var probable = found.Where(c => c.Result.Class == MatchClass.Probable).ToList();
        var shown = found.Take(options.Value.MaxCandidatesShown).Select(c => CandidateView.From(c)).ToList();
        return new AdmissionVerdict(probable.Count > 0, probable.Select(c => c.Identity.Ipp).ToList(), shown);
    }
}
