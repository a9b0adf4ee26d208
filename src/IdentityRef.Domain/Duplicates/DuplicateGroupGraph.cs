namespace IdentityRef.Domain.Duplicates;

/// <summary>One open link of the queue: a pair item between two identities, its score and class.</summary>
public readonly record struct GroupLink(long ItemId, Guid A, Guid B, double Score, string Class)
{
    public Guid Other(Guid one) => one == A ? B : A;
}

/// <summary>
/// A group of identities that the open links of the queue join (a connected component), with its links. The
/// <see cref="WeakestLink"/> is the bottleneck of the group: the weakest link of its maximum spanning tree, i.e. the lowest
/// score at which the group still holds together (a weaker link closing a triangle is not it). The
/// <see cref="Key"/> is the smallest item id of the group: any item of the group finds it, the key moves when it splits.
/// </summary>
public sealed record DuplicateGroup(IReadOnlyList<Guid> Members, IReadOnlyList<GroupLink> Links, GroupLink WeakestLink)
{
    public long Key => Links.Min(l => l.ItemId);

    /// <summary>The links that a group merge into <paramref name="survivor"/> follows, in order: from the survivor outwards, the strongest
    /// link to a member not reached yet first (Prim's maximum spanning tree); each link's <c>Merged</c> is the member it brings in.</summary>
    public IReadOnlyList<(GroupLink Link, Guid Merged)> MergeOrder(Guid survivor)
    {
        if (!Members.Contains(survivor))
        {
            throw new ArgumentException("The survivor is not a member of the group.", nameof(survivor));
        }
        var reached = new HashSet<Guid> { survivor };
        var order = new List<(GroupLink, Guid)>();
        while (reached.Count < Members.Count)
        {
            var next = Links.Where(l => reached.Contains(l.A) != reached.Contains(l.B))
                .OrderByDescending(l => l.Score).ThenBy(l => l.ItemId).First();
            var merged = reached.Contains(next.A) ? next.B : next.A;
            reached.Add(merged);
            order.Add((next, merged));
        }
        return order;
    }
}

/// <summary>Builds the groups of the queue from its open links: connected components, each with its weakest link.</summary>
public static class DuplicateGroupGraph
{
    /// <summary>The groups of <paramref name="links"/> (a link to itself is ignored), strongest weakest link first, then by key.</summary>
    public static IReadOnlyList<DuplicateGroup> Build(IEnumerable<GroupLink> links)
    {
        var all = links.Where(l => l.A != l.B).ToList();
        var parent = new Dictionary<Guid, Guid>();
        Guid Find(Guid x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            return x;
        }
        foreach (var l in all)
        {
            parent.TryAdd(l.A, l.A);
            parent.TryAdd(l.B, l.B);
        }
        // Kruskal, strongest first: the links that join two parts are the maximum spanning forest; the last one joining a
        // component is its bottleneck.
        var spanning = new Dictionary<long, GroupLink>();
        foreach (var l in all.OrderByDescending(l => l.Score).ThenBy(l => l.ItemId))
        {
            var (ra, rb) = (Find(l.A), Find(l.B));
            if (ra == rb)
            {
                continue;
            }
            parent[ra] = rb;
            spanning[l.ItemId] = l; // candidates: the spanning links; the component's minimum is picked below
        }
        var groups = all.GroupBy(l => Find(l.A)).Select(g =>
        {
            var groupLinks = g.OrderBy(l => l.ItemId).ToList();
            var members = groupLinks.SelectMany(l => new[] { l.A, l.B }).Distinct().Order().ToList();
            var bottleneck = groupLinks.Where(l => spanning.ContainsKey(l.ItemId)).OrderBy(l => l.Score).ThenByDescending(l => l.ItemId).First();
            return new DuplicateGroup(members, groupLinks, bottleneck);
        });
        return groups.OrderByDescending(g => g.WeakestLink.Score).ThenBy(g => g.Key).ToList();
    }
}
