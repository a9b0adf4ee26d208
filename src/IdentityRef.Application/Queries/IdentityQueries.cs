using System.Text.Json;
using IdentityRef.Application.Audit;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Persistence.Audit;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Queries;

/// <summary>How a text parameter matches: by its start (the default of PDQ and FHIR string search), exactly, or anywhere.</summary>
public enum TextMatch
{
    StartsWith,
    Exact,
    Contains,
}

/// <summary>A normalised name to look for (INS character rules, as the traits are stored).</summary>
public sealed record TextCriterion(string Value, TextMatch Match);

/// <summary>An identifier to look for; without a domain, any domain (our IPP, a shareable INS, a cross-reference).</summary>
public sealed record IdentifierCriterion(IdentifierDomain? Domain, string Value);

/// <summary>The demographics query of PDQ (ITI-21) and PDQm (ITI-78). Every criterion given must hold.</summary>
public sealed record DemographicsQuery
{
    public TextCriterion? Family { get; init; }
    public TextCriterion? Given { get; init; }
    public DateOnly? BirthDate { get; init; }
    public Sex? Sex { get; init; }
    public string? Postcode { get; init; }
    public IReadOnlyList<IdentifierCriterion> Identifiers { get; init; } = [];

    public bool IsEmpty => Family is null && Given is null && BirthDate is null && Sex is null && Postcode is null && Identifiers.Count == 0;
}

/// <summary>An identity's identifiers: in every domain (the IPP first), and the former IPPs of identities merged into it.</summary>
public sealed record IdentityIdentifiers(IReadOnlyList<CrossReference> All, IReadOnlyList<string> MergedIpps);

/// <summary>One identifier of an identity in one domain (PIX, and the identifiers a PDQ answer lists).</summary>
public sealed record CrossReference(IdentifierDomain Domain, string Value);

/// <summary>
/// The query side of the identity server (PDQ, PIX, PDQm, PIXm): find active identities by their traits or
/// identifiers, resolve an identifier of any known domain to its active identity (a merged identity's identifiers
/// resolve to the survivor), list an identity's identifiers in each domain. The INS is a criterion and an answer only
/// through <see cref="Identity.ShareableIns"/> (qualified identities). Each query is audited by <see cref="AuditAsync"/>.
/// </summary>
public sealed class IdentityQueries(IdentityRefDbContext db, IdentifierDomains domains, TimeProvider clock)
{
    /// <summary>A merge chain longer than this is a loop in the data, not a chain to follow.</summary>
    private const int MaxMergeHops = 16;

    /// <summary>The active identities that match, in a stable order (birth name, first name, IPP), and how many match in all.</summary>
    public async Task<(IReadOnlyList<Identity> Items, int Total)> SearchAsync(DemographicsQuery query, int offset, int count, CancellationToken cancellationToken)
    {
        var identities = db.Identities.AsNoTracking().Where(i => i.MergedIntoId == null);
        if (query.Identifiers.Count > 0)
        {
            HashSet<Guid>? ids = null;
            foreach (var criterion in query.Identifiers)
            {
                // several identifiers must all designate the same identity
                var found = await ResolveAnyAsync(criterion, cancellationToken);
                ids = ids is null ? found : [.. ids.Intersect(found)];
            }
            if (ids is not { Count: > 0 })
            {
                return ([], 0);
            }
            var list = ids.ToList();
            identities = identities.Where(i => list.Contains(i.Id));
        }
        if (query.Family is { } family)
        {
            var v = family.Value;
            identities = family.Match switch
            {
                TextMatch.Exact => identities.Where(i => i.BirthName == v || i.UsedName == v),
                TextMatch.Contains => identities.Where(i => i.BirthName.Contains(v) || (i.UsedName != null && i.UsedName.Contains(v))),
                _ => identities.Where(i => i.BirthName.StartsWith(v) || (i.UsedName != null && i.UsedName.StartsWith(v))),
            };
        }
        if (query.Given is { } given)
        {
            var v = given.Value;
            var inside = " " + v;
            var word = " " + v + " ";
            var head = v + " ";
            identities = given.Match switch
            {
                TextMatch.Exact => identities.Where(i => i.FirstName == v || i.UsedFirstName == v || i.FirstNames == v
                    || i.FirstNames.StartsWith(head) || i.FirstNames.Contains(word) || i.FirstNames.EndsWith(inside)),
                TextMatch.Contains => identities.Where(i => i.FirstNames.Contains(v) || i.FirstName.Contains(v) || (i.UsedFirstName != null && i.UsedFirstName.Contains(v))),
                _ => identities.Where(i => i.FirstName.StartsWith(v) || i.FirstNames.StartsWith(v) || i.FirstNames.Contains(inside)
                    || (i.UsedFirstName != null && i.UsedFirstName.StartsWith(v))),
            };
        }
        if (query.BirthDate is { } date)
        {
            identities = identities.Where(i => i.BirthDate == date);
        }
        if (query.Sex is { } sex)
        {
            identities = identities.Where(i => i.Sex == sex);
        }
        if (query.Postcode is { } postcode)
        {
            identities = identities.Where(i => i.Postcode != null && i.Postcode.StartsWith(postcode));
        }
        var total = await identities.CountAsync(cancellationToken);
        if (total == 0 || offset >= total)
        {
            return ([], total);
        }
        var items = await identities.OrderBy(i => i.BirthName).ThenBy(i => i.FirstName).ThenBy(i => i.Ipp)
            .Skip(offset).Take(count).ToListAsync(cancellationToken);
        return (items, total);
    }

