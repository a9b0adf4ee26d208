using IdentityRef.Domain.Identities;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Broadcast;

/// <summary>
/// Turns the events of changed identities into PAM messages for every subscribed system, in the unit of work of
/// the change itself (transactional outbox). The message is encoded now, so that it tells the identity as it was
/// at the change, and delivered later, in order, by <see cref="OutboxDispatcher"/>.
/// </summary>
public sealed class OutboxWriter(IOptions<IdentityOptions> identityOptions, IOptions<Hl7Options> hl7Options, TimeProvider clock, OutboxSignal signal)
    : IIdentityChangeListener
{
    private static readonly PamMessageFactory Factory = new();

    public async Task OnChangesAsync(IdentityRefDbContext db, IReadOnlyList<Identity> changed, CancellationToken cancellationToken)
    {
        if (!changed.Any(i => i.Events.Count > 0))
        {
            return;
        }
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.Enabled).OrderBy(s => s.Name).ToListAsync(cancellationToken);
        if (subscriptions.Count == 0)
        {
            return;
        }
        // identities another system fed us (an hl7: cross-reference): their collection mode is not ours to claim
        var ids = changed.Select(i => i.Id).ToList();
        var received = (await db.Identifiers.AsNoTracking().Where(i => ids.Contains(i.IdentityId) && i.System.StartsWith("hl7:")).Select(i => i.IdentityId).ToListAsync(cancellationToken))
            .Concat(db.Identifiers.Local.Where(i => ids.Contains(i.IdentityId) && i.System.StartsWith("hl7:", StringComparison.Ordinal)).Select(i => i.IdentityId))
            .ToHashSet();
        var patients = changed.ToDictionary(i => i.Id, i => PamMapping.ToPam(i, identityOptions.Value, hl7Options.Value.Zone, received.Contains(i.Id)));
        PamPatient? Other(Guid id)
        {
            if (patients.TryGetValue(id, out var known))
            {
                return known;
            }
            var loaded = db.Identities.Local.FirstOrDefault(i => i.Id == id) ?? db.Identities.AsNoTracking().FirstOrDefault(i => i.Id == id);
            return loaded is null ? null : patients[id] = PamMapping.ToPam(loaded, identityOptions.Value, hl7Options.Value.Zone);
        }

        var now = clock.GetUtcNow();
        var stamp = TimeZoneInfo.ConvertTime(now, hl7Options.Value.Zone); // MSH-7/EVN-2: hospital time with its offset
        foreach (var identity in changed)
        {
            foreach (var change in identity.Events)
            {
                var outgoing = EventMessages.For(change, patients[identity.Id], Other);
                foreach (var subscription in subscriptions.Where(s => Accepts(s, outgoing.Event)))
                {
                    var charset = Hl7Charsets.TryParseMsh18(subscription.Charset, out var parsed) ? parsed : Hl7Charset.Utf8;
                    var controlId = Guid.NewGuid().ToString("N")[..20];
                    var message = outgoing.Build(Factory, new PamMessageHeader
                    {
                        SendingApplication = new Hd(hl7Options.Value.SendingApplication),
                        SendingFacility = new Hd(hl7Options.Value.SendingFacility),
                        ReceivingApplication = new Hd(subscription.ReceivingApplication),
                        ReceivingFacility = new Hd(subscription.ReceivingFacility),
                        Timestamp = stamp,
                        ControlId = controlId,
                        Charset = charset,
                    });
                    // A character the subscriber's set cannot carry has no HL7 escape: the message is refused for this
                    // subscriber (parked with the reason, on the monitor), never sent with a '?' in its place.
                    var unencodable = Hl7Charsets.FindUnencodable(message, charset);
                    if (unencodable is { } bad)
                    {
                        message = new Hl7Message([message.Segments[0].WithValue(18, Hl7Charset.Utf8.ToMsh18()), .. message.Segments.Skip(1)]);
                    }
                    db.Outbox.Add(new OutboxMessage
                    {
                        SubscriptionId = subscription.Id,
                        IdentityId = change is IdentityMerged merged ? merged.SurvivorId : identity.Id,
                        Event = outgoing.Event.ToString(),
                        ControlId = controlId,
                        Payload = unencodable is null ? message.ToBytes(charset) : message.ToBytes(Hl7Charset.Utf8),
                        State = unencodable is null ? OutboxStates.Pending : OutboxStates.Parked,
                        LastError = unencodable is { } why
                            ? $"refused before sending: the character {why.CodePoint} in {why.Location} cannot be written in {charset.ToMsh18()}, "
                              + "the character set of this subscription, and HL7 has no escape for it. Set the subscription to UNICODE UTF-8, "
                              + "then resend this message (kept here in UTF-8)."
                            : null,
                        NextAttemptAt = now,
                        CreatedAt = now,
                    });
                }
            }
        }
        signal.Notify();
    }

    /// <summary>
    /// Whether the subscription takes the event: those it lists, or, when it lists none, the events PAM FR makes mandatory
    /// (A28, A31, A47, A40). A24/A37 belong to the optional Link/Unlink option, which a consumer without it answers AR: they
    /// go only to a subscription that lists them.
    /// </summary>
    public static bool Accepts(Subscription subscription, PamEvent pamEvent) =>
        string.IsNullOrWhiteSpace(subscription.Events)
            ? pamEvent is not (PamEvent.A24 or PamEvent.A37)
            : subscription.Events.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(pamEvent.ToString(), StringComparer.OrdinalIgnoreCase);
}

/// <summary>Wakes the dispatcher when messages were queued, so that delivery takes milliseconds, not a polling period.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // already signalled by another writer
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
