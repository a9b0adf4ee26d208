using System.Text.Json;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Links;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Merges;

/// <summary>
/// Merges two identities and undoes a merge. The merged identity keeps its record, inactive, pointing to the
/// survivor; its IPP and other identifiers become identifiers of the survivor. Each decision is audited on both
/// identities and broadcast (A40, then A31s).
/// </summary>
public sealed class MergeService(IdentityRefDbContext db, IdentityWriter writer, LinkService links, TimeProvider clock)
{
    /// <param name="fromMerged">
    /// The traits (<see cref="MergeTraits"/>) the cell took from the merged identity rather than the survivor (a merge trait by
    /// trait); null or empty keeps the survivor's. Checked by <see cref="IdentityMerge.CheckTraitChoice"/> before anything changes.
    /// </param>
    /// <exception cref="DomainRuleException">ins-collision, identity-merged, identities-linked, merge-ins-traits, merge-anchored-traits.</exception>
    public async Task<Merge> MergeAsync(Identity survivor, Identity merged, Actor actor, object? details, CancellationToken cancellationToken,
        IReadOnlyCollection<string>? fromMerged = null)
    {
        // Every merge comes here (a pair, a group's steps, an inbound A40): a link is the decision to keep the two records apart.
        if (await links.AreLinkedAsync(survivor.Id, merged.Id, cancellationToken))
        {
            throw new DomainRuleException("identities-linked",
                "These two identities are linked: two records of one person kept apart on purpose. Undo the link first.");
        }
        var now = clock.GetUtcNow();
        var mergedVersion = merged.Version;
        var survivorBefore = IdentitySnapshot.Of(survivor);
        var mergedBefore = IdentitySnapshot.Of(merged);
        var core = survivor.Core;
        var chosen = MergeTraits.Check(survivor, merged, fromMerged ?? []);
        var traitsBefore = chosen.Count > 0
            ? JsonSerializer.Serialize(new SurvivorTraits(survivor.Strict, survivor.Complementary, survivor.StrictTraitsChangedAt))
            : null;
        var tookOver = IdentityMerge.Merge(survivor, merged, now);
        if (chosen.Count > 0)
        {
            var (strict, complementary) = MergeTraits.Compose(survivor, merged, chosen);
            survivor.ChooseTraits(strict, complementary, now);
        }

        var moved = await db.Identifiers.Where(i => i.IdentityId == merged.Id).ToListAsync(cancellationToken);
        foreach (var identifier in moved)
        {
            identifier.IdentityId = survivor.Id;
        }
        var mergedIpp = new IdentityIdentifier { IdentityId = survivor.Id, System = IdentifierSystems.MergedIpp, Value = merged.Ipp, CreatedAt = now };
        db.Identifiers.Add(mergedIpp);
        var merge = new Merge
        {
            SurvivorId = survivor.Id,
            MergedId = merged.Id,
            MergedAt = now,
            Actor = actor.Name,
            SurvivorCoreBefore = tookOver ? JsonSerializer.Serialize(core) : null,
            SurvivorTraitsBefore = traitsBefore,
            SurvivorVersionAfter = survivor.Version,
            MovedIdentifiers = JsonSerializer.Serialize(moved.Select(i => i.Id)),
        };
        db.Merges.Add(merge);
        await CarryUndoRightAsync(merged.Id, mergedVersion, merged.Version, cancellationToken);
        // The merged identity first: its A40 reaches the receivers before the survivor's A31.
        await writer.SaveAsync([(merged, "identity.merged", mergedBefore), (survivor, "identity.merged-into", survivorBefore)], actor,
            new { survivor = survivor.Ipp, merged = merged.Ipp, details, traitsFromMerged = chosen.Count > 0 ? chosen : null }, cancellationToken);
        return merge;
    }

