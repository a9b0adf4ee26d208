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
        var keys = IdentityMatching.KeyHashes(engine, probe).ToList();
        var ids = await db.MatchKeys.AsNoTracking().Where(k => keys.Contains(k.Key)).Select(k => k.IdentityId).Distinct().ToListAsync(cancellationToken);
        if (exclude is { } self)
        {
            ids.Remove(self);
        }
        if (ids.Count == 0)
        {
            return ([], 0);
        }
        var identities = new Dictionary<string, Identity>(ids.Count);
        foreach (var chunk in ids.Chunk(1000))
        {
            foreach (var identity in await db.Identities.AsNoTracking().Where(i => chunk.Contains(i.Id) && i.MergedIntoId == null).ToListAsync(cancellationToken))
            {
                identities[identity.Id.ToString()] = identity;
            }
        }
        var ranked = engine.RankCandidates(probe, identities.Values.Select(IdentityMatching.ToRecord));
        var found = ranked.Where(r => r.Class != MatchClass.Distinct).Select(r => new RankedCandidate(identities[r.IdB], r)).ToList();
        return (found, identities.Count);
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
