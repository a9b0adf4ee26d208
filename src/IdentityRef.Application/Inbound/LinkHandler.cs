using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Links;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// A24 (link) and A37 (unlink), PAM FR's optional Link/Unlink option: the two PIDs designate two records of one person.
/// ITI-30 receiver rule: a patient unknown here is no error (AA, with a warning 204 saying nothing was recorded). An A24
/// records the link (audited on both identities, A24 to our own subscribers that take it); linked already, nothing
/// changes. An A37 undoes it; two known patients that are not linked here are an error (AE 204 at PID^2^3), since the
/// sender and we disagree on the state of the pair.
/// </summary>
public sealed class LinkHandler(InboundIdentities identities, LinkService links) : IInboundHandler
{
    public static IReadOnlyList<PamEvent> Triggers { get; } = [PamEvent.A24, PamEvent.A37];

    public async Task<IReadOnlyList<Hl7Error>> ApplyAsync(PamReadResult read, Actor actor, CancellationToken cancellationToken)
    {
        var first = await identities.FindAsync(read.PidIdentifiers, cancellationToken);
        var second = await identities.FindAsync(read.OtherPidIdentifiers, cancellationToken);
        if (first is null || second is null)
        {
            return [new Hl7Error(Hl7ErrorCode.UnknownKey, Hl7Severity.Warning, new Hl7Location("PID", first is null ? 1 : 2, 3),
                "this patient is unknown here: the " + (read.Event == PamEvent.A24 ? "link" : "unlink") + " is not recorded")];
        }
        if (first.Id == second.Id)
        {
            return [new Hl7Error(Hl7ErrorCode.DuplicateKey, Hl7Severity.Warning, new Hl7Location("PID", 2, 3),
                "both PIDs designate one patient here (merged): there is nothing to link")];
        }
        if (read.Event == PamEvent.A24)
        {
            await links.LinkAsync(first, second, actor, duplicateItemId: null, new { source = actor.Name }, cancellationToken);
            return [];
        }
        if (!await links.AreLinkedAsync(first.Id, second.Id, cancellationToken))
        {
            return [new Hl7Error(Hl7ErrorCode.UnknownKey, Hl7Severity.Error, new Hl7Location("PID", 2, 3),
                "these two patients are not linked here: there is no link to undo")];
        }
        await links.UnlinkAsync(first, second, actor, new { source = actor.Name }, cancellationToken);
        return [];
    }
}
