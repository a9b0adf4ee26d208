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
/// </summary>
public sealed class LinkService(IdentityRefDbContext db, IdentityWriter writer, TimeProvider clock)
{
    public async Task<bool> AreLinkedAsync(Guid x, Guid y, CancellationToken cancellationToken)
    {
        var (a, b) = IdentityLink.Order(x, y);
        return await db.IdentityLinks.AnyAsync(l => l.IdentityA == a && l.IdentityB == b, cancellationToken);
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
        var (a, b) = IdentityLink.Order(first.Id, second.Id);
        var link = await db.IdentityLinks.FirstOrDefaultAsync(l => l.IdentityA == a && l.IdentityB == b, cancellationToken)
            ?? throw new DomainRuleException("not-linked", "These two identities are not linked.");
        first.Link(second, linked: false);
        db.IdentityLinks.Remove(link);
        await SaveAsync(first, second, "identity.unlinked", actor, details, cancellationToken);
    }

    private Task SaveAsync(Identity first, Identity second, string action, Actor actor, object? details, CancellationToken cancellationToken) =>
        writer.SaveAsync([(first, action, IdentitySnapshot.Of(first)), (second, action, IdentitySnapshot.Of(second))], actor,
            new { ipps = new[] { first.Ipp, second.Ipp }, details }, cancellationToken);
}
