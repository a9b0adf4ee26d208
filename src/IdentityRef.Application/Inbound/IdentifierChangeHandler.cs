using IdentityRef.Domain.Identities;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// A47: the sender changed one of its identifiers (or deleted the INS, PID-3 INS <c>""</c>); a new identifier that
/// belongs to another patient is an error (AE 205), an unknown prior identifier too (AE 204).
/// </summary>
public sealed class IdentifierChangeHandler(IdentityRefDbContext db, InboundIdentities identities, PatientService patients, IdentityWriter writer, TimeProvider clock)
    : IInboundHandler
{
    public static IReadOnlyList<PamEvent> Triggers { get; } = [PamEvent.A47];

    public async Task<IReadOnlyList<Hl7Error>> ApplyAsync(PamReadResult read, Actor actor, CancellationToken cancellationToken)
    {
        var identity = await identities.FindAsync(read.MergeIdentifiers, cancellationToken) ?? await identities.FindAsync(read.PidIdentifiers, cancellationToken);
        if (identity is null)
        {
            return [new Hl7Error(Hl7ErrorCode.UnknownKey, Hl7Severity.Error, new Hl7Location("MRG", 1, 1), "the prior identifier is unknown here")];
        }
        if (read.InsDeleted)
        {
            if (identity.InsSource == InsSource.Declared)
            {
                var beforeWithdrawal = IdentitySnapshot.Of(identity);
                identity.WithdrawIns(InsWithdrawal.WronglyAttributed, clock.GetUtcNow());
                await writer.SaveAsync(identity, "ins.withdrawn", beforeWithdrawal, actor, new { source = actor.Name }, cancellationToken);
            }
            return [];
        }
        foreach (var cx in identities.Foreign(read.PidIdentifiers))
        {
            var owner = await identities.OwnerOfAsync(cx, cancellationToken);
            if (owner != Guid.Empty && owner != identity.Id)
            {
                return [new Hl7Error(Hl7ErrorCode.DuplicateKey, Hl7Severity.Error, new Hl7Location("PID", 1, 3), "the new identifier already belongs to another patient")];
            }
        }
        var before = IdentitySnapshot.Of(identity);
        var (newIns, warnings) = read.Patient is { } sent ? InboundIdentities.QualifiedIns(sent, patients.AcceptsTestIns) : (null, []);
        if (warnings.Any(w => w.Severity == Hl7Severity.Error))
        {
            return warnings;
        }
        if (newIns is not null && identity.InsSource != InsSource.Insi && newIns.Value != identity.InsValue)
        {
            // a new INS from the sender (NIA → NIR, new NIR): kept as declared until INSi confirms it
            identity.Update(identity.Strict, identity.Complementary, newIns, clock.GetUtcNow());
        }
        var old = identities.Foreign(read.MergeIdentifiers).ToList();
        var stale = await db.Identifiers.Where(i => i.IdentityId == identity.Id).ToListAsync(cancellationToken);
        db.Identifiers.RemoveRange(stale.Where(i => old.Any(cx => InboundIdentities.SystemOf(cx) == i.System && cx.Id == i.Value)));
        await identities.AddCrossReferencesAsync(identity.Id, read.PidIdentifiers, cancellationToken);
        await writer.SaveAsync(identity, "identity.identifier-changed", before, actor,
            new { source = actor.Name, identifiers = identities.IdentifierChanges(identity.Id) }, cancellationToken);
        return warnings;
    }
}
