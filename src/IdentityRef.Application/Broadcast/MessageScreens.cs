using IdentityRef.Domain.Identities;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Broadcast;

/// <summary>
/// A search of the message monitor: state (one of <see cref="OutboxStates.All"/>), subscription, the IPP of the identity the message
/// is about (its own IPP, or one merged into it), the trigger event (A28, A31…). Null takes everything.
/// </summary>
public sealed record MessageSearch(string? State = null, Guid? Subscription = null, string? Ipp = null, string? Event = null);

/// <summary>A row of the monitor: the message and the IPP of its identity (null for a message about no identity).</summary>
public sealed record MessageRow(MessageResponse Message, string? Ipp);

/// <summary>One field of a segment as read on screen: its position (PID-5) and its text, escapes left as sent.</summary>
public sealed record FieldView(int Number, string Raw);

public sealed record SegmentView(string Name, IReadOnlyList<FieldView> Fields);

/// <summary>
/// One message to read: its state, its IPP, its segments field by field and its text. An INS (PID-3 or MRG-1 identifier of the
/// INS authorities) is shown only while the identity is qualified (RNIV EXI SI 08): otherwise it reads "(masqué)".
/// </summary>
public sealed record MessageDetail(MessageResponse Message, string? Ipp, string SubscriptionName, IReadOnlyList<SegmentView> Segments, string Text,
    bool InsMasked, bool Unreadable);

/// <summary>The reads of the integrators' message screens (search with the IPP, one message field by field).</summary>
public sealed class MessageScreens(IdentityRefDbContext db)
{
    public static readonly IReadOnlyList<string> Events = ["A28", "A31", "A40", "A47", "A24", "A37"];

    /// <summary>The INS authorities' OID arc (NIR, NIA and their test authorities).</summary>
    private const string InsOidArc = "1.2.250.1.213.1.4.";

    public async Task<(IReadOnlyList<MessageRow> Rows, int Total)> SearchAsync(MessageSearch search, int page, int pageSize, CancellationToken ct)
    {
        var query = db.Outbox.AsNoTracking();
        if (search.State is { } state)
        {
            query = query.Where(m => m.State == state);
        }
        if (search.Subscription is { } subscription)
        {
            query = query.Where(m => m.SubscriptionId == subscription);
        }
        if (search.Event is { } trigger)
        {
            query = query.Where(m => m.Event == trigger);
        }
        if (search.Ipp is { Length: > 0 } ipp)
        {
            var ids = await IdentitiesOfIppAsync(ipp.Trim(), ct);
            query = query.Where(m => m.IdentityId != null && ids.Contains(m.IdentityId.Value));
        }
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(m => m.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(m => new MessageResponse(m.Id, m.SubscriptionId, m.Event, m.ControlId, m.State, m.Attempts, m.AckCode, m.LastError,
                m.CreatedAt, m.SentAt, m.AcknowledgedAt, m.NextAttemptAt))
            .ToListAsync(ct);
        var messageIds = items.Select(i => i.Id).ToList();
        var identityOf = await db.Outbox.AsNoTracking().Where(m => messageIds.Contains(m.Id) && m.IdentityId != null)
            .Select(m => new { m.Id, m.IdentityId }).ToDictionaryAsync(m => m.Id, m => m.IdentityId!.Value, ct);
        var identityIds = identityOf.Values.Distinct().ToList();
        var ipps = await db.Identities.AsNoTracking().Where(i => identityIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Ipp, ct);
        return (items.Select(m => new MessageRow(m, identityOf.TryGetValue(m.Id, out var id) ? ipps.GetValueOrDefault(id) : null)).ToList(), total);
    }

    /// <summary>One message to read, or null when there is none with this number.</summary>
    public async Task<MessageDetail?> DetailAsync(long id, CancellationToken ct)
    {
        if (await db.Outbox.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct) is not { } m)
        {
            return null;
        }
        var identity = m.IdentityId is { } identityId ? await db.Identities.AsNoTracking().FirstOrDefaultAsync(i => i.Id == identityId, ct) : null;
        var subscription = await db.Subscriptions.AsNoTracking().Where(s => s.Id == m.SubscriptionId).Select(s => s.Name).FirstOrDefaultAsync(ct) ?? "—";
        var response = new MessageResponse(m.Id, m.SubscriptionId, m.Event, m.ControlId, m.State, m.Attempts, m.AckCode, m.LastError, m.CreatedAt, m.SentAt,
            m.AcknowledgedAt, m.NextAttemptAt);
        var parsed = Hl7Parser.Parse(m.Payload);
        if (parsed.Message is not { } message)
        {
            return new MessageDetail(response, identity?.Ipp, subscription, [], "", false, true);
        }
        var showIns = identity?.Status == IdentityStatus.Qual;
        var masked = false;
        var segments = new List<SegmentView>();
        foreach (var segment in message.Segments)
        {
            var fields = new List<FieldView>();
            for (var n = 1; n < segment.RawFields.Count; n++)
            {
                var raw = segment.RawFields[n];
                if (!showIns && ((segment.Name == "PID" && n == 3) || (segment.Name == "MRG" && n == 1)) && raw.Contains(InsOidArc, StringComparison.Ordinal))
                {
                    raw = MaskIns(raw, segment.Delimiters);
                    masked = true;
                }
                fields.Add(new FieldView(n, raw));
            }
            segments.Add(new SegmentView(segment.Name, fields));
        }
        var text = string.Join("\n", segments.Select(s => s.Name + string.Concat(s.Fields.Select(f => message.Delimiters.Field + f.Raw))));
        if (segments.Count > 0 && segments[0].Name == "MSH")
        {
            // MSH-1 is the field separator itself: the header is written back as received.
            text = string.Join("\n", new[] { message.Segments[0].ToString() }.Concat(text.Split('\n').Skip(1)));
        }
        return new MessageDetail(response, identity?.Ipp, subscription, segments, text, masked, false);
    }

    /// <summary>The identifier repetitions of an INS authority keep their authority, their value reads "(masqué)".</summary>
    private static string MaskIns(string raw, Hl7Delimiters d) =>
        string.Join(d.Repetition, raw.Split(d.Repetition).Select(repetition =>
        {
            if (!repetition.Contains(InsOidArc, StringComparison.Ordinal))
            {
                return repetition;
            }
            var components = repetition.Split(d.Component);
            components[0] = "(masqué)";
            return string.Join(d.Component, components);
        }));

    /// <summary>The identity of this IPP (its own messages; those of an identity merged into it keep their own IPP).</summary>
    private async Task<List<Guid>> IdentitiesOfIppAsync(string ipp, CancellationToken ct)
    {
        var ids = await db.Identities.AsNoTracking().Where(i => i.Ipp == ipp).Select(i => i.Id).ToListAsync(ct);
        return ids;
    }
}
