using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Links;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Patients;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Duplicates;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Duplicates;

/// <summary>One link of a group: the pair item, its two identities, its score and class.</summary>
public sealed record GroupLinkView(long ItemId, string IppA, string IppB, double Score, string Class, string State, string? AssignedTo);

/// <summary>Two members of a group that must not be merged together, and why (<c>ins-collision</c>: two different INS; <c>not-duplicate</c>: the
/// cell decided they are two people, item <see cref="ItemId"/>; <c>identities-linked</c>: a link keeps their records apart).</summary>
public sealed record GroupBlocker(string Rule, string IppA, string IppB, long? ItemId);

/// <summary>A group in the list: its people at a glance, its size, its weakest link.</summary>
public sealed record DuplicateGroupSummary(long Key, int Size, int LinkCount, GroupLinkView WeakestLink, IReadOnlyList<QueueSide> Members);

/// <summary>
/// A group in full: every member as the API shows an identity, every open link, the weakest link, the pairs that block a merge of
/// the whole group, and the group's <see cref="ETag"/> (send it back in <c>If-Match</c> to merge it: it changes when a link or a
/// member changes).
/// </summary>
public sealed record DuplicateGroupView(
    long Key,
    string ETag,
    IReadOnlyList<PatientResponse> Members,
    IReadOnlyList<GroupLinkView> Links,
    GroupLinkView WeakestLink,
    IReadOnlyList<GroupBlocker> Blockers);

/// <summary>One merge of a group merge, in the order they were made (one A40 each).</summary>
public sealed record GroupMergeStep(long ItemId, long MergeId, string SurvivorIpp, string MergedIpp);

public sealed record MergeGroupRequest(string? SurvivorIpp, string? Comment);

/// <summary>What a group merge did, or why it did nothing.</summary>
public abstract record GroupMergeOutcome
{
    /// <summary>Every member merged into the survivor, in order.</summary>
    public sealed record Merged(long Key, string SurvivorIpp, IReadOnlyList<GroupMergeStep> Steps) : GroupMergeOutcome;

    /// <summary>No open group holds this item.</summary>
    public sealed record NotFound : GroupMergeOutcome;

    /// <summary>The group changed since it was read (a link decided, added or split off, a member changed): nothing written.</summary>
    public sealed record Stale(string Current) : GroupMergeOutcome;

    /// <summary>The survivor named is not a member of the group.</summary>
    public sealed record NotAMember : GroupMergeOutcome;

    /// <summary>One merge of the group is refused by the merge rules: nothing of the group is written. <see cref="IppA"/>/<see cref="IppB"/> name the pair.</summary>
    public sealed record Refused(string Rule, string Message, string IppA, string IppB, long? ItemId) : GroupMergeOutcome;
}

/// <summary>
/// Duplicates as groups: the connected components of the open probable/possible pairs of the queue, computed from the pairs
/// (no table of their own), so a decision on a pair ("not a duplicate") splits its group at once. A group is merged into one
/// survivor in one decision: one merge (one A40) per merged record, along the group's strongest links, each through
/// <see cref="MergeService"/> and its rules, all in one transaction: one refusal and nothing of the group is written.
/// </summary>
public sealed class DuplicateGroups(IdentityRefDbContext db, MergeService merges, LinkService links, IBirthPlaceDirectory places, TimeProvider clock)
{
    /// <summary>A page of the groups of two members or more, strongest weakest link first; <paramref name="minSize"/> filters by size.</summary>
    public async Task<PageResponse<DuplicateGroupSummary>> ListAsync(int page, int pageSize, int minSize, CancellationToken ct)
    {
        var groups = (await GroupsAsync(ct)).Where(g => g.Members.Count >= minSize).ToList();
        var shown = groups.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        var ids = shown.SelectMany(g => g.Members).ToList();
        var identities = await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var items = await StatesAsync(shown.SelectMany(g => g.Links).Select(l => l.ItemId).ToList(), ct);
        var rows = shown.Select(g => new DuplicateGroupSummary(g.Key, g.Members.Count, g.Links.Count, View(g.WeakestLink, identities, items),
            g.Members.Select(m => Side(identities[m])).OrderBy(s => s.Ipp, StringComparer.Ordinal).ToList())).ToList();
        return new PageResponse<DuplicateGroupSummary>(rows, page, pageSize, groups.Count);
    }

