using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Links;

/// <summary>
/// Links two active identities held for one person's records that must not be merged (yet) — PAM FR's optional
/// Link/Unlink option — and undoes the link. Each change is audited on both identities (<c>identity.linked</c>,
/// <c>identity.unlinked</c>) and broadcast as A24/A37 (first PID the identity linked, second the other) to the
/// subscriptions that take them, in the same unit of work as the link row.
/// A link row names the two records as they were linked and is never moved: a record merged since stands for its survivor
/// (as the receivers, told by the A40, now see it), and for itself again once the merge is undone. So a link between X and B
/// holds between X and A after B was merged into A, an A37 or the cell's unlink of X and A undoes it, and A and X cannot be
/// merged while it stands.
/// </summary>
public sealed class LinkService(IdentityRefDbContext db, IdentityWriter writer, TimeProvider clock)
{
    public async Task<bool> AreLinkedAsync(Guid x, Guid y, CancellationToken cancellationToken) =>
        (await LinksBetweenAsync(x, y, cancellationToken)).Count > 0;

    /// <summary>The pairs among <paramref name="identities"/> (active ones) that a link keeps apart, each in the order given.</summary>
    public async Task<IReadOnlyList<(Guid A, Guid B)>> LinkedPairsAmongAsync(IReadOnlyList<Guid> identities, CancellationToken cancellationToken)
    {
        var standsFor = await RecordsOfAsync(identities, cancellationToken);
        var records = standsFor.Keys.ToList();
        var rows = await db.IdentityLinks.AsNoTracking().Where(l => records.Contains(l.IdentityA) && records.Contains(l.IdentityB))
            .Select(l => new { l.IdentityA, l.IdentityB }).ToListAsync(cancellationToken);
        var order = identities.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        return [.. rows.Select(r => (A: standsFor[r.IdentityA], B: standsFor[r.IdentityB])).Where(p => p.A != p.B)
            .Select(p => order[p.A] < order[p.B] ? p : (p.B, p.A)).Distinct()];
    }

    /// <summary>The link rows that stand between <paramref name="x"/> and <paramref name="y"/>: theirs, and those of records merged into them.</summary>
    private async Task<List<IdentityLink>> LinksBetweenAsync(Guid x, Guid y, CancellationToken cancellationToken)
    {
        var standsFor = await RecordsOfAsync([x, y], cancellationToken);
        var records = standsFor.Keys.ToList();
        var rows = await db.IdentityLinks.Where(l => records.Contains(l.IdentityA) && records.Contains(l.IdentityB)).ToListAsync(cancellationToken);
        return rows.FindAll(l => standsFor[l.IdentityA] != standsFor[l.IdentityB]);
    }

    /// <summary>Each of <paramref name="identities"/> and every record merged into it (through a chain too), mapped to the identity it stands for.</summary>
    private async Task<Dictionary<Guid, Guid>> RecordsOfAsync(IReadOnlyList<Guid> identities, CancellationToken cancellationToken)
    {
        var standsFor = identities.Distinct().ToDictionary(id => id, id => id);
        var frontier = standsFor.Keys.ToList();
        while (frontier.Count > 0)
        {
            var merged = await db.Merges.AsNoTracking().Where(m => m.UndoneAt == null && frontier.Contains(m.SurvivorId))
                .Select(m => new { m.MergedId, m.SurvivorId }).ToListAsync(cancellationToken);
            frontier = [];
            foreach (var m in merged.Where(m => !standsFor.ContainsKey(m.MergedId)))
            {
                standsFor[m.MergedId] = standsFor[m.SurvivorId];
                frontier.Add(m.MergedId);
            }
        }
        return standsFor;
    }

    /// <summary>Links <paramref name="first"/> to <paramref name="second"/>; false (nothing written) when they are linked already.</summary>
    /// <exception cref="DomainRuleException">identity-merged (either is inactive), link-self.</exception>
    public async Task<bool> LinkAsync(Identity first, Identity second, Actor actor, long? duplicateItemId, object? details, CancellationToken cancellationToken)
    {
        if (await AreLinkedAsync(first.Id, second.Id, cancellationToken))
        {
            return false;
        }
        first.Link(second, linked: true);
        var (a, b) = IdentityLink.Order(first.Id, second.Id);
        db.IdentityLinks.Add(new IdentityLink { IdentityA = a, IdentityB = b, LinkedAt = clock.GetUtcNow(), LinkedBy = actor.Name, DuplicateItemId = duplicateItemId });
        await SaveAsync(first, second, "identity.linked", actor, details, cancellationToken);
        return true;
    }

    /// <summary>Undoes the link between the two identities.</summary>
    /// <exception cref="DomainRuleException">not-linked (no such link), identity-merged, link-self.</exception>
    public async Task UnlinkAsync(Identity first, Identity second, Actor actor, object? details, CancellationToken cancellationToken)
    {
        var rows = await LinksBetweenAsync(first.Id, second.Id, cancellationToken);
        if (rows.Count == 0)
        {
            throw new DomainRuleException("not-linked", "These two identities are not linked.");
        }
        first.Link(second, linked: false);
        db.IdentityLinks.RemoveRange(rows);
        await SaveAsync(first, second, "identity.unlinked", actor, details, cancellationToken);
    }

    private Task SaveAsync(Identity first, Identity second, string action, Actor actor, object? details, CancellationToken cancellationToken) =>
        writer.SaveAsync([(first, action, IdentitySnapshot.Of(first)), (second, action, IdentitySnapshot.Of(second))], actor,
            new { ipps = new[] { first.Ipp, second.Ipp }, details }, cancellationToken);
}