    /// <summary>Restores both identities as they were, while nothing since forbids it (the survivor changed or was merged).</summary>
    public async Task<(Identity Survivor, Identity Restored)> UndoAsync(Merge merge, Actor actor, CancellationToken cancellationToken)
    {
        if (merge.UndoneAt is not null)
        {
            throw new DomainRuleException("merge-undone", "This merge was already undone.");
        }
        var survivor = await db.Identities.FirstAsync(i => i.Id == merge.SurvivorId, cancellationToken);
        var restored = await db.Identities.FirstAsync(i => i.Id == merge.MergedId, cancellationToken);
        if (!survivor.IsActive)
        {
            throw new DomainRuleException("survivor-merged", "The surviving identity was merged into another since: undo that merge first.");
        }
        if (survivor.Version != merge.SurvivorVersionAfter)
        {
            throw new DomainRuleException("survivor-changed",
                "The surviving identity changed after the merge: undoing it would lose those changes. Correct the identities by hand.");
        }
        var now = clock.GetUtcNow();
        var survivorBefore = IdentitySnapshot.Of(survivor);
        var restoredBefore = IdentitySnapshot.Of(restored);
        if (merge.SurvivorCoreBefore is { } json)
        {
            survivor.RestoreCore(JsonSerializer.Deserialize<IdentityCore>(json)!, now);
        }
        if (merge.SurvivorTraitsBefore is { } traitsJson)
        {
            var traits = JsonSerializer.Deserialize<SurvivorTraits>(traitsJson)!;
            survivor.RestoreTraits(traits.Strict, traits.Complementary, traits.StrictTraitsChangedAt, now);
        }
        var restoredVersion = restored.Version;
        restored.Unmerge(now);
        await CarryUndoRightAsync(restored.Id, restoredVersion, restored.Version, cancellationToken);
        var movedIds = JsonSerializer.Deserialize<List<long>>(merge.MovedIdentifiers)!;
        foreach (var identifier in await db.Identifiers.Where(i => movedIds.Contains(i.Id)).ToListAsync(cancellationToken))
        {
            identifier.IdentityId = restored.Id;
        }
        db.Identifiers.RemoveRange(await db.Identifiers
            .Where(i => i.IdentityId == survivor.Id && i.System == IdentifierSystems.MergedIpp && i.Value == restored.Ipp).ToListAsync(cancellationToken));
        merge.UndoneAt = now;
        merge.UndoneBy = actor.Name;
        // The survivor first: when the merge had given it a qualified INS, its A47 takes that INS back at the receivers before
        // the revived identity's A28 brings it again under its own IPP (never one INS on two of their patients).
        await writer.SaveAsync([(survivor, "identity.merge-undone", survivorBefore), (restored, "identity.unmerged", restoredBefore)], actor,
            new { mergeId = merge.Id, survivor = survivor.Ipp, restored = restored.Ipp }, cancellationToken);
        return (survivor, restored);
    }

    /// <summary>
    /// An undo is refused once the survivor changed (its version moved). Being merged into another identity and revived by that
    /// merge's undo changes nothing of its content, only its version: so the earlier merges into <paramref name="identity"/> that
    /// could still be undone keep that right (a chain C → B → A is undone B → A, then C → B, as the server asks).
    /// </summary>
    private async Task CarryUndoRightAsync(Guid identity, int versionBefore, int versionAfter, CancellationToken cancellationToken)
    {
        foreach (var earlier in await db.Merges.Where(m => m.SurvivorId == identity && m.UndoneAt == null && m.SurvivorVersionAfter == versionBefore)
                     .ToListAsync(cancellationToken))
        {
            earlier.SurvivorVersionAfter = versionAfter;
        }
    }
}

/// <summary>The survivor's traits before a merge trait by trait (what an undo puts back).</summary>
internal sealed record SurvivorTraits(StrictTraits Strict, ComplementaryTraits Complementary, DateTimeOffset StrictTraitsChangedAt);

/// <summary>
/// The traits the cell may pick, one by one, at a merge: the strict traits (birth name, birth first names, birth date, sex, birth
/// place) and the complementary ones (used name, used first name, address with its postcode and city, phone, e-mail).
/// </summary>
public static class MergeTraits
{
    public const string BirthName = "birthName";
    public const string FirstNames = "firstNames";
    public const string BirthDate = "birthDate";
    public const string Sex = "sex";
    public const string BirthPlace = "birthPlaceCode";
    public const string UsedName = "usedName";
    public const string UsedFirstName = "usedFirstName";
    public const string Address = "address";
    public const string Phone = "phone";
    public const string Email = "email";

    public static readonly IReadOnlyList<string> Strict = [BirthName, FirstNames, BirthDate, Sex, BirthPlace];
    public static readonly IReadOnlyList<string> Complementary = [UsedName, UsedFirstName, Address, Phone, Email];
    public static readonly IReadOnlyList<string> All = [.. Strict, .. Complementary];

