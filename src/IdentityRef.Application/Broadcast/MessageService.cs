using IdentityRef.Application.Patients;
using IdentityRef.Domain.Identities;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Broadcast;

/// <summary>One page of the message monitor, newest first.</summary>
public sealed record MessagePage(IReadOnlyList<MessageResponse> Items, int Page, int PageSize, int Total)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}

/// <summary>Why a resend was refused: a stable <see cref="Rule"/> code, the reason in English, the later message that supersedes it.</summary>
public sealed record ResendRefusal(string Rule, string Detail, long? LaterMessageId = null)
{
    /// <summary>A later message (higher id) about the same identity, or one of the identities the message is about, is queued for this system.</summary>
    public const string Superseded = "resend-superseded";

    /// <summary>The message carries an INS that its identity does not hold today as a qualified identity (RNIV EXI SI 08).</summary>
    public const string InsNotShareable = "resend-ins-not-shareable";

    /// <summary>The message says PID-32 VALI for an identity that is today neither qualified nor validated.</summary>
    public const string ConfidenceLowered = "resend-confidence-lowered";
}

/// <summary>The outcome of a resend: the copy queued, or the refusal; both null when there is no such message.</summary>
public sealed record ResendOutcome(MessageResponse? Copy, ResendRefusal? Refusal);

