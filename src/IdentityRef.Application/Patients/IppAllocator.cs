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
    public Task<long> AllocateAsync(IdentityRefDbContext db, int count, CancellationToken cancellationToken) =>
        Counters.ReserveAsync(db, CounterName, options.Value.IppStart, count, cancellationToken);

    public static string Format(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
