using IdentityRef.Hl7;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Broadcast;

/// <summary>One page of the message monitor, newest first.</summary>
public sealed record MessagePage(IReadOnlyList<MessageResponse> Items, int Page, int PageSize, int Total)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}

/// <summary>
/// The message monitor and the resend, as the API (<c>/api/messages</c>) and the integrators' screens both use them.
/// </summary>
public sealed class MessageService(IdentityRefDbContext db, TimeProvider clock, OutboxSignal signal)
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
    /// Sends a message again: a copy with a new control id (MSH-10) joins the end of its system's queue.
    /// Null when there is no such message.
    /// </summary>
    public async Task<MessageResponse?> ResendAsync(long id, CancellationToken cancellationToken)
    {
        if (await db.Outbox.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken) is not { } original)
        {
            return null;
        }
        var parsed = Hl7Parser.Parse(original.Payload);
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
        signal.Notify();
        return new MessageResponse(message.Id, message.SubscriptionId, message.Event, message.ControlId,
            message.State, 0, null, null, message.CreatedAt, null, null, message.NextAttemptAt);
    }
}
