using System.Globalization;
using System.Text.Json;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;
using IdentityRef.Insi;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Qualification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Jobs;

/// <summary>
/// Scheduled re-verification of the INS (not set nationally how often: <see cref="InsReverificationOptions"/>).
/// Takes the active RECUP and QUAL identities whose INS the teleservice last confirmed before the configured
/// age, oldest first, and asks INSi again within the configured rate and daily cap. Outcomes:
/// <list type="bullet">
/// <item>confirmed: the date of the check is recorded;</item>
/// <item>replaced (the identity's INS is now a former INS of the answer, e.g. NIA → NIR): the new INS and its traits
/// are taken through the domain, audited, and broadcast by the outbox of <see cref="IdentityWriter"/>;</item>
/// <item>INS held elsewhere (the answer confirms the identity's own INS and traits, but another active identity holds that
/// INS too): the identity keeps its INS and status (the check date is recorded); the other holder is the suspect, so a
/// same-INS pair is raised in the cell's collision queue. Not a mismatch of this identity: no downgrade, whatever the policy;</item>
/// <item>mismatch or not found: an item for the identity vigilance cell, and by policy a downgrade — the INS is never
/// deleted by a job. When the answer holds traits that contradict the identity's, or an INS another identity holds,
/// the item is a collision in the cell's queue (an INSi contradiction, a same-INS pair: scored, explained and
/// resolvable there) instead of a generic work item; otherwise a generic work item.</item>
/// </list>
/// Every call is recorded in <c>insi_calls</c>; an answer that a person must judge stays undecided there, so the
/// cell can accept it through the qualification API.
/// </summary>
public sealed class InsReverifier(
    IdentityRefDbContext db,
    IInsiClient insi,
    IdentityWriter writer,
    TimeProvider clock,
    IOptions<SchedulerOptions> options,
    InsiContradictions contradictions,
    InsiAnswerJudge judge,
    ILogger<InsReverifier> logger)
{
    public const string JobName = "ins-reverification";
    public static readonly string ActorName = Actor.System(JobName).Name;

    private InsReverificationOptions Settings => options.Value.InsReverification;

    /// <summary>The identities due for a check now, oldest check first, at most one batch.</summary>
    public async Task<List<Identity>> DueAsync(CancellationToken cancellationToken)
    {
        var dueBefore = clock.GetUtcNow().AddDays(-Settings.MaxAgeDays);
        var kinds = WorkItemKinds.Reverification.ToArray();
        return await db.Identities
            .Where(i => i.MergedIntoId == null && (i.Status == IdentityStatus.Recup || i.Status == IdentityStatus.Qual) && i.InsValue != null)
            .Where(i => i.InsiCheckedAt == null || i.InsiCheckedAt < dueBefore)
            // An identity already before the cell for a re-verification is not asked again until the item is resolved.
            .Where(i => !db.WorkItems.Any(w => w.IdentityId == i.Id && w.State != WorkItem.Resolved && kinds.Contains(w.Kind)))
            .Where(i => !db.DuplicateItems.Any(d => d.Kind == DuplicateKinds.Collision && d.State != DuplicateStates.Resolved
                && (d.IdentityA == i.Id || d.IdentityB == i.Id)))
            .OrderBy(i => i.InsiCheckedAt).ThenBy(i => i.Id)
            .Take(Settings.BatchSize)
            .ToListAsync(cancellationToken);
    }

    public async Task<JobCounters> RunAsync(CancellationToken cancellationToken) => await RunAsync(new JobCounters(), cancellationToken);

    public async Task<JobCounters> RunAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        var due = (await DueAsync(cancellationToken)).Select(i => i.Id).ToList();
        db.ChangeTracker.Clear();
        counters.Add("due", due.Count);
        var remaining = Settings.DailyCap - await RequestsTodayAsync(cancellationToken);
        var gate = new InsiRateGate(clock, Settings.CallsPerSecond);
        var consecutiveErrors = 0;
        for (var index = 0; index < due.Count; index++)
        {
            if (remaining <= 0)
            {
                counters.Add("deferred-daily-cap", due.Count - index);
                JobsLog.DailyCapReached(logger, due.Count - index, Settings.DailyCap);
                break;
            }
            cancellationToken.ThrowIfCancellationRequested();
            await gate.WaitAsync(cancellationToken);
            // Read again just before the call: staff may have changed it since the run started.
            var id = due[index];
            var identity = await db.Identities.SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
            if (identity is not { IsActive: true, InsValue: not null, Status: IdentityStatus.Recup or IdentityStatus.Qual })
            {
                counters.Add("no-longer-due");
                continue;
            }
            var check = await CallAsync(identity, cancellationToken);
            gate.Used(check.Requests);
            remaining -= check.Requests;
            counters.Add("requests", check.Requests);
            try
            {
                var outcome = await ApplyAsync(identity, check, counters, cancellationToken);
                consecutiveErrors = outcome == Outcomes.TechnicalError ? consecutiveErrors + 1 : 0;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone changed the identity meanwhile: it keeps its old check date and comes back at the next run.
                db.ChangeTracker.Clear();
                counters.Add("concurrent-change");
                JobsLog.ConcurrentChange(logger, JobName);
            }
            catch (DomainRuleException)
            {
                // The domain refused the change (e.g. the identity became doubtful meanwhile): nothing saved, left to people.
                db.ChangeTracker.Clear();
                counters.Add("refused-by-rule");
            }
            db.ChangeTracker.Clear();
            if (consecutiveErrors >= Settings.StopAfterConsecutiveErrors)
            {
                counters.Add("stopped-teleservice-failing");
                JobsLog.ReverificationStopped(logger, consecutiveErrors);
                break;
            }
        }
        return counters;
    }

    /// <summary>Outcome names, as counted in the run history.</summary>
    public static class Outcomes
    {
        public const string Confirmed = "confirmed";
        public const string Replaced = "replaced";
        public const string Mismatch = "mismatch";
        public const string NotFound = "not-found";
        public const string TechnicalError = "technical-error";
        public const string Downgraded = "downgraded";

        /// <summary>The answer confirms the identity's INS and traits, and another active identity holds that INS too.</summary>
        public const string InsHeldElsewhere = "ins-held-elsewhere";
    }

    private sealed record Check(string Operation, InsiResultCode? Code, InsiIndividual? Individual, InsiError? Error, int Requests, DateTimeOffset CalledAt);

    private async Task<Check> CallAsync(Identity identity, CancellationToken cancellationToken)
    {
        var calledAt = clock.GetUtcNow();
        var birthDate = identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var firstNames = identity.FirstNames.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (Settings.Mode == ReverificationMode.Verify)
        {
            var ins = identity.Ins!;
            var verified = await insi.VerifyAsync(new InsiVerificationQuery(ins.Matricule, ins.Key, ins.Oid, identity.BirthName, firstNames,
                (char)identity.Sex, birthDate, identity.BirthPlaceCode), cancellationToken);
            return new Check("verify", verified.Value?.Code, verified.Value?.Individual, verified.Error, verified.Calls, calledAt);
        }
        var found = await insi.SearchByTraitsAsync(new InsiTraitsQuery(identity.BirthName, firstNames, (char)identity.Sex, birthDate, identity.BirthPlaceCode),
            cancellationToken);
        return new Check("search", found.Value?.Code, found.Value?.Individual, found.Error, found.Calls, calledAt);
    }

    private async Task<string> ApplyAsync(Identity identity, Check check, JobCounters counters, CancellationToken cancellationToken)
    {
        var actor = Actor.System(JobName);
        var now = clock.GetUtcNow();
        var verdict = await JudgeAsync(identity, check, cancellationToken);
        var call = Record(identity, check);
        var before = IdentitySnapshot.Of(identity);
        string outcome;
        string action;
        var collision = false;
        switch (verdict.Outcome)
        {
            case Outcomes.TechnicalError:
                // Nothing learnt: the identity stays due and is asked again at the next run.
                outcome = Outcomes.TechnicalError;
                action = "insi.called";
                break;
            case Outcomes.Confirmed:
                identity.ConfirmIns(check.CalledAt, now);
                Decide(call, actor, now);
                outcome = Outcomes.Confirmed;
                action = "ins.reverified";
                break;
            case Outcomes.Replaced:
                identity.AcceptInsiAnswer(verdict.NewIns!, verdict.History!, verdict.Traits!, check.CalledAt, now);
                Decide(call, actor, now);
                outcome = Outcomes.Replaced;
                action = "ins.replaced";
                break;
            case Outcomes.InsHeldElsewhere:
                // INSi confirmed this identity's INS and traits: it keeps both, and its status. The other holder is the
                // suspect: a same-INS pair for the cell (the policy on a mismatch does not apply: nothing failed here).
                identity.ConfirmIns(check.CalledAt, now);
                Decide(call, actor, now);
                outcome = Outcomes.InsHeldElsewhere;
                action = "ins.reverified";
                collision = await RaiseCollisionAsync(identity, check, call, verdict, counters, cancellationToken);
                break;
            default:
                outcome = verdict.Outcome;
                action = "ins.reverification-failed";
                collision = await RaiseCollisionAsync(identity, check, call, verdict, counters, cancellationToken);
                if (!collision)
                {
                    var kind = outcome == Outcomes.NotFound ? WorkItemKinds.ReverificationNotFound : WorkItemKinds.ReverificationMismatch;
                    await WorkItemRaiser.RaiseAsync(db, kind, identity.Id,
                        new { reason = verdict.Reason, code = check.Code?.ToWire(), operation = check.Operation, calledAt = check.CalledAt, policy = Settings.OnMismatch.ToString() },
                        now, cancellationToken);
                }
                if (Settings.OnMismatch == MismatchPolicy.Downgrade && identity.Status == IdentityStatus.Qual)
                {
                    // Withdrawn from receivers, kept locally: QUAL → RECUP, as when the identity document is found invalid.
                    identity.WithdrawIns(InsWithdrawal.DocumentInvalid, now);
                    action = "ins.withdrawn";
                    counters.Add(Outcomes.Downgraded);
                }
                break;
        }
        await writer.SaveAsync(identity, action, before, actor,
            new { job = JobName, outcome, reason = verdict.Reason, operation = check.Operation, code = call.Outcome, calls = call.Calls, error = call.Error,
                collision = collision ? "raised" : null },
            cancellationToken);
        counters.Add(outcome);
        return outcome;
    }

    /// <summary>
    /// The mismatches the cell resolves in its collision queue: traits (or an INS) that contradict the identity's, and an
    /// INS another active identity holds. One item replaces the generic work item there, so that one finding is decided
    /// once; the others (not found, several, invalid answers) keep the generic work item. Returns whether an item was raised.
    /// </summary>
    private async Task<bool> RaiseCollisionAsync(Identity identity, Check check, InsiCall call, Verdict verdict, JobCounters counters, CancellationToken cancellationToken)
    {
        if (check.Individual is not { } individual || verdict.Reason is not ("traits-changed" or "different-ins" or "ins-collision" or "ins-held-elsewhere"))
        {
            return false;
        }
        var raised = false;
        if (verdict.Reason is not ("ins-collision" or "ins-held-elsewhere"))
        {
            var comparison = await contradictions.CompareAsync(identity, QualificationService.ToDto(individual.Traits), individual.ActiveIns.WithKey, cancellationToken);
            if (comparison.Contradicts)
            {
                await contradictions.RaiseAsync(identity, call, comparison, JobName, ActorName, cancellationToken);
                counters.Add("insi-contradiction");
                raised = true;
            }
        }
        // The answered INS, whether it is the identity's own or another: any other active holder of it makes a same-INS pair.
        if (individual.ActiveIns.WithKey is { } answered
            && await contradictions.RaiseSameInsAsync(identity, answered, call, JobName, ActorName, cancellationToken) is not null)
        {
            counters.Add("same-ins-collision");
            raised = true;
        }
        return raised;
    }

    private sealed record Verdict(string Outcome, string? Reason, InsNumber? NewIns = null, IReadOnlyList<InsHistoryEntry>? History = null, StrictTraits? Traits = null);

    /// <summary>What the answer says about the identity's INS.</summary>
    private async Task<Verdict> JudgeAsync(Identity identity, Check check, CancellationToken cancellationToken)
    {
        if (check.Error is InsiInvalidQueryError)
        {
            // The identity's own traits cannot be sent (not a teleservice failure): people must look at it.
            return new Verdict(Outcomes.Mismatch, "query-invalid");
        }
        if (check.Error is not null || check.Code is null)
        {
            return new Verdict(Outcomes.TechnicalError, check.Error?.GetType().Name);
        }
        if (check.Code == InsiResultCode.NotFound)
        {
            return new Verdict(Outcomes.NotFound, check.Operation == "verify" ? "not-verified" : "no-identity-for-these-traits");
        }
        if (check.Code == InsiResultCode.Several)
        {
            return new Verdict(Outcomes.Mismatch, "several-identities");
        }
        var individual = check.Individual;
        if (individual is null)
        {
            // A verification may answer 00 without the individual: the INS was confirmed as sent.
            return check.Operation == "verify" ? new Verdict(Outcomes.Confirmed, null) : new Verdict(Outcomes.Mismatch, "answer-without-individual");
        }
        // The same judge as at the desk: an invalid answer, an INS held elsewhere, another person are mismatches for the cell.
        var judgement = await judge.JudgeAsync(identity, QualificationService.ToDto(individual.Traits), individual.ActiveIns.WithKey, individual.ActiveIns.Oid,
            cancellationToken);
        var verdict = judgement.Verdict;
        if (verdict.Kind == InsiVerdictKind.AnswerInvalid)
        {
            return new Verdict(Outcomes.Mismatch, verdict.Rule == "insi-traits-invalid" ? "answer-traits-invalid" : "answer-ins-invalid");
        }
        // NIR and NIA are told by the OID, never by the digits: a NIA that became a NIR often keeps its number.
        var sameNumber = judgement.Ins!.Value == identity.InsValue;
        if (sameNumber && judgement.Ins.Kind == identity.InsKind)
        {
            // The judge puts "INS held elsewhere" before the traits: with the identity's own INS and no trait differing, the
            // answer confirms this identity, and the other holder is the one to look at.
            return verdict.Kind switch
            {
                InsiVerdictKind.SamePerson => new Verdict(Outcomes.Confirmed, null),
                InsiVerdictKind.InsHeldElsewhere when !verdict.ChangesStrictTraits => new Verdict(Outcomes.InsHeldElsewhere, "ins-held-elsewhere"),
                _ => new Verdict(Outcomes.Mismatch, "traits-changed"),
            };
        }
        var known = sameNumber || individual.History.Any(h => h.WithKey == identity.InsValue || h.Matricule13 == identity.InsValue![..13]);
        if (!known)
        {
            return new Verdict(Outcomes.Mismatch, "different-ins");
        }
        if (verdict.Kind == InsiVerdictKind.InsHeldElsewhere)
        {
            return new Verdict(Outcomes.Mismatch, "ins-collision");
        }
        if (verdict.Kind != InsiVerdictKind.SamePerson)
        {
            // A new INS with other traits: no one at the desk to check the document against them — the cell decides.
            return new Verdict(Outcomes.Mismatch, "traits-changed");
        }
        if (judgement.Ins.Kind == InsKind.Nia && identity.InsKind is { } held && held != InsKind.Nia)
        {
            // A NIR is never replaced by a NIA (the domain refuses it, insi-nir-to-nia): INSi no longer confirms the NIR.
            return new Verdict(Outcomes.Mismatch, "nia-after-nir");
        }
        var history = individual.History.Select(h => new InsHistoryEntry(h.WithKey ?? h.Matricule13, h.Oid)).ToList();
        return new Verdict(Outcomes.Replaced, judgement.Ins.Kind == InsKind.Nia ? "new-nia" : "new-nir", judgement.Ins, history, judgement.Traits);
    }

    private InsiCall Record(Identity identity, Check check)
    {
        var individual = check.Individual;
        var call = new InsiCall
        {
            IdentityId = identity.Id,
            CalledAt = check.CalledAt,
            Actor = ActorName,
            Operation = check.Operation,
            Calls = check.Requests,
            Outcome = check.Code?.ToWire() ?? (check.Error is { } failure ? InsiCallOutcomes.Of(failure) : InsiCallOutcomes.Error),
            Error = check.Error is { } error ? Truncate($"{error.GetType().Name}: {error.Describe()}", 500) : null,
            InsValue = individual?.ActiveIns.WithKey,
            InsOid = individual?.ActiveIns.Oid,
            InsHistory = individual is null ? null : JsonSerializer.Serialize(individual.History.Select(h => new InsHistoryEntry(h.WithKey ?? h.Matricule13, h.Oid))),
            // The shape the qualification API reads back when the cell accepts an answer left undecided.
            Traits = individual is null ? null : JsonSerializer.Serialize(new InsiTraitsDto(individual.Traits.BirthName, individual.Traits.FirstName,
                individual.Traits.FirstNamesList, individual.Traits.Sex.ToString(), individual.Traits.BirthDate, individual.Traits.BirthPlaceCode)),
        };
        db.InsiCalls.Add(call);
        return call;
    }

    private static void Decide(InsiCall call, Actor actor, DateTimeOffset now)
    {
        call.Decision = "accepted";
        call.DecidedAt = now;
        call.DecidedBy = actor.Name;
    }

    private async Task<int> RequestsTodayAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return await db.InsiCalls.Where(c => c.Actor == ActorName && c.CalledAt >= midnight).SumAsync(c => c.Calls, cancellationToken);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
