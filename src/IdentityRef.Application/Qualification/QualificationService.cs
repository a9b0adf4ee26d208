using System.Globalization;
using System.Text.Json;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;
using IdentityRef.Insi;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Qualification;

/// <summary>
/// INS qualification as admission staff do it (RNIV): call INSi, compare the returned traits, accept or reject
/// the answer, check an identity document; and the downgrade flows. Every step is audited. Answers the vigilance cell
/// must see become collision items in the same unit of work (<see cref="IInsiCollisions"/>): an answer whose traits
/// the matcher does not find to be this person, a rejected answer whose traits contradict, an INS another identity holds.
/// </summary>
public sealed class QualificationService(
    IdentityRefDbContext db,
    IInsiClient insi,
    IdentityWriter writer,
    TimeProvider clock,
    IOptions<IdentityOptions> options,
    IInsiCollisions collisions,
    InsiAnswerJudge judge)
{
    /// <summary>The decision recorded on a call whose answer the desk refused.</summary>
    public const string DecisionRejected = "rejected";

    /// <summary>A teleservice answer or failure, with the call that recorded it and, for an individual, the verdict on it.</summary>
    public sealed record SearchResult(InsiCall Call, InsiSearchOutcome? Outcome, InsiError? Error, IReadOnlyList<FieldWarning> Warnings, InsiVerdict? Verdict = null);

    /// <summary>The identity after an accepted answer, and the remarks on side effects (the document check voided).</summary>
    public sealed record AcceptResult(Identity Identity, InsiVerdict Verdict, IReadOnlyList<FieldWarning> Warnings);

    public async Task<SearchResult> SearchAsync(Identity identity, VitaleCardDto? vitale, Actor actor, CancellationToken cancellationToken)
    {
        var warnings = identity.EnsureInsiCallAllowed();
        var calledAt = clock.GetUtcNow();
        var result = vitale is null
            ? await insi.SearchByTraitsAsync(new InsiTraitsQuery(identity.BirthName, identity.FirstNames.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                (char)identity.Sex, identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), identity.BirthPlaceCode), cancellationToken)
            : await insi.SearchWithVitaleAsync(VitaleQuery(identity, vitale), cancellationToken);

        var outcome = result.Value;
        var individual = outcome?.Individual;
        var call = new InsiCall
        {
            IdentityId = identity.Id,
            CalledAt = calledAt,
            Actor = actor.Name,
            Operation = vitale is null ? "search" : "vitale",
            Calls = outcome?.Calls ?? result.Calls,
            Outcome = outcome?.CodeText ?? InsiCallOutcomes.Of(result.Error!),
            Error = result.Error is { } error ? Truncate($"{error.GetType().Name}: {error.Describe()}", 500) : null,
            InsValue = individual?.ActiveIns.WithKey,
            InsOid = individual?.ActiveIns.Oid,
            InsHistory = individual is null ? null : JsonSerializer.Serialize(individual.History.Select(h => new InsHistoryEntry(h.WithKey ?? h.Matricule13, h.Oid))),
            Traits = individual is null ? null : JsonSerializer.Serialize(ToDto(individual.Traits)),
        };
        db.InsiCalls.Add(call);
        var raised = new List<string>(); // the cell's items this answer raised, named in the audit line
        InsiVerdict? verdict = null;
        if (individual is not null)
        {
            var judgement = await judge.JudgeAsync(identity, ToDto(individual.Traits), individual.ActiveIns.WithKey, individual.ActiveIns.Oid, cancellationToken);
            verdict = judgement.Verdict;
            raised.AddRange(await RaiseForCellAsync(identity, call, judgement, "insi-search", actor, cancellationToken));
        }
        await writer.SaveAsync(identity, "insi.called", IdentitySnapshot.Of(identity), actor,
            new { operation = call.Operation, code = call.Outcome, calls = call.Calls, error = call.Error, verdict = verdict?.Rule,
                collisions = raised.Count == 0 ? null : raised }, cancellationToken);
        return new SearchResult(call, outcome, result.Error, warnings, verdict);
    }

    /// <summary>
    /// The card's data go both in the RECVITALE body and in ContexteBAM/COUVERTURE (the insured, the beneficiary and its
    /// rank as read on the card), which the service requires in card mode.
    /// </summary>
    private static InsiVitaleQuery VitaleQuery(Identity identity, VitaleCardDto vitale)
    {
        var beneficiary = new InsiMatricule(vitale.BeneficiaryNumber ?? "", vitale.BeneficiaryKey ?? "");
        var holder = vitale.OpeningRightsHolderNumber is null ? null : new InsiMatricule(vitale.OpeningRightsHolderNumber, vitale.OpeningRightsHolderKey ?? "");
        var birthDate = vitale.BeneficiaryBirthDate ?? identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var rank = vitale.BirthRank ?? "1";
        var coverage = new InsiCardCoverage(vitale.GrandRegime, vitale.Organisme, vitale.CodeCentre, InsuredNir: holder ?? beneficiary,
            BeneficiaryNir: beneficiary, BeneficiaryBirthDate: birthDate,
            BeneficiaryRank: int.TryParse(rank, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : null);
        return new InsiVitaleQuery(beneficiary, holder, vitale.BeneficiaryBirthName ?? identity.BirthName, birthDate, rank, coverage);
    }

    /// <summary>
    /// What the cell must see of an answer, raised in the caller's unit of work: another person (an INSi contradiction
    /// with the rule that decided), an INS another identity holds (a same-INS pair). Returns the classes raised.
    /// </summary>
    private async Task<IReadOnlyList<string>> RaiseForCellAsync(Identity identity, InsiCall call, InsiJudgement judgement, string source, Actor actor,
        CancellationToken cancellationToken)
    {
        var raised = new List<string>();
        if (judgement.Verdict.Kind == InsiVerdictKind.DifferentPerson)
        {
            await collisions.RaiseAsync(identity, call, judgement.Comparison, $"{source} ({judgement.Verdict.Rule})", actor.Name, cancellationToken);
            raised.Add(DuplicateClasses.InsiContradiction);
        }
        if (judgement.Ins is { } ins && await collisions.RaiseSameInsAsync(identity, ins.Value, call, source, actor.Name, cancellationToken) is not null)
        {
            raised.Add(DuplicateClasses.SameIns);
        }
        return raised;
    }

    /// <summary>The differences between the local strict traits and those of the teleservice, for staff to compare.</summary>
    public static IReadOnlyList<TraitDifference> Differences(Identity identity, InsiTraitsDto insiTraits)
    {
        var pairs = new (string Field, string? Local, string? Insi)[]
        {
            ("birthName", identity.BirthName, insiTraits.BirthName),
            ("firstNames", identity.FirstNames, insiTraits.FirstNames),
            ("firstName", identity.FirstName, insiTraits.FirstName),
            ("birthDate", identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), insiTraits.BirthDate),
            ("sex", identity.Sex.Code(), insiTraits.Sex),
            ("birthPlaceCode", identity.BirthPlaceCode, insiTraits.BirthPlaceCode),
        };
        return pairs.Where(p => !string.Equals(p.Local, p.Insi, StringComparison.Ordinal)).Select(p => new TraitDifference(p.Field, p.Local, p.Insi)).ToList();
    }

    /// <summary>
    /// Accepts the teleservice's answer at the desk: the INS traits replace the strict traits exactly, the INS, its history
    /// and the date of the call are kept (RECUP, or QUAL when a document was checked and no strict trait changed). Refused
    /// (<see cref="DomainRuleException"/>, the identity unchanged) when the verdict is not for the desk — an invalid answer,
    /// an INS held elsewhere, another person — and while the cell has a collision open on this very answer: the action that
    /// created the risk never closes it.
    /// </summary>
    public async Task<AcceptResult> AcceptAsync(Identity identity, long? callId, Actor actor, CancellationToken cancellationToken)
    {
        var call = await PendingCallAsync(identity, callId, cancellationToken);
        EnsureNotStale(identity, call);
        // An identity that may not call INSi (sex U, douteuse, fictive, since the call) takes no answer either: refused before
        // the judge, which compares a sex M or F only, and before anything is raised for the cell.
        identity.EnsureInsiCallAllowed();
        var judgement = await judge.JudgeAsync(identity, InsiTraits.Of(call)!, call.InsValue, call.InsOid, cancellationToken);
        var verdict = judgement.Verdict;
        switch (verdict.Kind)
        {
            case InsiVerdictKind.AnswerInvalid:
                throw new DomainRuleException(verdict.Rule, verdict.Message);
            case InsiVerdictKind.InsHeldElsewhere:
            case InsiVerdictKind.DifferentPerson:
                // Refused, but the cell must know at once: the item is queued (or already is) before the refusal.
                await RaiseForCellAsync(identity, call, judgement, "insi-accept-refused", actor, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                throw verdict.Kind == InsiVerdictKind.InsHeldElsewhere
                    ? new DomainRuleException("ins-collision", verdict.Message) { Reason = verdict.Rule }
                    : new DomainRuleException("insi-different-person", verdict.Message) { Reason = verdict.Rule };
        }
        if (await collisions.OpenCollisionOnAsync(call, cancellationToken) is { } open)
        {
            throw new DomainRuleException("collision-pending",
                $"The identity vigilance cell has collision {open.Id} open on this INSi answer: it decides (the answer is for this person, or another one).");
        }
        var history = JsonSerializer.Deserialize<List<InsHistoryEntry>>(call.InsHistory ?? "[]")!;
        if (IsUnlinkedInsChange(identity, judgement.Ins!, history))
        {
            // INSi gave this identity another INS before, and this answer's history does not link the two: not a renewal
            // (NIA → NIR, a new NIR replacing the old) but another person's INS or an error. The cell decides, as for the
            // re-verification's "different-ins"; the desk does not replace an INS from INSi on its own.
            await collisions.RaiseAsync(identity, call, judgement.Comparison, "insi-accept-refused (different-ins)", actor.Name, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            throw new DomainRuleException("insi-different-ins",
                "The INSi answer gives an INS that its history does not link to the INS this identity already holds from INSi: the identity vigilance cell decides.");
        }
        var before = IdentitySnapshot.Of(identity);
        var now = clock.GetUtcNow();
        var warnings = identity.AcceptInsiAnswer(judgement.Ins!, history, judgement.Traits!, call.CalledAt, now);
        Decide(call, "accepted", actor, now);
        await collisions.ResolveSettledAsync(identity, call, actor, $"INSi answer accepted (call {call.Id})", cancellationToken);
        await writer.SaveAsync(identity, "insi.accepted", before, actor,
            new { callId = call.Id, mode = identity.ObtainingMode, verdict = verdict.Rule, documentVoided = warnings.Count > 0 ? true : (bool?)null }, cancellationToken);
        return new AcceptResult(identity, verdict, warnings);
    }

    /// <summary>Rejects the pending answer; when its traits contradict the identity's, the cell gets an INSi contradiction (returned).</summary>
    public async Task<DuplicateItem?> RejectAsync(Identity identity, long? callId, Actor actor, CancellationToken cancellationToken)
    {
        var call = await PendingCallAsync(identity, callId, cancellationToken);
        Decide(call, DecisionRejected, actor, clock.GetUtcNow());
        // Rejected because the traits contradict the person's: the cell decides whether the local traits or the answer are wrong.
        DuplicateItem? raised = null;
        if (InsiTraits.Of(call) is { } traits)
        {
            var comparison = await judge.CompareAsync(identity, traits, call.InsValue, cancellationToken);
            if (comparison.Contradicts)
            {
                raised = await collisions.RaiseAsync(identity, call, comparison, "insi-rejected", actor.Name, cancellationToken);
            }
        }
        await writer.SaveAsync(identity, "insi.rejected", IdentitySnapshot.Of(identity), actor, new { callId = call.Id, collision = raised is null ? null : DuplicateClasses.InsiContradiction }, cancellationToken);
        return raised;
    }

    public async Task<Identity> CheckDocumentAsync(Identity identity, string type, string? number, DateOnly? expires, Actor actor, CancellationToken cancellationToken)
    {
        var before = IdentitySnapshot.Of(identity);
        var now = clock.GetUtcNow();
        identity.CheckDocument(new DocumentCheck(type.Trim().ToUpperInvariant(), number, expires, actor.Name, now),
            options.Value.HighTrustDocumentTypes, DateOnly.FromDateTime(now.UtcDateTime), now);
        await writer.SaveAsync(identity, "document.checked", before, actor, new { type = identity.DocumentType }, cancellationToken);
        return identity;
    }

    public async Task<Identity> WithdrawInsAsync(Identity identity, InsWithdrawal reason, Actor actor, CancellationToken cancellationToken)
    {
        var before = IdentitySnapshot.Of(identity);
        identity.WithdrawIns(reason, clock.GetUtcNow());
        await writer.SaveAsync(identity, "ins.withdrawn", before, actor, new { reason = reason.ToString() }, cancellationToken);
        return identity;
    }

    public async Task<Identity> SetAttributesAsync(Identity identity, IdentityAttributes attributes, Actor actor, CancellationToken cancellationToken)
    {
        var before = IdentitySnapshot.Of(identity);
        identity.SetAttributes(attributes, clock.GetUtcNow());
        await writer.SaveAsync(identity, "attributes.set", before, actor, null, cancellationToken);
        return identity;
    }

    private async Task<InsiCall> PendingCallAsync(Identity identity, long? callId, CancellationToken cancellationToken)
    {
        var query = db.InsiCalls.Where(c => c.IdentityId == identity.Id && c.Outcome == "00" && c.Decision == null);
        if (callId is { } id)
        {
            query = query.Where(c => c.Id == id);
        }
        return await query.OrderByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new DomainRuleException("no-insi-answer", "There is no INSi answer awaiting a decision for this identity: call INSi first.");
    }

    /// <summary>An INS from INSi replaced by one whose history (the answer's) names neither it nor its matricule.</summary>
    private static bool IsUnlinkedInsChange(Identity identity, InsNumber answered, IReadOnlyList<InsHistoryEntry> history) =>
        identity.InsSource == InsSource.Insi && identity.InsValue is { } held && held != answered.Value
        && !history.Any(h => h.Value == held || (h.Value.Length >= 13 && held.Length >= 13 && h.Value[..13] == held[..13]));

    /// <summary>
    /// An answer is accepted only if no later call gave or confirmed the INS the identity holds (the desk's, the cell's, the
    /// re-verification's): an older answer left undecided would take back what that call replaced (a NIA after its NIR).
    /// </summary>
    /// <exception cref="DomainRuleException">insi-answer-stale.</exception>
    internal static void EnsureNotStale(Identity identity, InsiCall call)
    {
        if (identity.InsiCheckedAt is { } checkedAt && call.CalledAt < checkedAt)
        {
            throw new DomainRuleException("insi-answer-stale",
                $"This INSi answer (call {call.Id}) is older than the INSi check of the INS the identity holds: call INSi again.");
        }
    }

    private static void Decide(InsiCall call, string decision, Actor actor, DateTimeOffset now)
    {
        call.Decision = decision;
        call.DecidedAt = now;
        call.DecidedBy = actor.Name;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    internal static InsiTraitsDto ToDto(InsTraits traits) =>
        new(traits.BirthName, traits.FirstName, traits.FirstNamesList, traits.Sex.ToString(), traits.BirthDate, traits.BirthPlaceCode);
}
