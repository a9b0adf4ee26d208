using IdentityRef.Application.Patients;
using IdentityRef.Application.Duplicates;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Queries;

/// <summary>A candidate of the duplicate warning at creation, beside the traits typed: the identity, its birth place's name, its score.</summary>
public sealed record DeskCandidate(Identity Identity, string? BirthPlaceName, double Score, string Class);

/// <summary>The admission desk's reads that are not a search: the duplicate warning's candidates, the identifiers of an identity.</summary>
public sealed class DeskQueries(IdentityRefDbContext db, IBirthPlaceDirectory places)
{
    /// <summary>The candidates the admission check returned, as whole identities in the check's order (best first).</summary>
    public async Task<IReadOnlyList<DeskCandidate>> CandidatesAsync(AdmissionVerdict verdict, CancellationToken cancellationToken)
    {
        var shown = verdict.Body as IReadOnlyList<CandidateView> ?? [];
        var ipps = shown.Select(c => c.Ipp).Union(verdict.CandidateIpps).ToList();
        if (ipps.Count == 0)
        {
            return [];
        }
        var identities = await db.Identities.AsNoTracking().Where(i => ipps.Contains(i.Ipp)).ToDictionaryAsync(i => i.Ipp, cancellationToken);
        var scores = shown.ToDictionary(c => c.Ipp);
        return [.. ipps.Where(identities.ContainsKey).Select(ipp =>
        {
            var identity = identities[ipp];
            var view = scores.GetValueOrDefault(ipp);
            return new DeskCandidate(identity, identity.BirthPlaceCode is { } code ? places.NameOf(code) : null, view?.Score ?? 0, view?.Class ?? "probable");
        })];
    }

    /// <summary>
    /// The identifiers other systems gave this identity (imports, the inbound feed), by system; merged IPPs apart. An INS an
    /// earlier version kept as a cross-reference (<see cref="IdentifierDomains.IsInsSystem"/>) is not shown: the desk would take
    /// it for the patient's INS, which it never was.
    /// </summary>
    public async Task<IReadOnlyList<(string System, string Value)>> OtherIdentifiersAsync(Guid identityId, CancellationToken cancellationToken) =>
        [.. (await db.Identifiers.AsNoTracking().Where(i => i.IdentityId == identityId).OrderBy(i => i.System).ThenBy(i => i.Value)
            .Select(i => new { i.System, i.Value }).ToListAsync(cancellationToken)).Where(i => !IdentifierDomains.IsInsSystem(i.System)).Select(i => (i.System, i.Value))];

    /// <summary>The latest INSi answer of an identity that found someone and awaits the desk's decision.</summary>
    public Task<InsiCall?> PendingInsiAnswerAsync(Guid identityId, CancellationToken cancellationToken) =>
        db.InsiCalls.AsNoTracking().Where(c => c.IdentityId == identityId && c.Outcome == "00" && c.Decision == null && c.Traits != null)
            .OrderByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Forgets the changes a refused operation left in the unit of work, so that the page reads the stored state again.</summary>
    public void DiscardChanges() => db.ChangeTracker.Clear();

    /// <summary>The IPPs of identities named by their id in the audit trail (a merge names the other side by its id).</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> IppsOfAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        ids.Count == 0 ? new Dictionary<Guid, string>()
            : await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Ipp, cancellationToken);
}
