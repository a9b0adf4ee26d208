using System.Text.Json;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Qualification;
using IdentityRef.Application.TraitMatching;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Duplicates;

/// <summary>
/// Potential collisions raised by INSi answers, in the vigilance cell's queue (<c>duplicate_items</c>, ADR 0004):
/// <list type="bullet">
/// <item>an INSi contradiction: one identity (no IdentityB), the call that answered, score and explanation of the
/// local traits against the teleservice's; at most one open per identity, refreshed when found again;</item>
/// <item>a same-INS pair: the teleservice answered, for one identity, the INS another active identity holds.</item>
/// </list>
/// Raising never saves (the caller's unit of work holds the call and its audit line); the decisions save and audit.
/// </summary>
public sealed class InsiContradictions(IdentityRefDbContext db, MatchEngineProvider engines, InsiAnswerJudge judge, IdentityWriter writer, TimeProvider clock) : IInsiCollisions
{
        public Task<InsiComparison> CompareAsync(Identity identity, InsiTraitsDto traits, string? ins, CancellationToken cancellationToken) =>
        judge.CompareAsync(identity, traits, ins, cancellationToken);

    /// <summary>
    /// Opens an INSi contradiction for the identity, or refreshes its open one with this answer (one open item per
    /// identity: a second finding is recorded on it, not queued twice). Never saves.
    /// </summary>
    public async Task<DuplicateItem> RaiseAsync(Identity identity, InsiCall call, InsiComparison comparison, string source, string by,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var detail = $"{source}: {string.Join(", ", comparison.Contradicting)}";
        if (await OpenContradictionAsync(identity.Id, cancellationToken) is { } open)
        {
            if (open.InsiCall == call || (call.Id != 0 && open.InsiCallId == call.Id))
            {
                return open; // the same answer judged again (a mismatch at the search, then rejected): already on the item
            }
            open.InsiCall = call;
            Refresh(open, comparison);
            DuplicateQueue.Record(open, now, by, "detected-again", detail);
            return open;
        }
        var item = new DuplicateItem
        {
            IdentityA = identity.Id, IdentityB = null, InsiCall = call, Kind = DuplicateKinds.Collision, Class = DuplicateClasses.InsiContradiction,
            Score = comparison.Explanation.Score, Explanation = IdentityMatching.ToJson(comparison.Explanation), State = DuplicateStates.Open,
            CreatedAt = now, UpdatedAt = now, Decisions = "[]",
        };
        DuplicateQueue.Record(item, now, by, "detected", detail);
        db.DuplicateItems.Add(item);
        return item;
    }

    /// <summary>
    /// When the teleservice answered for <paramref name="identity"/> an INS that another active identity holds: a
    /// same-INS collision pair at once (reopened if it had been resolved). Never saves. Null when no one else holds it.
    /// </summary>
    public async Task<DuplicateItem?> RaiseSameInsAsync(Identity identity, string ins, InsiCall call, string source, string by, CancellationToken cancellationToken)
    {
        var holder = await db.Identities.AsNoTracking()
            .Where(i => i.InsValue == ins && i.Id != identity.Id && i.MergedIntoId == null).OrderBy(i => i.Ipp).FirstOrDefaultAsync(cancellationToken);
        if (holder is null)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var (a, b) = IdentityMatching.Ordered(identity.Id, holder.Id);
        var (first, second) = a == identity.Id ? (identity, holder) : (holder, identity);
        var engine = await engines.GetAsync(db, cancellationToken);
        var explanation = IdentityMatching.Explain(engine.Compare(IdentityMatching.ToRecord(first), IdentityMatching.ToRecord(second)), a.ToString(),
            first.Status == IdentityStatus.Qual, second.Status == IdentityStatus.Qual);
        var detail = $"{source}: INSi answered the INS that identity {holder.Ipp} holds";
        var item = db.DuplicateItems.Local.FirstOrDefault(d => d.IdentityA == a && d.IdentityB == b)
            ?? await db.DuplicateItems.FirstOrDefaultAsync(d => d.IdentityA == a && d.IdentityB == b, cancellationToken);
        if (item is null)
        {
            item = new DuplicateItem
            {
                IdentityA = a, IdentityB = b, InsiCall = call, Kind = DuplicateKinds.Collision, Class = DuplicateClasses.SameIns, Score = explanation.Score,
                Explanation = IdentityMatching.ToJson(explanation), State = DuplicateStates.Open, CreatedAt = now, UpdatedAt = now, Decisions = "[]",
            };
            DuplicateQueue.Record(item, now, by, "detected", detail);
            db.DuplicateItems.Add(item);
            return item;
        }
        if (item.State != DuplicateStates.Resolved && item.Class == DuplicateClasses.SameIns && (item.InsiCall == call || (call.Id != 0 && item.InsiCallId == call.Id)))
        {
            return item; // the same answer seen again (search, then a refused acceptance): already on the item
        }
        if (item.State == DuplicateStates.Resolved)
        {
            DuplicateQueue.Reopen(item, now, by, detail);
        }
        item.Kind = DuplicateKinds.Collision;
        item.Class = DuplicateClasses.SameIns;
        item.Score = explanation.Score;
        item.Explanation = IdentityMatching.ToJson(explanation);
        item.InsiCall = call;
        DuplicateQueue.Record(item, now, by, "insi-same-ins", detail);
        return item;
    }

