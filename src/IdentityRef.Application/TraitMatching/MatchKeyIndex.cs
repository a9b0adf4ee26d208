using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.TraitMatching;

/// <summary>
/// Keeps <c>match_keys</c> in step with the identities, in the unit of work of each change: an active identity has
/// its blocking keys, a merged one none (so it is never proposed again until a merge is undone).
/// </summary>
public sealed class MatchKeyIndex : IIdentityChangeListener
{
    public async Task OnChangesAsync(IdentityRefDbContext db, IReadOnlyList<Identity> changed, CancellationToken cancellationToken)
    {
        var existing = new Dictionary<Guid, List<MatchKey>>();
        // New identities have no keys yet: skip the lookup (import and seed write thousands at once).
        var known = changed.Where(i => db.Entry(i).State != EntityState.Added).Select(i => i.Id).Distinct().ToList();
        foreach (var chunk in known.Chunk(500))
        {
            foreach (var key in await db.MatchKeys.Where(k => chunk.Contains(k.IdentityId)).ToListAsync(cancellationToken))
            {
                (existing.TryGetValue(key.IdentityId, out var list) ? list : existing[key.IdentityId] = []).Add(key);
            }
        }
        foreach (var identity in changed.DistinctBy(i => i.Id))
        {
            var wanted = identity.IsActive ? IdentityMatching.KeyHashes(IdentityMatching.ToRecord(identity)) : [];
            if (existing.TryGetValue(identity.Id, out var current))
            {
                foreach (var stale in current.Where(k => !wanted.Remove(k.Key)))
                {
                    db.MatchKeys.Remove(stale);
                }
            }
            foreach (var key in wanted)
            {
                db.MatchKeys.Add(new MatchKey { IdentityId = identity.Id, Key = key });
            }
        }
    }
}
