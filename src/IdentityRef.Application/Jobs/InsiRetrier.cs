using IdentityRef.Domain.Common;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Qualification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Jobs;

/// <summary>
/// Calls INSi again for the identities whose latest call found the service unavailable (<see cref="InsiCallOutcomes.Unavailable"/>:
/// transport failure, timeout, a "try later" fault such as insi_102 — not an answer nor a refusal): a search by traits through <see cref="QualificationService"/>, as staff
/// would, so its answer awaits their decision like any other. A failure counts as retried once any later call
/// exists for the identity; after <see cref="InsiRetryOptions.MaxAttempts"/> failed retries, a
/// <c>technical-failure</c> work item hands it over to the identity vigilance cell, and the job leaves it alone. A failure
/// of an identity that may no longer call INSi (doubtful, fictitious, merged, sex unknown) is marked dropped and left too.
/// </summary>
public sealed class InsiRetrier(IdentityRefDbContext db, QualificationService qualification, TimeProvider clock, IOptions<SchedulerOptions> options)
{
    public const string JobName = "insi-retry";
    public static readonly string ActorName = Actor.System(JobName).Name;

    /// <summary>The decision recorded on a failed call this job will not retry: its identity may no longer call INSi.</summary>
    public const string DecisionDropped = "dropped";

    private InsiRetryOptions Settings => options.Value.InsiRetry;

    /// <summary>The latest call of each identity, when it is a technical failure old enough to retry.</summary>
    public async Task<List<InsiCall>> DueAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow().AddMinutes(-Settings.MinDelayMinutes);
        var reverification = InsReverifier.ActorName; // its failures are asked again by its own next run
        return await db.InsiCalls
            .Where(c => c.Outcome == InsiCallOutcomes.Unavailable
                // calls recorded before the typed outcome: a transport failure or a time-out was written "error"
                || (c.Outcome == InsiCallOutcomes.Error && c.Error != null && (c.Error.StartsWith("InsiTransportError") || c.Error.StartsWith("InsiTimeoutError"))))
            .Where(c => c.Actor != reverification && c.CalledAt <= before && c.Decision == null)
            .Where(c => !db.InsiCalls.Any(later => later.IdentityId == c.IdentityId && later.Id > c.Id))
            // Handed over to the cell already (whatever it decided): not retried any more.
            .Where(c => !db.WorkItems.Any(w => w.IdentityId == c.IdentityId && w.Kind == WorkItemKinds.TechnicalFailure && w.CreatedAt >= c.CalledAt))
            .OrderBy(c => c.Id)
            .Take(Settings.BatchSize)
            .ToListAsync(cancellationToken);
    }

    public async Task<JobCounters> RunAsync(CancellationToken cancellationToken) => await RunAsync(new JobCounters(), cancellationToken);

    public async Task<JobCounters> RunAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        foreach (var failed in await DueAsync(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var attempts = await RetriesSoFarAsync(failed.IdentityId, cancellationToken);
            if (attempts >= Settings.MaxAttempts)
            {
                await WorkItemRaiser.RaiseAsync(db, WorkItemKinds.TechnicalFailure, failed.IdentityId,
                    new { job = JobName, callId = failed.Id, attempts, error = failed.Error }, clock.GetUtcNow(), cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                counters.Add("gave-up");
                continue;
            }
            var identity = await db.Identities.SingleAsync(i => i.Id == failed.IdentityId, cancellationToken);
            try
            {
                var result = await qualification.SearchAsync(identity, null, Actor.System(JobName), cancellationToken);
                counters.Add(result.Error is null ? "answered" : "failed-again");
            }
            catch (DomainRuleException)
            {
                // The identity may no longer be asked (doubtful, merged, sex unknown): nothing to retry. The failure is marked
                // as dropped, or it would head every later batch and, once a batch of them piled up, stop all other retries.
                db.ChangeTracker.Clear();
                var dropped = await db.InsiCalls.SingleAsync(c => c.Id == failed.Id, cancellationToken);
                (dropped.Decision, dropped.DecidedAt, dropped.DecidedBy) = (DecisionDropped, clock.GetUtcNow(), ActorName);
                await db.SaveChangesAsync(cancellationToken);
                counters.Add("not-allowed");
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                counters.Add("concurrent-change");
            }
        }
        return counters;
    }

    /// <summary>The retries this job already made since the identity's last call that did not fail technically.</summary>
    private async Task<int> RetriesSoFarAsync(Guid identityId, CancellationToken cancellationToken)
    {
        var recent = await db.InsiCalls.Where(c => c.IdentityId == identityId).OrderByDescending(c => c.Id)
            .Select(c => new { c.Actor, c.Outcome, c.Error }).Take(Settings.MaxAttempts + 1).ToListAsync(cancellationToken);
        return recent.TakeWhile(c => InsiCallOutcomes.Failures.Contains(c.Outcome)).Count(c => c.Actor == ActorName);
    }
}