    /// <summary>An identity by its IPP, active or not (a read by id shows a merged identity with a link to its survivor).</summary>
    public Task<Identity?> FindByIppAsync(string ipp, CancellationToken cancellationToken) =>
        db.Identities.AsNoTracking().FirstOrDefaultAsync(i => i.Ipp == ipp, cancellationToken);

    public async Task<string?> IppOfAsync(Guid id, CancellationToken cancellationToken) =>
        await db.Identities.AsNoTracking().Where(i => i.Id == id).Select(i => i.Ipp).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Whether the server knows this domain: ours, the INS, or a domain of which it holds at least one identifier.</summary>
    public async Task<bool> IsKnownAsync(IdentifierDomain domain, CancellationToken cancellationToken) =>
        domain.Kind != DomainKind.Other
        || (!IdentifierDomains.IsInsSystem(domain.Stored!) && await db.Identifiers.AnyAsync(i => i.System == domain.Stored, cancellationToken));

    /// <summary>The active identity an identifier designates (following merges to the survivor), or null.</summary>
    public async Task<Identity?> ResolveAsync(IdentifierDomain domain, string value, CancellationToken cancellationToken)
    {
        switch (domain.Kind)
        {
            case DomainKind.Ipp:
                return await SurvivorAsync(await FindByIppAsync(value, cancellationToken), cancellationToken);
            case DomainKind.Ins:
                // Only an INS that may be handed on designates anyone: asking by the INS of an identity that is not
                // qualified must not reveal that we hold it.
                var holders = await db.Identities.AsNoTracking().Where(i => i.InsValue == value).ToListAsync(cancellationToken);
                var holder = holders.Where(i => i.ShareableIns is { } ins && ins.Oid == domain.InsOid).OrderBy(i => i.IsActive ? 0 : 1).FirstOrDefault();
                return await SurvivorAsync(holder, cancellationToken);
            default:
                if (IdentifierDomains.IsInsSystem(domain.Stored!))
                {
                    return null; // an INS kept as a cross-reference by an earlier version designates no one (IsInsSystem)
                }
                var owner = await db.Identifiers.AsNoTracking().Where(i => i.System == domain.Stored && i.Value == value)
                    .Select(i => (Guid?)i.IdentityId).FirstOrDefaultAsync(cancellationToken);
                return owner is null ? null : await SurvivorAsync(await db.Identities.AsNoTracking().FirstOrDefaultAsync(i => i.Id == owner, cancellationToken), cancellationToken);
        }
    }

    /// <summary>The identifiers of an identity in every domain: the IPP, the INS when it may be handed on, the cross-references.</summary>
    public async Task<IdentityIdentifiers> IdentifiersOfAsync(Identity identity, CancellationToken cancellationToken) =>
        (await IdentifiersOfAsync([identity], cancellationToken))[identity.Id];