    /// <summary>An unresolved collision (INSi contradiction or same-INS pair) raised on this very answer, if any.</summary>
    public async Task<DuplicateItem?> OpenCollisionOnAsync(InsiCall call, CancellationToken cancellationToken) =>
        db.DuplicateItems.Local.FirstOrDefault(d => d.InsiCall == call && d.State != DuplicateStates.Resolved && d.Kind == DuplicateKinds.Collision)
        ?? await db.DuplicateItems.FirstOrDefaultAsync(d => d.InsiCallId == call.Id && d.State != DuplicateStates.Resolved && d.Kind == DuplicateKinds.Collision,
            cancellationToken);

    /// <summary>
    /// After the identity took an INSi answer (its strict traits replaced): its open contradictions about <em>earlier</em>
    /// answers that no longer hold against their own answer are resolved as <c>traits-corrected</c>. An item on the accepted
    /// answer itself is never closed here: the action that created the risk does not close it (the caller refuses first).
    /// Never saves.
    /// </summary>
    public async Task ResolveSettledAsync(Identity identity, InsiCall accepted, Actor actor, string why, CancellationToken cancellationToken)
    {
        var open = await db.DuplicateItems
            .Where(d => d.IdentityA == identity.Id && d.IdentityB == null && d.State != DuplicateStates.Resolved && d.InsiCallId != accepted.Id)
            .ToListAsync(cancellationToken);
        foreach (var item in open)
        {
            var call = await CallOfAsync(item, cancellationToken);
            if (InsiTraits.Of(call) is not { } traits)
            {
                continue;
            }
            var comparison = await CompareAsync(identity, traits, call.InsValue, cancellationToken);
            if (!comparison.Contradicts)
            {
                Refresh(item, comparison);
                DuplicateQueue.Resolve(item, DuplicateResolutions.TraitsCorrected, clock.GetUtcNow(), actor.Name, why);
            }
        }
    }

    /// <summary>
    /// The cell says the identity was corrected: compared again with the answer, the contradiction must be gone
    /// (else <c>contradiction-remains</c>, naming the traits). Audited on the identity.
    /// </summary>
    /// <exception cref="DomainRuleException">item-resolved, not-an-insi-contradiction, identity-merged, contradiction-remains.</exception>
    public async Task<InsiComparison> TraitsCorrectedAsync(DuplicateItem item, Actor actor, string? comment, CancellationToken cancellationToken)
    {
        var (identity, call, traits) = await LoadOpenAsync(item, cancellationToken);
        var comparison = await CompareAsync(identity, traits, call.InsValue, cancellationToken);
        if (comparison.Contradicts)
        {
            throw new DomainRuleException("contradiction-remains",
                $"The identity still contradicts the INSi answer on: {string.Join(", ", comparison.Contradicting)}. Correct these traits, or accept the INSi answer, first.");
        }
        var now = clock.GetUtcNow();
        Refresh(item, comparison);
        DuplicateQueue.Resolve(item, DuplicateResolutions.TraitsCorrected, now, actor.Name, comment);
        await writer.SaveAsync(identity, "insi.contradiction-resolved", IdentitySnapshot.Of(identity), actor,
            new { duplicateItem = item.Id, resolution = DuplicateResolutions.TraitsCorrected, callId = call.Id }, cancellationToken);
        return comparison;
    }

    /// <summary>
    /// The cell confirms that the teleservice's answer is another person. If the identity holds the INS of that answer, the
    /// INS was wrongly attributed to it: deleted (PAM FR §4.4, status recomputed, receivers told). Otherwise the identity
    /// keeps what it has. The answer, if still undecided, is rejected. Audited on the identity.
    /// </summary>
    /// <returns>Whether an INS was withdrawn.</returns>
    public async Task<bool> OtherPersonAsync(DuplicateItem item, Actor actor, string? comment, CancellationToken cancellationToken)
    {
        var (identity, call, _) = await LoadOpenAsync(item, cancellationToken);
        var now = clock.GetUtcNow();
        var before = IdentitySnapshot.Of(identity);
        var withdraw = identity.InsValue is not null && identity.InsValue == call.InsValue;
        if (withdraw)
        {
            identity.WithdrawIns(InsWithdrawal.WronglyAttributed, now);
        }
        if (call.Decision is null)
        {
            call.Decision = QualificationService.DecisionRejected;
            call.DecidedAt = now;
            call.DecidedBy = actor.Name;
        }
        DuplicateQueue.Resolve(item, DuplicateResolutions.OtherPerson, now, actor.Name, comment ?? (withdraw ? "INS withdrawn: wrongly attributed" : null));
        await writer.SaveAsync(identity, withdraw ? "ins.withdrawn" : "insi.contradiction-resolved", before, actor,
            new { duplicateItem = item.Id, resolution = DuplicateResolutions.OtherPerson, callId = call.Id, reason = withdraw ? InsWithdrawal.WronglyAttributed.ToString() : null },
            cancellationToken);
        return withdraw;
    }