    /// <summary>The group that holds the open item <paramref name="itemId"/> (any of its items finds it), or null.</summary>
    public async Task<DuplicateGroupView?> GroupOfAsync(long itemId, CancellationToken ct)
    {
        if (await GroupHoldingAsync(itemId, ct) is not { } group)
        {
            return null;
        }
        var memberIds = group.Members.ToArray();
        var identities = await db.Identities.AsNoTracking().Where(i => memberIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var items = await StatesAsync(group.Links.Select(l => l.ItemId).ToList(), ct);
        var blockers = await BlockersAsync(group, identities, ct);
        return new DuplicateGroupView(group.Key, ETag(group, identities), group.Members.Select(m => PatientResponse.From(identities[m], places)).OrderBy(p => p.Ipp, StringComparer.Ordinal).ToList(),
            group.Links.Select(l => View(l, identities, items)).ToList(), View(group.WeakestLink, identities, items), blockers);
    }

    /// <summary>
    /// Merges every member of the group of <paramref name="itemId"/> into the member <paramref name="survivorIpp"/>, in one decision. When
    /// <paramref name="expectedETag"/> is given, the group must still be the one read (else <see cref="GroupMergeOutcome.Stale"/>). Refused before
    /// anything is written when two members hold different INS or were decided "not a duplicate"; refused and rolled back when one merge breaks a
    /// merge rule or meets a concurrent change (<c>item-changed</c>) or when a qualified member's status would be lost.
    /// </summary>
    public async Task<GroupMergeOutcome> MergeAsync(long itemId, string survivorIpp, string? expectedETag, Actor actor, string? comment, CancellationToken ct)
    {
        try
        {
            return await MergeOnceAsync(itemId, survivorIpp, expectedETag, actor, comment, ct);
        }
        finally
        {
            // Whatever happened, the caller reads the group as stored, not what a refused attempt left in memory.
            db.ChangeTracker.Clear();
        }
    }

    private async Task<GroupMergeOutcome> MergeOnceAsync(long itemId, string survivorIpp, string? expectedETag, Actor actor, string? comment, CancellationToken ct)
    {
        if (await GroupHoldingAsync(itemId, ct) is not { } group)
        {
            return new GroupMergeOutcome.NotFound();
        }
        // Tracked: the items and identities read here are the ones saved, their concurrency tokens as read now.
        var memberIds = group.Members.ToArray();
        var identities = await db.Identities.Where(i => memberIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        var linkIds = group.Links.Select(l => l.ItemId).ToList();
        var items = await db.DuplicateItems.Where(d => linkIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, ct);
        var current = ETag(group, identities);
        if (expectedETag is not null && !SameTag(expectedETag, current))
        {
            return new GroupMergeOutcome.Stale(current);
        }
        var ipp = survivorIpp.Trim();
        if (identities.Values.FirstOrDefault(i => i.Ipp == ipp) is not { } survivor)
        {
            return new GroupMergeOutcome.NotAMember();
        }
        if ((await BlockersAsync(group, identities, ct)).FirstOrDefault() is { } blocker)
        {
            return new GroupMergeOutcome.Refused(blocker.Rule, blocker.Rule == "ins-collision"
                ? "Two members of the group hold different INS: two people, never one merge. Decide that pair first (not a duplicate, or a collision to settle)."
                : "The cell decided that two members of the group are not duplicates: split the group before merging it.", blocker.IppA, blocker.IppB, blocker.ItemId);
        }
        var wasQualified = identities.Values.Any(i => i.Status == IdentityStatus.Qual);
        var order = group.MergeOrder(survivor.Id);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async Task<GroupMergeOutcome> () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow();
            // Every link of the group is claimed first, in one save (an item's state is its concurrency token): a decision that
            // raced this one on any of them, "not a duplicate" on a link the merge does not follow included, fails the merge
            // before any identity moves. The followed links are resolved merged; the others become obsolete with the merges.
            foreach (var (link, merged) in order)
            {
                var item = items[link.ItemId];
                DuplicateQueue.Record(item, now, actor.Name, "group-merge", $"group {group.Key}: {identities[merged].Ipp} into {survivor.Ipp}");
                DuplicateQueue.Resolve(item, DuplicateResolutions.Merged, now, actor.Name, comment);
            }
            foreach (var link in group.Links.Where(l => order.All(o => o.Link.ItemId != l.ItemId)))
            {
                DuplicateQueue.Record(items[link.ItemId], now, actor.Name, "group-merge",
                    $"group {group.Key}: {identities[link.A].Ipp} and {identities[link.B].Ipp} both into {survivor.Ipp}");
            }
            try
            {
                await DuplicateQueue.SaveDecisionAsync(db, ct);
            }
            catch (DomainRuleException rule)
            {
                var first = order[0];
                return new GroupMergeOutcome.Refused(rule.Rule, rule.Message, survivor.Ipp, identities[first.Merged].Ipp, null);
            }
            var steps = new List<GroupMergeStep>();
            foreach (var (link, mergedId) in order)
            {
                var merged = identities[mergedId];
                try
                {
                    var merge = await merges.MergeAsync(survivor, merged, actor, new { duplicateItem = link.ItemId, group = group.Key, comment }, ct);
                    items[link.ItemId].RecordMerge(merge.Id);
                    await db.SaveChangesAsync(ct);
                    steps.Add(new GroupMergeStep(link.ItemId, merge.Id, survivor.Ipp, merged.Ipp));
                }
                catch (DomainRuleException rule)
                {
                    return new GroupMergeOutcome.Refused(rule.Rule, rule.Message, survivor.Ipp, merged.Ipp, link.ItemId);
                }
                catch (DbUpdateConcurrencyException)
                {
                    return new GroupMergeOutcome.Refused("item-changed", "An item or an identity of the group changed meanwhile; read the group again.",
                        survivor.Ipp, merged.Ipp, link.ItemId);
                }
            }
            if (wasQualified && survivor.Status != IdentityStatus.Qual)
            {
                // The merge rules hand a qualified INS over to the survivor; should they ever not, the group is not merged.
                return new GroupMergeOutcome.Refused("qualified-lost", "The merge would leave no qualified identity: choose the qualified member as the survivor.",
                    survivor.Ipp, identities.Values.First(i => i.Status == IdentityStatus.Qual).Ipp, null);
            }
            await transaction.CommitAsync(ct);
            return new GroupMergeOutcome.Merged(group.Key, survivor.Ipp, steps);
        });
    }