    /// <summary>The identifiers of several identities, in one query of the cross-references.</summary>
    public async Task<IReadOnlyDictionary<Guid, IdentityIdentifiers>> IdentifiersOfAsync(IReadOnlyList<Identity> identities, CancellationToken cancellationToken)
    {
        var ids = identities.Select(i => i.Id).ToList();
        var stored = ids.Count == 0
            ? []
            : await db.Identifiers.AsNoTracking().Where(i => ids.Contains(i.IdentityId)).OrderBy(i => i.System).ThenBy(i => i.Value).ToListAsync(cancellationToken);
        var byIdentity = stored.ToLookup(i => i.IdentityId);
        return identities.ToDictionary(i => i.Id, identity =>
        {
            var references = new List<CrossReference> { new(domains.Ipp, identity.Ipp) };
            if (identity.ShareableIns is { } ins)
            {
                references.Add(new CrossReference(IdentifierDomains.Ins(ins.Oid), ins.Value));
            }
            var own = byIdentity[identity.Id].ToList();
            // the one place identifier lists are built (FHIR, PDQ/PIX v2 and m): an INS kept as a cross-reference by an
            // earlier version is never one of them, whatever the identity's status
            references.AddRange(own.Where(o => o.System != IdentifierSystems.MergedIpp && !IdentifierDomains.IsInsSystem(o.System)).Select(o => new CrossReference(IdentifierDomains.OfStored(o.System), o.Value)));
            return new IdentityIdentifiers(references, own.Where(o => o.System == IdentifierSystems.MergedIpp).Select(o => o.Value).ToList());
        });
    }

    /// <summary>
    /// Records a query in the audit trail (who asked, the transaction, its parameters, how many results and which IPPs):
    /// the trail is the store for who saw what; the logs carry none of it.
    /// </summary>
    public async Task AuditAsync(Actor actor, string transaction, IReadOnlyDictionary<string, string> parameters, IReadOnlyList<string> resultIpps,
        CancellationToken cancellationToken, Identity? identity = null)
    {
        db.AuditTrail.Add(new AuditEntry
        {
            IdentityId = identity?.Id,
            Ipp = identity?.Ipp,
            Action = "query." + transaction,
            Actor = actor.Name,
            At = clock.GetUtcNow(),
            CorrelationId = actor.CorrelationId,
            Details = JsonSerializer.Serialize(new { parameters, count = resultIpps.Count, ipps = resultIpps.Take(100) }),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<HashSet<Guid>> ResolveAnyAsync(IdentifierCriterion criterion, CancellationToken cancellationToken)
    {
        if (criterion.Domain is { } domain)
        {
            return await ResolveAsync(domain, criterion.Value, cancellationToken) is { } one ? [one.Id] : [];
        }
        var found = new HashSet<Guid>();
        var candidates = new List<IdentifierDomain> { domains.Ipp };
        var value = criterion.Value;
        candidates.AddRange(await db.Identities.AsNoTracking().Where(i => i.InsValue == value).ToListAsync(cancellationToken) is var holders
            ? holders.Select(h => h.ShareableIns).OfType<Domain.Ins.InsNumber>().Select(i => IdentifierDomains.Ins(i.Oid)).Distinct()
            : []);
        candidates.AddRange((await db.Identifiers.AsNoTracking().Where(i => i.Value == value && i.System != IdentifierSystems.MergedIpp)
            .Select(i => i.System).Distinct().ToListAsync(cancellationToken)).Where(s => !IdentifierDomains.IsInsSystem(s)).Select(IdentifierDomains.OfStored));
        foreach (var candidate in candidates)
        {
            if (await ResolveAsync(candidate, value, cancellationToken) is { } identity)
            {
                found.Add(identity.Id);
            }
        }
        return found;
    }

    private async Task<Identity?> SurvivorAsync(Identity? identity, CancellationToken cancellationToken)
    {
        for (var hops = 0; identity is { MergedIntoId: { } next } && hops < MaxMergeHops; hops++)
        {
            identity = await db.Identities.AsNoTracking().FirstOrDefaultAsync(i => i.Id == next, cancellationToken);
        }
        return identity is { IsActive: true } ? identity : null;
    }
}
