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
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Qualification;

/// <summary>
/// INS qualification as admission staff do it (RNIV): call INSi, compare the returned traits, accept or reject
/// the answer, check an identity document; and the downgrade flows. Every step is audited. Answers the vigilance cell
/// must see become collision items in the same unit of work (<see cref="InsiContradictions"/>): an answer whose traits
/// the matcher does not find to be this person, a rejected answer whose traits contradict, an INS another identity holds.
/// </summary>
public sealed class QualificationService(
    IdentityRefDbContext db,
    IInsiClient insi,
    IdentityWriter writer,
    IBirthPlaceDirectory places,
    TimeProvider clock,
    IOptions<IdentityOptions> options,
    InsiContradictions contradictions)
{
    /// <summary>A teleservice answer or failure, with the call that recorded it.</summary>
    public sealed record SearchResult(InsiCall Call, InsiSearchOutcome? Outcome, InsiError? Error, IReadOnlyList<FieldWarning> Warnings);

    public async Task<SearchResult> SearchAsync(Identity identity, VitaleCardDto? vitale, Actor actor, CancellationToken cancellationToken)
    {
        var warnings = identity.EnsureInsiCallAllowed();
        var calledAt = clock.GetUtcNow();
        var result = vitale is null
            ? await insi.SearchByTraitsAsync(new InsiTraitsQuery(identity.BirthName, identity.FirstNames.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                (char)identity.Sex, identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), identity.BirthPlaceCode), cancellationToken)
            : await insi.SearchWithVitaleAsync(new InsiVitaleQuery(
                new InsiMatricule(vitale.BeneficiaryNumber ?? "", vitale.BeneficiaryKey ?? ""),
                vitale.OpeningRightsHolderNumber is null ? null : new InsiMatricule(vitale.OpeningRightsHolderNumber, vitale.OpeningRightsHolderKey ?? ""),
                identity.BirthName, identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), vitale.BirthRank ?? "1"), cancellationToken);

        var outcome = result.Value;
        var individual = outcome?.Individual;
        var call = new InsiCall
        {
            IdentityId = identity.Id,
            CalledAt = calledAt,
            Actor = actor.Name,
            Operation = vitale is null ? "search" : "vitale",
            Calls = outcome?.Calls ?? result.Calls,
            Outcome = outcome?.CodeText ?? "error",
            Error = result.Error is { } error ? $"{error.GetType().Name}: {error.Describe()}" : null,
            InsValue = individual?.ActiveIns.WithKey,
            InsOid = individual?.ActiveIns.Oid,
            InsHistory = individual is null ? null : JsonSerializer.Serialize(individual.History.Select(h => new InsHistoryEntry(h.WithKey ?? h.Matricule13, h.Oid))),
            Traits = individual is null ? null : JsonSerializer.Serialize(ToDto(individual.Traits)),
        };
        db.InsiCalls.Add(call);
        var raised = new List<string>(); // the cell's items this answer raised, named in the audit line
        if (individual is not null)
        {
            var comparison = await contradictions.CompareAsync(identity, ToDto(individual.Traits), individual.ActiveIns.WithKey, cancellationToken);
            if (comparison.IsMismatch)
            {
                await contradictions.RaiseAsync(identity, call, comparison, "insi-search", actor.Name, cancellationToken);
                raised.Add(DuplicateClasses.InsiContradiction);
            }
            if (individual.ActiveIns.WithKey is { } answered
                && await contradictions.RaiseSameInsAsync(identity, answered, call, "insi-search", actor.Name, cancellationToken) is not null)
            {
                raised.Add(DuplicateClasses.SameIns);
            }
        }
        await writer.SaveAsync(identity, "insi.called", IdentitySnapshot.Of(identity), actor,
            new { operation = call.Operation, code = call.Outcome, calls = call.Calls, error = call.Error, collisions = raised.Count == 0 ? null : raised }, cancellationToken);
        return new SearchResult(call, outcome, result.Error, warnings);
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
    /// Accepts the teleservice's answer: the INS traits replace the strict traits exactly, the INS, its history
    /// and the date of the call are kept (RECUP, or QUAL when a document was already checked).
    /// </summary>
    public async Task<Identity> AcceptAsync(Identity identity, long? callId, Actor actor, CancellationToken cancellationToken)
    {
        var call = await PendingCallAsync(identity, callId, cancellationToken);
        var traits = JsonSerializer.Deserialize<InsiTraitsDto>(call.Traits!)!;
        var ins = InsNumber.Parse(call.InsValue, call.InsOid);
        if (!ins.IsSuccess)
        {
            throw new DomainRuleException("insi-answer-invalid", "The INS returned by the teleservice is not valid: it cannot be accepted.");
        }
        var strict = IdentityValidator.Validate(new IdentityInput
        {
            BirthName = traits.BirthName, FirstNames = traits.FirstNames, FirstName = traits.FirstName, BirthDate = traits.BirthDate,
            Sex = traits.Sex, BirthPlaceCode = traits.BirthPlaceCode,
        }, places, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        if (!strict.IsSuccess)
        {
            throw new DomainRuleException("insi-traits-invalid", "The traits returned by the teleservice break the INS rules: " + string.Join("; ", strict.Errors.Select(e => e.Field)));
        }
        var holder = await db.Identities.Where(i => i.InsValue == ins.Value.Value && i.Id != identity.Id && i.MergedIntoId == null)
            .Select(i => i.Ipp).FirstOrDefaultAsync(cancellationToken);
        if (holder is not null)
        {
            // Refused, but the cell must know at once: the pair is queued (or already is) before the refusal.
            await contradictions.RaiseSameInsAsync(identity, ins.Value.Value, call, "insi-accept-refused", actor.Name, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            throw new DomainRuleException("ins-collision",
                $"This INS already belongs to identity {holder}: a potential collision for the identity vigilance cell, not an acceptance.");
        }
        var before = IdentitySnapshot.Of(identity);
        var history = JsonSerializer.Deserialize<List<InsHistoryEntry>>(call.InsHistory ?? "[]")!;
        var now = clock.GetUtcNow();
        identity.AcceptInsiAnswer(ins.Value, history, strict.Value.Strict, call.CalledAt, now);
        Decide(call, "accepted", actor, now);
        await contradictions.ResolveSettledAsync(identity, actor, $"INSi answer accepted (call {call.Id})", cancellationToken);
        await writer.SaveAsync(identity, "insi.accepted", before, actor, new { callId = call.Id, mode = identity.ObtainingMode }, cancellationToken);
        return identity;
    }

    /// <summary>Rejects the pending answer; when its traits contradict the identity's, the cell gets an INSi contradiction (returned).</summary>
    public async Task<DuplicateItem?> RejectAsync(Identity identity, long? callId, Actor actor, CancellationToken cancellationToken)
    {
        var call = await PendingCallAsync(identity, callId, cancellationToken);
        Decide(call, InsiContradictions.DecisionRejected, actor, clock.GetUtcNow());
        // Rejected because the traits contradict the person's: the cell decides whether the local traits or the answer are wrong.
        DuplicateItem? raised = null;
        if (InsiContradictions.TraitsOf(call) is { } traits)
        {
            var comparison = await contradictions.CompareAsync(identity, traits, call.InsValue, cancellationToken);
            if (comparison.Contradicts)
            {
                raised = await contradictions.RaiseAsync(identity, call, comparison, "insi-rejected", actor.Name, cancellationToken);
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

    private static void Decide(InsiCall call, string decision, Actor actor, DateTimeOffset now)
    {
        call.Decision = decision;
        call.DecidedAt = now;
        call.DecidedBy = actor.Name;
    }

    internal static InsiTraitsDto ToDto(InsTraits traits) =>
        new(traits.BirthName, traits.FirstName, traits.FirstNamesList, traits.Sex.ToString(), traits.BirthDate, traits.BirthPlaceCode);
}
