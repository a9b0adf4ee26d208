using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// A28 (create) and A31 (update): update the identity the sender's identifiers point to, or insert it (ITI-30: an A31
/// for an unknown patient inserts it). Field presence (HL7 v2.5 §2.5.3): what the message leaves empty is kept, what it
/// sends as <c>""</c> is erased. The strict traits of an identity whose INS came from INSi are not changed by another source.
/// </summary>
public sealed class PatientUpsertHandler(InboundIdentities identities, PatientService patients, IdentityWriter writer, TimeProvider clock) : IInboundHandler
{
    public static IReadOnlyList<PamEvent> Triggers { get; } = [PamEvent.A28, PamEvent.A31];

    public async Task<IReadOnlyList<Hl7Error>> ApplyAsync(PamReadResult read, Actor actor, CancellationToken cancellationToken)
    {
        var existing = await identities.FindAsync(read.PidIdentifiers, cancellationToken);
        var patient = existing is null ? read.Patient! : KeepAbsent(read.Patient!, existing);
        var validated = patients.Validate(InboundIdentities.ToInput(patient));
        if (!validated.IsSuccess)
        {
            return [.. validated.Errors.Select(InboundIdentities.ToHl7Error)];
        }
        var (ins, warnings) = InboundIdentities.QualifiedIns(patient, patients.AcceptsTestIns);
        if (warnings.Any(w => w.Severity == Hl7Severity.Error))
        {
            return warnings;
        }
        var traits = validated.Value with { DeclaredIns = ins, Strict = WithCorrectedFlag(validated.Value.Strict, patient, existing) };
        // ZFD-5/7/8: how the sender collected the identity, kept as its word (absent: unchanged; "": withdrawn)
        var collected = (
            Mode: Received(patient.ObtainingMode, PamFields.ObtainingMode, existing?.ReceivedObtainingMode),
            Document: Received(patient.DocumentType, PamFields.DocumentType, existing?.ReceivedDocumentType),
            Expires: patient.DocumentExpiry ?? (patient.Erased.HasFlag(PamFields.DocumentExpiry) ? null : existing?.ReceivedDocumentExpires));
        string? Received(string? sent, PamFields field, string? current) => sent ?? (patient.Erased.HasFlag(field) ? null : current);
        if (existing is null)
        {
            await patients.CreateAsync(traits, actor, new { source = actor.Name }, cancellationToken, stage: created =>
            {
                created.RecordReceivedCollection(collected.Mode, collected.Document, collected.Expires);
                identities.AddCrossReferences(created.Id, read.PidIdentifiers);
            });
            return warnings;
        }
        var before = IdentitySnapshot.Of(existing);
        var strict = existing.InsSource == InsSource.Insi ? existing.Strict : traits.Strict;
        existing.Update(strict, traits.Complementary, existing.InsSource == InsSource.Insi ? null : traits.DeclaredIns, clock.GetUtcNow());
        existing.RecordReceivedCollection(collected.Mode, collected.Document, collected.Expires);
        await identities.AddCrossReferencesAsync(existing.Id, read.PidIdentifiers, cancellationToken);
        await writer.SaveAsync(existing, "identity.updated", before, actor, new { source = actor.Name }, cancellationToken);
        return warnings;
    }

    /// <summary>
    /// ZFD-4 (birth date corrected, Y/N) sets the flag of the birth date; without it, a birth date the identity already has
    /// keeps its flag, a new one has the flag its parsing gave.
    /// </summary>
    private static StrictTraits WithCorrectedFlag(StrictTraits strict, PamPatient sent, Identity? existing)
    {
        var date = strict.BirthDate.Value;
        var corrected = sent.BirthDateCorrected
            ?? (existing is not null && existing.BirthDate == date ? existing.BirthDateCorrected : strict.BirthDate.Corrected);
        return strict with { BirthDate = new BirthDate(date, corrected) };
    }

    /// <summary>
    /// The optional traits the message did not carry (neither a value nor HL7 null) keep the identity's value: an
    /// A31 that leaves the used name, address or phone empty changes none of them.
    /// </summary>
    private static PamPatient KeepAbsent(PamPatient sent, Identity existing)
    {
        string? Keep(string? value, PamFields field, string? current) =>
            value is not null ? value : sent.Erased.HasFlag(field) ? null : current;
        return sent with
        {
            UsedName = Keep(sent.UsedName, PamFields.UsedName, existing.UsedName),
            UsedFirstName = Keep(sent.UsedFirstName, PamFields.UsedFirstName, existing.UsedFirstName),
            Address = Keep(sent.Address, PamFields.Address, existing.Address),
            Postcode = Keep(sent.Postcode, PamFields.Postcode, existing.Postcode),
            City = Keep(sent.City, PamFields.City, existing.City),
            Phone = Keep(sent.Phone, PamFields.Phone, existing.Phone),
            Email = Keep(sent.Email, PamFields.Email, existing.Email),
            BirthPlaceCode = Keep(sent.BirthPlaceCode, PamFields.BirthPlace, existing.BirthPlaceCode),
            DeathDate = sent.DeathDate ?? (sent.Erased.HasFlag(PamFields.DeathDate) ? null : existing.DeathDate),
        };
    }
}
