using IdentityRef.Application.TraitMatching;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// The two key tables against the identities' traits: an active identity has exactly the blocking keys of its traits in
/// <c>match_keys</c> and one <c>identity_keys</c> row listing those same keys (ascending, little-endian); a merged identity
/// has neither. Returns how many identities were checked, so a caller can assert it looked at something.
/// </summary>
public static class KeyTables
{
    /// <summary>Checks the identities <paramref name="ids"/> (every identity of the base when null).</summary>
    public static async Task<int> AssertAgreeAsync(IdentityRefDbContext db, IReadOnlyCollection<Guid>? ids = null)
    {
        var query = db.Identities.AsNoTracking();
        var identities = ids is null ? await query.ToListAsync() : await query.Where(i => ids.Contains(i.Id)).ToListAsync();
        if (ids is not null)
        {
            Assert.Equal(ids.Count, identities.Count);
        }
        var numbers = identities.Select(i => i.Number).ToHashSet();
        // Whole tables, filtered here: the bases of the tests are small, and a filter in SQL would need thousands of parameters.
        var keys = (await db.MatchKeys.AsNoTracking().ToListAsync()).Where(k => numbers.Contains(k.IdentityNumber)).ToLookup(k => k.IdentityNumber, k => k.Key);
        var lists = (await db.IdentityKeys.AsNoTracking().ToListAsync()).Where(l => numbers.Contains(l.IdentityNumber)).ToDictionary(l => l.IdentityNumber, l => l.Keys);
        foreach (var identity in identities)
        {
            if (!identity.IsActive)
            {
                Assert.True(!keys[identity.Number].Any(), $"merged identity {identity.Number} still has keys");
                Assert.False(lists.ContainsKey(identity.Number), $"merged identity {identity.Number} still has an identity_keys row");
                continue;
            }
            long[] expected = [.. IdentityMatching.KeyHashes(IdentityMatching.ToRecord(identity)).Order()];
            Assert.NotEmpty(expected);
            Assert.Equal(expected, keys[identity.Number].Order());
            Assert.True(lists.TryGetValue(identity.Number, out var list), $"active identity {identity.Number} has no identity_keys row");
            Assert.Equal(IdentityKeyList.Encode(expected), list);
        }
        return identities.Count;
    }
}