    /// <summary>
    /// The cell, having checked the person's documents, takes the teleservice's answer for this identity although the verdict
    /// called it another person: an explicit override, with its reason, audited on the identity. The INS traits replace the
    /// strict traits and a document check made on the former ones is voided (RECUP: QUAL only after a new document check).
    /// Never for an invalid answer nor for an INS another identity holds (that is a same-INS collision, resolved by merge).
    /// </summary>
    /// <exception cref="DomainRuleException">item-resolved, not-an-insi-contradiction, identity-merged, answer-decided, insi-answer-stale,
    /// insi-answer-invalid, insi-traits-invalid, ins-collision.</exception>
    public async Task<InsiVerdict> AcceptAnswerAsync(DuplicateItem item, Actor actor, string comment, CancellationToken cancellationToken)
    {
        var (identity, call, traits) = await LoadOpenAsync(item, cancellationToken);
        if (call.Decision is not null || call.Outcome != "00")
        {
            throw new DomainRuleException("answer-decided", $"The INSi answer of this item was already {call.Decision ?? "left without an individual"}: call INSi again.");
        }
        QualificationService.EnsureNotStale(identity, call);
        var judgement = await judge.JudgeAsync(identity, traits, call.InsValue, call.InsOid, cancellationToken);
        var verdict = judgement.Verdict;
        if (verdict.Kind is InsiVerdictKind.AnswerInvalid or InsiVerdictKind.InsHeldElsewhere)
        {
            throw new DomainRuleException(verdict.Kind == InsiVerdictKind.AnswerInvalid ? verdict.Rule : "ins-collision", verdict.Message) { Reason = verdict.Rule };
        }
        var now = clock.GetUtcNow();
        var before = IdentitySnapshot.Of(identity);
        var history = JsonSerializer.Deserialize<List<InsHistoryEntry>>(call.InsHistory ?? "[]")!;
        var warnings = identity.AcceptInsiAnswer(judgement.Ins!, history, judgement.Traits!, call.CalledAt, now);
        call.Decision = "accepted";
        call.DecidedAt = now;
        call.DecidedBy = actor.Name;
        Refresh(item, await CompareAsync(identity, traits, call.InsValue, cancellationToken));
        DuplicateQueue.Resolve(item, DuplicateResolutions.AnswerAccepted, now, actor.Name, comment);
        await writer.SaveAsync(identity, "insi.accepted", before, actor,
            new { callId = call.Id, duplicateItem = item.Id, resolution = DuplicateResolutions.AnswerAccepted, overriddenVerdict = verdict.Rule, comment,
                documentVoided = warnings.Count > 0 ? true : (bool?)null },
            cancellationToken);
        return verdict;
    }

    private async Task<(Identity Identity, InsiCall Call, InsiTraitsDto Traits)> LoadOpenAsync(DuplicateItem item, CancellationToken cancellationToken)
    {
        DuplicateResolution.EnsureOpen(item);
        if (!item.IsInsiContradiction)
        {
            throw new DomainRuleException("not-an-insi-contradiction", "This item is a pair of identities, not an INSi contradiction: merge it or mark it not a duplicate.");
        }
        var identity = await db.Identities.FirstAsync(i => i.Id == item.IdentityA, cancellationToken);
        if (!identity.IsActive)
        {
            throw new DomainRuleException("identity-merged", "The identity was merged into another since: this contradiction has no object any more.");
        }
        var call = await CallOfAsync(item, cancellationToken);
        var traits = InsiTraits.Of(call) ?? throw new InvalidOperationException($"The INSi call {call.Id} of contradiction {item.Id} holds no traits.");
        return (identity, call, traits);
    }

    private async Task<InsiCall> CallOfAsync(DuplicateItem item, CancellationToken cancellationToken) =>
        item.InsiCall ?? await db.InsiCalls.FirstAsync(c => c.Id == item.InsiCallId, cancellationToken);

    private async Task<DuplicateItem?> OpenContradictionAsync(Guid identityId, CancellationToken cancellationToken) =>
        db.DuplicateItems.Local.FirstOrDefault(d => d.IdentityA == identityId && d.IdentityB == null && d.State != DuplicateStates.Resolved)
        ?? await db.DuplicateItems.FirstOrDefaultAsync(d => d.IdentityA == identityId && d.IdentityB == null && d.State != DuplicateStates.Resolved, cancellationToken);

    private static void Refresh(DuplicateItem item, InsiComparison comparison)
    {
        item.Score = comparison.Explanation.Score;
        item.Explanation = IdentityMatching.ToJson(comparison.Explanation);
    }
}
