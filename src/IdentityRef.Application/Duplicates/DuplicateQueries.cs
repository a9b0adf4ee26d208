using System.Globalization;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Qualification;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Duplicates;

/// <summary>The reads of the vigilance cell's work queue, shared by <c>/api/duplicates</c> and the web screens.</summary>
public static class DuplicateQueries
{
    /// <summary>A page of the work queue by descending score (the API and the web screen share it); null filters take everything.</summary>
    public static async Task<PageResponse<DuplicateItemView>> QueueAsync(IdentityRefDbContext db, string? state, string? kind, int page, int pageSize,
        CancellationToken ct)
    {
        var query = db.DuplicateItems.AsNoTracking();
        if (state is not null)
        {
            query = query.Where(d => d.State == state);
        }
        if (kind is not null)
        {
            query = query.Where(d => d.Kind == kind);
        }
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(d => d.Score).ThenBy(d => d.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var ipps = await IppsAsync(db, items, ct);
        return new PageResponse<DuplicateItemView>(items.Select(d => DuplicateViews.From(d, ipps)).ToList(), page, pageSize, total);
    }

    /// <summary>The identity named by <paramref name="survivorIpp"/> when it is one of the pair, else null.</summary>
    public static async Task<Guid?> SurvivorOfPairAsync(IdentityRefDbContext db, DuplicateItem item, string survivorIpp, CancellationToken ct)
    {
        var ipp = survivorIpp.Trim();
        var survivor = await db.Identities.AsNoTracking().Where(i => i.Ipp == ipp).Select(i => (Guid?)i.Id).FirstOrDefaultAsync(ct);
        return survivor is { } id && (id == item.IdentityA || id == item.IdentityB) ? id : null;
    }

    /// <summary>One item with both identities (as the API shows them), the explanation masked by status, the decisions, the INSi answer of a contradiction.</summary>
    public static async Task<DuplicateDetailView> DetailAsync(IdentityRefDbContext db, DuplicateItem item, IBirthPlaceDirectory places, InsiContradictions contradictions,
        CancellationToken ct)
    {
        var identities = await db.Identities.AsNoTracking().Where(i => i.Id == item.IdentityA || i.Id == item.IdentityB).ToDictionaryAsync(i => i.Id, ct);
        var mergedInto = identities.Values.Where(i => i.MergedIntoId is not null).Select(i => i.MergedIntoId!.Value).ToList();
        var survivors = await db.Identities.AsNoTracking().Where(i => mergedInto.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Ipp, ct);
        PatientResponse View(Guid id)
        {
            var identity = identities[id];
            return PatientResponse.From(identity, places, identity.MergedIntoId is { } s ? survivors.GetValueOrDefault(s) : null);
        }
        var ipps = identities.ToDictionary(p => p.Key, p => p.Value.Ipp);
        // The teleservice's side of a contradiction is shown as it answered; a local INS only for a qualified identity.
        var explanation = IdentityMatching.FromJson(item.Explanation) is { } stored
            ? IdentityMatching.Masked(stored, identities[item.IdentityA].Status == IdentityStatus.Qual,
                item.IdentityB is not { } b || identities[b].Status == IdentityStatus.Qual)
            : null;
        var insi = item.IsInsiContradiction && item.InsiCallId is { } callId
            ? await InsiAnswerAsync(db, identities[item.IdentityA], callId, contradictions, ct)
            : null;
        return new DuplicateDetailView(DuplicateViews.From(item, ipps), View(item.IdentityA), item.IdentityB is { } other ? View(other) : null, explanation,
            DuplicateQueue.Decisions(item), insi, PairTag(identities[item.IdentityA], item.IdentityB is { } second ? identities[second] : null));
    }

    /// <summary>The version of a pair as shown: its two identities' versions (any change of either makes a new tag).</summary>
    public static string PairTag(Identity a, Identity? b) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\"p{a.Version}.{b?.Version}\"");

    private static async Task<InsiAnswerView?> InsiAnswerAsync(IdentityRefDbContext db, Identity identity, long callId, InsiContradictions contradictions,
        CancellationToken ct)
    {
        var call = await db.InsiCalls.AsNoTracking().FirstAsync(c => c.Id == callId, ct);
        if (InsiTraits.Of(call) is not { } traits)
        {
            return null;
        }
        var differences = QualificationService.Differences(identity, traits);
        var local = new (string Field, string? Value)[]
        {
            ("birthName", identity.BirthName), ("firstNames", identity.FirstNames), ("firstName", identity.FirstName),
            ("birthDate", identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("sex", identity.Sex.Code()), ("birthPlaceCode", identity.BirthPlaceCode),
        };
        var insi = new Dictionary<string, string?>
        {
            ["birthName"] = traits.BirthName, ["firstNames"] = traits.FirstNames, ["firstName"] = traits.FirstName, ["birthDate"] = traits.BirthDate,
            ["sex"] = traits.Sex, ["birthPlaceCode"] = traits.BirthPlaceCode,
        };
        var rows = local.Select(l => new InsiTraitRow(l.Field, l.Value, insi[l.Field], differences.Any(d => d.Field == l.Field))).ToList();
        var now = await contradictions.CompareAsync(identity, traits, call.InsValue, ct);
        return new InsiAnswerView(call.Id, call.CalledAt, call.Operation, call.Actor, call.Outcome, call.Decision,
            call.InsValue is null ? null : new InsDto(call.InsValue, call.InsOid), traits, rows, now.Contradicting);
    }

    private static async Task<Dictionary<Guid, string>> IppsAsync(IdentityRefDbContext db, IReadOnlyList<DuplicateItem> items, CancellationToken ct)
    {
        var ids = items.SelectMany(d => d.IdentityB is { } b ? new[] { d.IdentityA, b } : [d.IdentityA]).Distinct().ToList();
        return await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Ipp, ct);
    }
}
