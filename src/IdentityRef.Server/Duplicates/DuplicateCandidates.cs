using IdentityRef.Domain.Identities;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using IdentityRef.Server.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Duplicates;

/// <summary>A scored candidate of check-before-create, with the identity it designates.</summary>
public sealed record RankedCandidate(Identity Identity, MatchResult Result);

/// <summary>Check-before-create: the probe's blocking keys, one indexed query on <c>match_keys</c> and <c>identities</c>, then the matcher ranks the active identities found.</summary>
public sealed class DuplicateCandidates(IdentityRefDbContext db, MatchEngineProvider engines)
{
    /// <summary>Every Possible or Probable candidate, best first; <paramref name="compared"/> tells how many identities were scored.</summary>
    public async Task<(IReadOnlyList<RankedCandidate> Candidates, int Compared)> FindAsync(MatchRecord probe, Guid? exclude, CancellationToken cancellationToken)
    {
        var engine = await engines.GetAsync(db, cancellationToken);
        // One statement: the active identities whose keys meet the probe's, only the columns the matcher reads.
        var rows = await MatchRows.ByKeysAsync(db, IdentityMatching.KeyHashes(probe), cancellationToken);
        var records = rows.Where(r => r.Id != exclude).Select(r => r.ToRecord()).ToList();
        if (records.Count == 0)
        {
            return ([], 0);
        }
        var ranked = engine.RankCandidates(probe, records).Where(r => r.Class != MatchClass.Distinct).ToList();
        if (ranked.Count == 0)
        {
            return ([], records.Count);
        }
        // Whole identities only for the few candidates kept (the answer shows them), not for every one scored.
        var ids = ranked.Select(r => Guid.Parse(r.IdB)).ToList();
        var identities = await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id.ToString(), cancellationToken);
        return (ranked.Where(r => identities.ContainsKey(r.IdB)).Select(r => new RankedCandidate(identities[r.IdB], r)).ToList(), records.Count);
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