    /// <summary>
    /// The traits taken from the merged identity that change something, checked against the INS and document rules; an
    /// unknown trait name is an argument error.
    /// </summary>
    /// <exception cref="DomainRuleException">merge-ins-traits, merge-anchored-traits.</exception>
    public static IReadOnlyList<string> Check(Identity survivor, Identity merged, IReadOnlyCollection<string> fromMerged)
    {
        if (fromMerged.FirstOrDefault(t => !All.Contains(t)) is { } unknown)
        {
            throw new ArgumentException($"Unknown trait '{unknown}'.", nameof(fromMerged));
        }
        var chosen = All.Where(t => fromMerged.Contains(t) && Value(survivor, t) != Value(merged, t)).ToList();
        // Strict traits kept from the survivor while the merged identity's INS wins: they would stay only if equal.
        var keptFromSurvivor = Strict.Where(t => !fromMerged.Contains(t) && Value(survivor, t) != Value(merged, t)).ToList();
        IdentityMerge.CheckTraitChoice(survivor, merged, chosen.Where(Strict.Contains).ToList(),
            IdentityMerge.TakesOver(survivor, merged) ? keptFromSurvivor : []);
        return chosen;
    }

    /// <summary>The survivor's traits (after any INS take-over) with <paramref name="chosen"/> taken from the merged identity.</summary>
    public static (StrictTraits Strict, ComplementaryTraits Complementary) Compose(Identity survivor, Identity merged, IReadOnlyCollection<string> chosen)
    {
        T Pick<T>(string trait, T mine, T theirs) => chosen.Contains(trait) ? theirs : mine;
        var s = survivor.Strict;
        var m = merged.Strict;
        var strict = new StrictTraits(
            Pick(BirthName, s.BirthName, m.BirthName),
            Pick(FirstNames, s.FirstNames, m.FirstNames),
            Pick(FirstNames, s.FirstName, m.FirstName),
            Pick(BirthDate, s.BirthDate, m.BirthDate),
            Pick(Sex, s.Sex, m.Sex),
            Pick(BirthPlace, s.BirthPlaceCode, m.BirthPlaceCode));
        var c = survivor.Complementary;
        var o = merged.Complementary;
        var complementary = new ComplementaryTraits(
            Pick(UsedName, c.UsedName, o.UsedName),
            Pick(UsedFirstName, c.UsedFirstName, o.UsedFirstName),
            Pick(Address, c.Address, o.Address),
            Pick(Address, c.Postcode, o.Postcode),
            Pick(Address, c.City, o.City),
            Pick(Phone, c.Phone, o.Phone),
            Pick(Email, c.Email, o.Email));
        return (strict, complementary);
    }

    /// <summary>A trait's value as compared for the choice (the address with its postcode and city).</summary>
    public static string? Value(Identity i, string trait) => trait switch
    {
        BirthName => i.BirthName,
        FirstNames => i.FirstNames,
        BirthDate => i.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + (i.BirthDateCorrected ? "*" : ""),
        Sex => i.Sex.Code(),
        BirthPlace => i.BirthPlaceCode,
        UsedName => i.UsedName,
        UsedFirstName => i.UsedFirstName,
        Address => string.Join("|", i.Address, i.Postcode, i.City),
        Phone => i.Phone,
        Email => i.Email,
        _ => throw new ArgumentException($"Unknown trait '{trait}'.", nameof(trait)),
    };
}

/// <summary>A merge as the API and the screens show it.</summary>
public sealed record MergeResponse(long Id, string SurvivorIpp, string MergedIpp, DateTimeOffset MergedAt, string Actor, bool TookOverIns,
    DateTimeOffset? UndoneAt, string? UndoneBy);

/// <summary>The reads of merges, shared by <c>/api/merges</c> and the web screens.</summary>
public sealed class MergeQueries(IdentityRefDbContext db)
{
    /// <summary>Merge <paramref name="id"/> (tracked: an undo changes it), or null.</summary>
    public Task<Merge?> FindAsync(long id, CancellationToken ct) => db.Merges.FirstOrDefaultAsync(m => m.Id == id, ct);

    public Task<MergeResponse> ViewAsync(Merge merge, CancellationToken ct) => ViewAsync(db, merge, ct);

    public static async Task<MergeResponse> ViewAsync(IdentityRefDbContext db, Merge merge, CancellationToken ct)
    {
        var ipps = await db.Identities.Where(i => i.Id == merge.SurvivorId || i.Id == merge.MergedId).ToDictionaryAsync(i => i.Id, i => i.Ipp, ct);
        return new MergeResponse(merge.Id, ipps[merge.SurvivorId], ipps[merge.MergedId], merge.MergedAt, merge.Actor, merge.SurvivorCoreBefore is not null,
            merge.UndoneAt, merge.UndoneBy);
    }
}