    /// <summary>Every group of the open duplicate pairs (probable or possible, both identities active).</summary>
    private async Task<IReadOnlyList<DuplicateGroup>> GroupsAsync(CancellationToken ct) =>
        DuplicateGroupGraph.Build(await LinksAsync(OpenLinks(), ct));

    /// <summary>
    /// The group that holds the open item <paramref name="itemId"/>, or null: the same component as <see cref="GroupsAsync"/> finds, reached
    /// by walking the open links out from the item's two identities (a few indexed reads, whatever the size of the queue).
    /// </summary>
    private async Task<DuplicateGroup?> GroupHoldingAsync(long itemId, CancellationToken ct)
    {
        var links = (await LinksAsync(OpenLinks().Where(d => d.Id == itemId), ct)).ToDictionary(l => l.ItemId);
        var members = links.Values.SelectMany(l => new[] { l.A, l.B }).ToHashSet();
        var frontier = members.ToList();
        while (frontier.Count > 0)
        {
            var found = new List<GroupLink>();
            foreach (var reached in frontier.Chunk(500)) // bounded statements, whatever the size of a (pathological) group
            {
                found.AddRange(await LinksAsync(OpenLinks().Where(d => reached.Contains(d.IdentityA) || reached.Contains(d.IdentityB!.Value)), ct));
            }
            frontier = [];
            foreach (var link in found)
            {
                links.TryAdd(link.ItemId, link);
                foreach (var member in new[] { link.A, link.B })
                {
                    if (members.Add(member))
                    {
                        frontier.Add(member);
                    }
                }
            }
        }
        return DuplicateGroupGraph.Build(links.Values).SingleOrDefault();
    }

