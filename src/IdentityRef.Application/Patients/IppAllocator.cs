using IdentityRef.Persistence;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Patients;

/// <summary>
/// Hands out IPPs from a database counter: unique and never reused, even across instances sharing one
/// PostgreSQL (the counter row is updated atomically), with gaps when a transaction fails.
/// </summary>
public sealed class IppAllocator(IOptions<IdentityOptions> options)
{
    private const string CounterName = "ipp";

    /// <summary>Reserves <paramref name="count"/> consecutive IPPs and returns the first.</summary>
    public async Task<long> AllocateAsync(IdentityRefDbContext db, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var start = options.Value.IppStart;
        // First use: create the counter; a concurrent creation loses the race harmlessly.
        await db.Database.ExecuteSqlAsync(
            $"""INSERT INTO counters ("Name", "Next") VALUES ({CounterName}, {start}) ON CONFLICT ("Name") DO NOTHING""", cancellationToken);
        var next = await db.Database
            .SqlQuery<long>($"""UPDATE counters SET "Next" = "Next" + {count} WHERE "Name" = {CounterName} RETURNING "Next" AS "Value" """)
            .AsAsyncEnumerable()
            .FirstAsync(cancellationToken);
        return next - count;
    }

    public static string Format(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
