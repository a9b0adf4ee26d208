using IdentityRef.Application.Jobs;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Patients;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// A40 (ITI-30 receiver rules): MRG-1 unknown does nothing; PID-3 unknown is an identifier change; both known are merged, as
/// any merge here (a merged identity stands for its survivor). A merge the rules refuse (two INS, a link) is an AE and a work
/// item for the identity vigilance cell (<see cref="WorkItemKinds.InboundMergeRefused"/>).
/// </summary>
public sealed class MergeHandler(InboundIdentities identities, MergeService merges, IdentityWriter writer, InboundFollowUps followUps) : IInboundHandler
{
    public static IReadOnlyList<PamEvent> Triggers { get; } = [PamEvent.A40];

    public async Task<IReadOnlyList<Hl7Error>> ApplyAsync(PamReadResult read, Actor actor, CancellationToken cancellationToken)
    {
        var merged = await identities.FindAsync(read.MergeIdentifiers, cancellationToken);
        if (merged is null)
        {
            return [];
        }
        var survivor = await identities.FindAsync(read.PidIdentifiers, cancellationToken);
        if (survivor is null)
        {
            await identities.AddCrossReferencesAsync(merged.Id, read.PidIdentifiers, cancellationToken);
            await writer.SaveAsync(merged, "identity.identifier-added", IdentitySnapshot.Of(merged), actor,
                new { source = actor.Name, identifiers = identities.IdentifierChanges(merged.Id) }, cancellationToken);
            return [];
        }
        if (survivor.Id != merged.Id)
        {
            try
            {
                await merges.MergeAsync(survivor, merged, actor, new { source = actor.Name }, cancellationToken);
            }
            catch (DomainRuleException refused)
            {
                // Two INS, a link…: the sender holds one person where this server keeps two. The message is refused (AE, nothing
                // written); the cell gets the pair to decide on, or the disagreement would live only in the sender's error log.
                followUps.Raise(WorkItemKinds.InboundMergeRefused, survivor.Id, new
                {
                    rule = refused.Rule, source = actor.Name, survivorIpp = survivor.Ipp, mergedIpp = merged.Ipp,
                });
                throw;
            }
        }
        return [];
    }
}
