using IdentityRef.Domain.Identities;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Persistence;

/// <summary>
/// Gives new identities their store number (<see cref="Identity.Number"/>) from the <c>identity-number</c> counter,
/// a block of consecutive numbers per call, in the caller's transaction if there is one. Numbers are never reused
/// (a rolled-back block leaves a gap). The migration that added the column numbered the existing identities and set
/// the counter past them.
/// </summary>
public static class IdentityNumbers
{
    public const string CounterName = "identity-number";

    /// <summary>Reserves <paramref name="count"/> consecutive numbers and returns the first.</summary>
    public static Task<long> AllocateAsync(IdentityRefDbContext db, int count, CancellationToken cancellationToken) =>
        Counters.ReserveAsync(db, CounterName, 1, count, cancellationToken);

    /// <summary>Numbers those of <paramref name="identities"/> that have no number yet.</summary>
    public static async Task AssignAsync(IdentityRefDbContext db, IEnumerable<Identity> identities, CancellationToken cancellationToken)
    {
        var missing = identities.Where(i => i.Number == 0).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }
        var first = await AllocateAsync(db, missing.Count, cancellationToken);
        for (var i = 0; i < missing.Count; i++)
        {
            missing[i].AssignNumber(first + i);
        }
    }
}