    private IQueryable<DuplicateItem> OpenLinks() => db.DuplicateItems.AsNoTracking()
        .Where(d => d.State != DuplicateStates.Resolved && d.Kind == DuplicateKinds.Duplicate && d.IdentityB != null);

    private static async Task<List<GroupLink>> LinksAsync(IQueryable<DuplicateItem> items, CancellationToken ct) =>
        (await items.Select(d => new { d.Id, d.IdentityA, d.IdentityB, d.Score, d.Class }).ToListAsync(ct))
        .ConvertAll(l => new GroupLink(l.Id, l.IdentityA, l.IdentityB!.Value, l.Score, l.Class));

    /// <summary>The pairs of members that forbid merging the whole group: two different INS, a "not a duplicate" decision, or a link between them.</summary>
    private async Task<IReadOnlyList<GroupBlocker>> BlockersAsync(DuplicateGroup group, IReadOnlyDictionary<Guid, Identity> identities, CancellationToken ct)
    {
        var members = group.Members.ToArray();
        var blockers = new List<GroupBlocker>();
        for (var i = 0; i < members.Length; i++)
        {
            for (var j = i + 1; j < members.Length; j++)
            {
                var (a, b) = (identities[members[i]], identities[members[j]]);
                if (a.InsValue is not null && b.InsValue is not null && a.InsValue != b.InsValue)
                {
                    blockers.Add(new GroupBlocker("ins-collision", a.Ipp, b.Ipp, null));
                }
            }
        }
        var refused = await db.DuplicateItems.AsNoTracking()
            .Where(d => d.Resolution == DuplicateResolutions.NotDuplicate && members.Contains(d.IdentityA) && d.IdentityB != null && members.Contains(d.IdentityB.Value))
            .OrderBy(d => d.Id).Select(d => new { d.Id, d.IdentityA, B = d.IdentityB!.Value }).ToListAsync(ct);
        blockers.AddRange(refused.Select(r => new GroupBlocker("not-duplicate", identities[r.IdentityA].Ipp, identities[r.B].Ipp, r.Id)));
        var linked = await links.LinkedPairsAmongAsync(members, ct);
        blockers.AddRange(linked.Select(p => new GroupBlocker("identities-linked", identities[p.A].Ipp, identities[p.B].Ipp, null)));
        return blockers;
    }

    /// <summary>The version of a group: its links (which, class, score) and its members' versions. Any change of one makes a new tag.</summary>
    private static string ETag(DuplicateGroup group, IReadOnlyDictionary<Guid, Identity> identities)
    {
        var text = new StringBuilder();
        foreach (var l in group.Links)
        {
            text.Append(CultureInfo.InvariantCulture, $"l{l.ItemId}:{l.A}:{l.B}:{l.Class}:{l.Score:R};");
        }
        foreach (var m in group.Members)
        {
            text.Append(CultureInfo.InvariantCulture, $"m{m}:{identities[m].Version};");
        }
        return $"\"g{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..20]}\"";
    }

    private static bool SameTag(string sent, string current) =>
        sent.Split(',').Select(t => t.Trim()).Any(t => t == current || t == "W/" + current);

    private async Task<Dictionary<long, (string State, string? AssignedTo)>> StatesAsync(List<long> ids, CancellationToken ct) =>
        (await db.DuplicateItems.AsNoTracking().Where(d => ids.Contains(d.Id)).Select(d => new { d.Id, d.State, d.AssignedTo }).ToListAsync(ct))
        .ToDictionary(d => d.Id, d => (d.State, d.AssignedTo));

    private static GroupLinkView View(GroupLink l, IReadOnlyDictionary<Guid, Identity> identities, IReadOnlyDictionary<long, (string State, string? AssignedTo)> items)
    {
        var (state, assigned) = items.TryGetValue(l.ItemId, out var found) ? found : (DuplicateStates.Open, null);
        return new GroupLinkView(l.ItemId, identities[l.A].Ipp, identities[l.B].Ipp, l.Score, l.Class, state, assigned);
    }

    private static QueueSide Side(Identity i) => new(i.Ipp, i.BirthName, i.FirstName, i.UsedName, i.BirthDate, i.Status.Code(), i.Status.Label(), i.IsActive);
}