/// <summary>
/// The message monitor and the resend, as the API (<c>/api/messages</c>) and the integrators' screens both use them.
/// </summary>
public sealed class MessageService(IdentityRefDbContext db, TimeProvider clock, OutboxSignal signal, IOptions<IdentityOptions> identityOptions)
{
    /// <param name="state">One of <see cref="OutboxStates.All"/>, or null for all (the caller has checked it).</param>
    public async Task<MessagePage> ListAsync(string? state, Guid? subscriptionId, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = db.Outbox.AsNoTracking();
        if (state is not null)
        {
            query = query.Where(m => m.State == state);
        }
        if (subscriptionId is { } id)
        {
            query = query.Where(m => m.SubscriptionId == id);
        }
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(m => m.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(m => new MessageResponse(m.Id, m.SubscriptionId, m.Event, m.ControlId, m.State, m.Attempts, m.AckCode, m.LastError,
                m.CreatedAt, m.SentAt, m.AcknowledgedAt, m.NextAttemptAt))
            .ToListAsync(cancellationToken);
        return new MessagePage(items, page, pageSize, total);
    }

    /// <summary>
    /// Sends a message again: a copy with a new control id (MSH-10) joins the end of its system's queue — only when it cannot
    /// tell the receivers anything older than what they were told since (docs/broadcast.md, "Resend"):
    /// <list type="bullet">
    /// <item>refused when a later message (higher id) of the same system is about the same identity or about any identity this
    /// one names (the survivor and the merged IPP of an A40, both PIDs of an A24/A37), whatever that later message's state: the
    /// copy would be delivered after it and put stale traits, status or INS back at the receivers;</item>
    /// <item>refused when a PID carries an INS that its identity does not hold today as a qualified identity (RNIV EXI SI 08,
    /// belt and braces: the INS never leaves for a non-qualified identity), or PID-32 VALI for an identity that is today neither
    /// qualified nor validated (PamMapping: VALI means one of these two).</item>
    /// </list>
    /// Both null when there is no such message.
    /// </summary>
    public async Task<ResendOutcome> ResendAsync(long id, CancellationToken cancellationToken)
    {
        // A concurrent change of one of the identities (an INS withdrawn by another instance between the check and the
        // insert) makes the attempt a concurrency conflict: checked again from the start, it is then refused (the A47 is
        // a later message). Conflicting again and again, it ends as any concurrent change does (409).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ResendOnceAsync(id, cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<ResendOutcome> ResendOnceAsync(long id, CancellationToken cancellationToken)
    {
        if (await db.Outbox.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken) is not { } original)
        {
            return new ResendOutcome(null, null);
        }
        var parsed = Hl7Parser.Parse(original.Payload);
        // The check and the insert are one unit (docs/broadcast.md, "Resend"). On SQLite the transaction is BEGIN IMMEDIATE
        // (Microsoft.Data.Sqlite's default): no other writer between them. On PostgreSQL the identities' rows are touched with
        // their version as read (Identity.Version, the concurrency token every identity change bumps) once the copy is
        // inserted: a change committed since the check is a conflict, one in progress is waited for and is then a conflict, and
        // one that comes after waits for this commit (its message queued after the copy). The version is not bumped: a resend
        // changes no identity (its ETag and a merge's undo right stay). A second resend of the same message, waiting on the
        // same rows, then finds the first one's copy when the check runs again under the row locks, and is refused.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (refusal, identities) = await RefusalAsync(original, parsed.Message!, null, cancellationToken);
        if (refusal is not null)
        {
            return new ResendOutcome(null, refusal);
        }
        var controlId = Guid.NewGuid().ToString("N")[..20];
        var header = parsed.Message!.Segments[0].WithValue(10, controlId);
        var copy = new Hl7Message([header, .. parsed.Message.Segments.Skip(1)]);
        var now = clock.GetUtcNow();
        var message = new OutboxMessage
        {
            SubscriptionId = original.SubscriptionId, IdentityId = original.IdentityId, Event = original.Event, ControlId = controlId,
            Payload = copy.ToBytes(parsed.Charset ?? Hl7Charset.Utf8), State = OutboxStates.Pending, NextAttemptAt = now, CreatedAt = now,
        };
        db.Outbox.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var identity in identities)
        {
            var (identityId, version) = (identity.Id, identity.Version);
            var touched = await db.Identities.Where(i => i.Id == identityId && i.Version == version)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.Version, i => i.Version), cancellationToken);
            if (touched == 0)
            {
                throw new DbUpdateConcurrencyException("Another change of an identity this message is about was saved first.");
            }
        }
        if ((await RefusalAsync(original, parsed.Message, message.Id, cancellationToken)).Refusal is { } raced)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new ResendOutcome(null, raced);
        }
        await transaction.CommitAsync(cancellationToken);
        signal.Notify();
        return new ResendOutcome(new MessageResponse(message.Id, message.SubscriptionId, message.Event, message.ControlId,
            message.State, 0, null, null, message.CreatedAt, null, null, message.NextAttemptAt), null);
    }

    /// <summary>Events whose message names two identities: the second only in its payload (MRG-1 of an A40, the second PID of an A24/A37).</summary>
    private static readonly string[] TwoIdentityEvents = ["A40", "A24", "A37"];

    /// <param name="copyId">The copy this resend has just inserted (not a later message), when the check runs again.</param>
    private async Task<(ResendRefusal? Refusal, List<Identity> Identities)> RefusalAsync(OutboxMessage original, Hl7Message message, long? copyId,
        CancellationToken ct)
    {
        // the identities this message is about: the one stored with it, and every IPP of ours it names
        var ipps = IppsOf(message).ToHashSet(StringComparer.Ordinal);
        var identities = await db.Identities.AsNoTracking().Where(i => ipps.Contains(i.Ipp) || i.Id == original.IdentityId).ToListAsync(ct);
        var ids = identities.Select(i => i.Id).ToList();
        ipps.UnionWith(identities.Select(i => i.Ipp));

        // (a) a later message of this system about one of them: stored under that identity…
        var later = await db.Outbox.AsNoTracking()
            .Where(m => m.SubscriptionId == original.SubscriptionId && m.Id > original.Id && m.Id != copyId && m.IdentityId != null && ids.Contains(m.IdentityId.Value))
            .OrderBy(m => m.Id).Select(m => (long?)m.Id).FirstOrDefaultAsync(ct);
        // …or naming it as the second identity of an A40 (the merged IPP), A24 or A37 (rare events: their payloads are read)
        var twoIdentity = await db.Outbox.AsNoTracking()
            .Where(m => m.SubscriptionId == original.SubscriptionId && m.Id > original.Id && m.Id != copyId && (later == null || m.Id < later) && TwoIdentityEvents.Contains(m.Event))
            .OrderBy(m => m.Id).Select(m => new { m.Id, m.Payload }).ToListAsync(ct);
        foreach (var other in twoIdentity)
        {
            if (Hl7Parser.Parse(other.Payload).Message is { } otherMessage && IppsOf(otherMessage).Any(ipps.Contains))
            {
                later = other.Id;
                break;
            }
        }
        if (later is { } laterId)
        {
            return (new ResendRefusal(ResendRefusal.Superseded,
                $"Message {laterId}, queued after message {original.Id} for the same system, is about the same patient: a copy of message "
                + $"{original.Id} would reach the receivers after it and put older identity data back. Send the latest message about this "
                + "patient instead.", laterId), identities);
        }

        // (b) belt and braces: what a PID says of the identity's confidence must hold today
        var byIpp = identities.ToDictionary(i => i.Ipp, StringComparer.Ordinal);
        var pids = message.Pids().Select(p => (p.Identifiers, p.IdentityReliability)).ToList();
        if (message.TriggerEvent == "A40" && message.Mrg() is { } mrg)
        {
            // MRG-1 of an A40 names the merged identity (our factory puts its IPP only); an INS there is checked as a PID's.
            // MRG-1 of an A47 is the INS being replaced or withdrawn (PAM FR §4.4): the only way to take it off the
            // receivers, not a statement that the identity holds it, so it is not checked.
            pids.Add((mrg.PriorIdentifiers, []));
        }
        foreach (var (identifiers, reliability) in pids)
        {
            var identity = identifiers.Where(IsOurIpp).Select(cx => byIpp.GetValueOrDefault(cx.Id)).FirstOrDefault(i => i is not null);
            var shareable = identity?.ShareableIns;
            foreach (var ins in identifiers.Where(cx => PamIns.IsInsClaim(cx) && !cx.IsNullId))
            {
                if (shareable is null || shareable.Value != ins.Id || shareable.Oid != ins.AssigningAuthority.UniversalId)
                {
                    return (new ResendRefusal(ResendRefusal.InsNotShareable,
                        $"Message {original.Id} carries an INS that its identity does not hold today as a qualified identity: an INS is sent "
                        + "only for a qualified identity (RNIV EXI SI 08)."), identities);
                }
            }
            if (reliability.Contains("VALI") && identity?.Status is not (IdentityStatus.Qual or IdentityStatus.Vali))
            {
                return (new ResendRefusal(ResendRefusal.ConfidenceLowered,
                    $"Message {original.Id} says PID-32 VALI, but its identity is today neither qualified nor validated."), identities);
            }
        }
        return (null, identities);
    }

    /// <summary>Our IPPs named by a message: PID-3 of each PID, and MRG-1 of an A40 (the merged identity).</summary>
    private IEnumerable<string> IppsOf(Hl7Message message)
    {
        var identifiers = message.Pids().SelectMany(p => p.Identifiers);
        if (message.TriggerEvent == "A40" && message.Mrg() is { } mrg)
        {
            identifiers = identifiers.Concat(mrg.PriorIdentifiers);
        }
        return identifiers.Where(IsOurIpp).Select(cx => cx.Id);
    }

    private bool IsOurIpp(Cx cx) =>
        cx.IdentifierTypeCode == "PI" && !cx.IsNullId && cx.Id.Length > 0
        && identityOptions.Value.IsIppAuthority(cx.AssigningAuthority.NamespaceId, cx.AssigningAuthority.UniversalId);

}
