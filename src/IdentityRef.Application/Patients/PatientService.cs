using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Insi;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Patients;

/// <summary>What admission software and staff do with identities: create, correct, find. Every change is audited.</summary>
public sealed class PatientService(IdentityRefDbContext db, IppAllocator ippAllocator, IBirthPlaceDirectory places, TimeProvider clock, IdentityWriter writer,
    IOptions<InsiOptions> insi)
{
    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>Test and demonstration INS are accepted only on a server that talks to the INSi qualification platform.</summary>
    public bool AcceptsTestIns => insi.Value.Environment == InsiEnvironment.Qualification;

    public Result<ValidatedTraits> Validate(IdentityInput input) => IdentityValidator.Validate(input, places, Today, AcceptsTestIns);

    /// <param name="stage">Adds rows that belong to the same transaction (e.g. cross-references of another domain).</param>
    public async Task<Identity> CreateAsync(ValidatedTraits traits, Actor actor, object? auditDetails, CancellationToken cancellationToken,
        Action<Identity>? stage = null)
    {
        var now = clock.GetUtcNow();
        var ipp = await ippAllocator.AllocateAsync(db, 1, cancellationToken);
        var identity = Identity.Create(Guid.NewGuid(), IppAllocator.Format(ipp), traits.Strict, traits.Complementary, traits.DeclaredIns, now);
        db.Identities.Add(identity);
        stage?.Invoke(identity);
        await writer.SaveAsync(identity, "identity.created", before: null, actor, auditDetails, cancellationToken);
        return identity;
    }

    public async Task<IReadOnlyList<FieldWarning>> UpdateAsync(Identity identity, ValidatedTraits traits, Actor actor, CancellationToken cancellationToken)
    {
        var before = IdentitySnapshot.Of(identity);
        var warnings = identity.Update(traits.Strict, traits.Complementary, traits.DeclaredIns, clock.GetUtcNow());
        await writer.SaveAsync(identity, "identity.updated", before, actor, null, cancellationToken);
        return warnings;
    }

    public Task<Identity?> FindAsync(string ipp, CancellationToken cancellationToken) =>
        db.Identities.FirstOrDefaultAsync(i => i.Ipp == ipp, cancellationToken);

    public async Task<string?> IppOfAsync(Guid? id, CancellationToken cancellationToken) =>
        id is null ? null : await db.Identities.Where(i => i.Id == id).Select(i => i.Ipp).FirstOrDefaultAsync(cancellationToken);

    public sealed record SearchCriteria(string? BirthName, string? FirstName, DateOnly? BirthDate, Sex? Sex, string? Status, bool IncludeMerged, int Page, int PageSize);

    /// <summary>
    /// Exact search on normalised traits, as admission staff type them: the name matches the birth or the used
    /// name by its start; the first name matches the first birth first name, the list or the used first name.
    /// </summary>
    public async Task<(IReadOnlyList<Identity> Items, int Total)> SearchAsync(SearchCriteria criteria, CancellationToken cancellationToken)
    {
        var query = db.Identities.AsNoTracking();
        if (!criteria.IncludeMerged)
        {
            query = query.Where(i => i.MergedIntoId == null);
        }
        if (criteria.BirthName is { } name)
        {
            query = query.Where(i => i.BirthName.StartsWith(name) || (i.UsedName != null && i.UsedName.StartsWith(name)));
        }
        if (criteria.FirstName is { } first)
        {
            var inList = " " + first;
            query = query.Where(i => i.FirstName.StartsWith(first) || i.FirstNames.StartsWith(first) || i.FirstNames.Contains(inList)
                || (i.UsedFirstName != null && i.UsedFirstName.StartsWith(first)));
        }
        if (criteria.BirthDate is { } date)
        {
            query = query.Where(i => i.BirthDate == date);
        }
        if (criteria.Sex is { } sex)
        {
            query = query.Where(i => i.Sex == sex);
        }
        if (criteria.Status is { } status && IdentityStatusCodes.Parse(status) is { } parsed)
        {
            query = query.Where(i => i.Status == parsed);
        }
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(i => i.BirthName).ThenBy(i => i.FirstName).ThenBy(i => i.Ipp)
            .Skip((criteria.Page - 1) * criteria.PageSize).Take(criteria.PageSize).ToListAsync(cancellationToken);
        return (items, total);
    }
}
