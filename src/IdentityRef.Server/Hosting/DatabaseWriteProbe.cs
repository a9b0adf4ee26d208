using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Server.Hosting;

/// <summary>
/// Readiness of the database for writes: one real write (an upsert of a probe row in <c>counters</c>), so a
/// read-only file or transaction, a standby or a full disk shows in <c>/health</c>. The answer is kept a few
/// seconds, so that polling <c>/health</c> (anonymous) does not turn into a stream of writes.
/// </summary>
public sealed class DatabaseWriteProbe(TimeProvider clock)
{
    public const string ProbeName = "health-probe";
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, bool Writable)? _last;

    public async Task<bool> CanWriteAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        if (Fresh() is { } known)
        {
            return known;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } settled)
            {
                return settled;
            }
            var now = clock.GetUtcNow();
            bool writable;
            try
            {
                await db.Database.ExecuteSqlAsync(
                    $"""INSERT INTO counters ("Name", "Next") VALUES ({ProbeName}, {now.ToUnixTimeSeconds()}) ON CONFLICT ("Name") DO UPDATE SET "Next" = excluded."Next" """,
                    cancellationToken);
                writable = true;
            }
            catch (Exception e) when (DatabaseFaults.IsUnavailableForWrites(e) || e is System.Data.Common.DbException or InvalidOperationException)
            {
                writable = false;
            }
            _last = (now, writable);
            return writable;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool? Fresh() => _last is { } last && clock.GetUtcNow() - last.At < KeepFor ? last.Writable : null;
}
