using IdentityRef.Application.Audit;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace IdentityRef.Application.Patients;

/// <summary>What an admission gave: the identity created, or the verdict that stopped it (a probable duplicate).</summary>
public sealed record AdmissionOutcome(Identity? Created, AdmissionVerdict? Blocked);

/// <summary>
/// Check-before-create as one atomic step: the duplicate check and the insert run while holding the locks of the
/// candidate block (<see cref="AdmissionLocks"/>), so two desks registering the same walk-in patient at the same
/// moment create one identity; the second sees the first and gets the probable duplicate.
/// </summary>
public sealed class Admission(IdentityRefDbContext db, PatientService patients, IEnumerable<IAdmissionDuplicateCheck> checks, AdmissionLocks locks)
{
    public async Task<AdmissionOutcome> CreateAsync(ValidatedTraits traits, bool confirmDuplicate, Actor actor, CancellationToken cancellationToken)
    {
        var keys = checks.SelectMany(c => c.BlockKeys(traits)).ToList();
        await using var hold = await locks.EnterAsync(db, keys, cancellationToken);
        object? auditDetails = null;
        var forced = new List<AdmissionVerdict>();
        foreach (var check in checks)
        {
            var verdict = await check.CheckAsync(traits, cancellationToken);
            if (verdict.Blocking && !confirmDuplicate)
            {
                return new AdmissionOutcome(null, verdict);
            }
            if (verdict.Blocking)
            {
                auditDetails = new { confirmDuplicate = true, candidates = verdict.CandidateIpps };
                forced.Add(verdict);
            }
        }
        // Forced past a probable duplicate: the pairs reach the cell's queue in the creation's own transaction.
        var identity = await patients.CreateAsync(traits, actor, auditDetails, cancellationToken,
            stage: forced.Count == 0 ? null : created => forced.ForEach(v => v.StageForced?.Invoke(created, actor, created.CreatedAt)));
        await hold.CommitAsync(cancellationToken);
        return new AdmissionOutcome(identity, null);
    }

    /// <summary>
    /// Check-before-create for another identity source's feed (inbound A28/A31 of a patient not known here): the same
    /// check under the same locks, plus the locks of <paramref name="identifierKeys"/> (the sender's identifiers), so
    /// that two messages about one patient, on two connections or two servers, create it once. A feed cannot be stopped
    /// at a probable duplicate (its source already holds the patient): the identity is created and each probable pair
    /// reaches the cell's queue in the same transaction, as a creation forced past it, naming the source. Answers null,
    /// creating nothing, when <paramref name="createdMeanwhile"/> says (under the locks) that the identity exists now.
    /// Runs in the caller's transaction; on PostgreSQL the advisory locks are held until the caller commits.
    /// </summary>
    public async Task<Identity?> CreateFromFeedAsync(ValidatedTraits traits, IReadOnlyCollection<long> identifierKeys,
        Func<CancellationToken, Task<bool>> createdMeanwhile, Action<Identity> stage, Actor actor, CancellationToken cancellationToken)
    {
        var keys = checks.SelectMany(c => c.BlockKeys(traits)).Concat(identifierKeys).ToList();
        await using var hold = await locks.EnterAsync(db, keys, cancellationToken);
        if (await createdMeanwhile(cancellationToken))
        {
            return null;
        }
        var forced = new List<AdmissionVerdict>();
        foreach (var check in checks)
        {
            if (await check.CheckAsync(traits, cancellationToken) is { Blocking: true } verdict)
            {
                forced.Add(verdict);
            }
        }
        object details = forced.Count == 0
            ? new { source = actor.Name }
            : new { source = actor.Name, probableDuplicates = forced.SelectMany(v => v.CandidateIpps).ToList() };
        var identity = await patients.CreateAsync(traits, actor, details, cancellationToken, stage: created =>
        {
            stage(created);
            forced.ForEach(v => v.StageForced?.Invoke(created, actor, created.CreatedAt));
        });
        await hold.CommitAsync(cancellationToken);
        return identity;
    }
}

/// <summary>
/// Locks on blocking keys, taken for the time of one admission. In this process: one of <see cref="Stripes"/>
/// semaphores per key (a key's stripe is its hash modulo the count; two keys on one stripe only wait for each
/// other). On PostgreSQL also a transaction-scoped advisory lock per stripe (<c>pg_advisory_xact_lock</c>), so
/// that several server processes on one database are serialised too; those locks end with the transaction.
/// Locks are always taken in ascending stripe order, so two admissions never wait for each other in a circle.
/// </summary>
public sealed class AdmissionLocks
{
    public const int Stripes = 4096;

    /// <summary>The first half of the two-key advisory lock: the admission namespace ("IRAD").</summary>
    public const int AdvisoryNamespace = 0x49524144;

    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public static int StripeOf(long key) => (int)((ulong)key % Stripes);

    public async Task<Hold> EnterAsync(IdentityRefDbContext db, IEnumerable<long> keys, CancellationToken cancellationToken)
    {
        var stripes = keys.Select(StripeOf).Distinct().Order().ToArray();
        var inCallersTransaction = db.Database.CurrentTransaction is not null;
        // SQLite: a transaction is the database's one writer (BEGIN IMMEDIATE), so inside the caller's (the inbound feed's)
        // nothing else writes until it commits, and the in-process locks would only be waited for while holding the
        // writer, against an admission that holds them and waits to write: a cycle. They are taken outside a transaction.
        var useStripes = !(inCallersTransaction && db.Provider == DatabaseProvider.Sqlite);
        var taken = new List<SemaphoreSlim>(stripes.Length);
        try
        {
            foreach (var stripe in useStripes ? stripes : [])
            {
                await _stripes[stripe].WaitAsync(cancellationToken);
                taken.Add(_stripes[stripe]);
            }
            IDbContextTransaction? transaction = null;
            if (stripes.Length > 0 && !inCallersTransaction)
            {
                // The check and the insert in one transaction: on SQLite the writer's lock covers them both (an inbound
                // creation, which takes no in-process lock, cannot commit in between); on PostgreSQL the advisory locks below.
                transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            }
            if (db.Provider == DatabaseProvider.PostgreSql && stripes.Length > 0)
            {
                // In the caller's transaction when there is one (the inbound feed's): the locks then last until it commits.
                // unnest keeps the array's (ascending) order, so the locks are taken in that order.
                await db.Database.ExecuteSqlAsync(
                    $"SELECT pg_advisory_xact_lock({AdvisoryNamespace}, s) FROM unnest({stripes}) AS s", cancellationToken);
            }
            return new Hold(taken, transaction);
        }
        catch
        {
            taken.ForEach(s => s.Release());
            throw;
        }
    }

    /// <summary>The locks held; disposing releases them (and rolls back a transaction not committed).</summary>
    public sealed class Hold(List<SemaphoreSlim> taken, IDbContextTransaction? transaction) : IAsyncDisposable
    {
        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (transaction is not null)
                {
                    await transaction.DisposeAsync();
                }
            }
            finally
            {
                taken.ForEach(s => s.Release());
            }
        }
    }
}
