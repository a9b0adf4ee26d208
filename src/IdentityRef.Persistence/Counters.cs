using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Persistence;

/// <summary>
/// Named counters (<c>counters</c>): a block of consecutive values per call, taken by one atomic update, so unique across
/// instances sharing one database; in the caller's transaction if there is one; never reused (a rolled-back block leaves
/// a gap). IPPs and the identities' store numbers come from here.
/// </summary>
public static class Counters
{
    /// <summary>Reserves <paramref name="count"/> consecutive values of counter <paramref name="name"/> and returns the first.</summary>
    /// <param name="first">The counter's first value, when this call is its first use.</param>
    public static async Task<long> ReserveAsync(IdentityRefDbContext db, string name, long first, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        // One statement when the counter exists (every call but the first); else create it (a concurrent creation loses the
        // race harmlessly) and take the block.
        if (await TakeAsync(db, name, count, cancellationToken) is not { } next)
        {
            await db.Database.ExecuteSqlAsync(
                $"""INSERT INTO counters ("Name", "Next") VALUES ({name}, {first}) ON CONFLICT ("Name") DO NOTHING""", cancellationToken);
            next = await TakeAsync(db, name, count, cancellationToken) ?? throw new InvalidOperationException($"The counter {name} could not be created.");
        }
        return next - count;
    }

    private static async Task<long?> TakeAsync(IdentityRefDbContext db, string name, int count, CancellationToken cancellationToken)
    {
        await foreach (var next in db.Database
                           .SqlQuery<long>($"""UPDATE counters SET "Next" = "Next" + {count} WHERE "Name" = {name} RETURNING "Next" AS "Value" """)
                           .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            return next;
        }
        return null;
    }
}
