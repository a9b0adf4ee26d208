using IdentityRef.Domain.Identities;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;

namespace IdentityRef.Application.Broadcast;

/// <summary>
/// Which PAM FR message each domain change produces — the one table of the broadcast (PAM FR §4.4, ITI-30).
/// </summary>
public static class EventMessages
{
    /// <summary>What to send for one event, given the identity as it now is.</summary>
    public sealed record Outgoing(PamEvent Event, Func<PamMessageFactory, PamMessageHeader, Hl7Message> Build);

    public static Outgoing For(IdentityEvent change, PamPatient patient, Func<Guid, PamPatient?> other) => change switch
    {
        // new identity, new IPP
        IdentityCreated => new(PamEvent.A28, (f, h) => f.CreatePatient(h, patient)),
        // any change of traits, status or attributes; NIA → NIR
        IdentityUpdated => new(PamEvent.A31, (f, h) => f.UpdatePatient(h, patient)),
        // a merge undone: receivers made the merged IPP a dead alias, so the revived identity is created again (A28);
        // the survivor's A31 follows from its own update (docs/broadcast.md, "Undoing a merge")
        IdentityUnmerged => new(PamEvent.A28, (f, h) => f.CreatePatient(h, patient)),
        // new INS-NIR replacing the NIR the receivers had: old INS in MRG-1
        InsReplaced replaced => new(PamEvent.A47, (f, h) => f.ChangeIns(h, patient, new PamIns(replaced.Previous.Value, replaced.Previous.Oid))),
        // INS wrongly attributed: deleted everywhere
        InsWithdrawn { Deleted: true } withdrawn => new(PamEvent.A47, (f, h) => f.DeleteIns(h, patient, new PamIns(withdrawn.Previous.Value, withdrawn.Previous.Oid))),
        // qualified → recovered (document found invalid, attribute set): the INS stays here, leaves the receivers
        InsWithdrawn withdrawn => new(PamEvent.A47, (f, h) => f.QualifiedToRecovered(h, patient, new PamIns(withdrawn.Previous.Value, withdrawn.Previous.Oid))),
        // merge: sent for the survivor, the merged IPP in MRG-1
        IdentityMerged merged => new(PamEvent.A40, (f, h) => f.Merge(h, other(merged.SurvivorId)
            ?? throw new InvalidOperationException("The survivor of a merge must be known to broadcast it."), patient.Ipp)),
        // link / unlink (PAM FR's optional Link option): the identity in the first PID, the other in the second
        IdentitiesLinked linked => new(PamEvent.A24, (f, h) => f.Link(h, patient, other(linked.OtherId)
            ?? throw new InvalidOperationException("The other identity of a link must be known to broadcast it."))),
        IdentitiesUnlinked unlinked => new(PamEvent.A37, (f, h) => f.Unlink(h, patient, other(unlinked.OtherId)
            ?? throw new InvalidOperationException("The other identity of a link must be known to broadcast it."))),
        _ => throw new ArgumentOutOfRangeException(nameof(change), change.GetType().Name, "No PAM message is defined for this change."),
    };
}
