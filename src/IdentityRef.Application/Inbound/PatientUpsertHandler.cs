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
/// An insert goes through check-before-create (<see cref="Admission.CreateFromFeedAsync"/>): under the locks of the
/// candidate block and of the sender's identifiers, so a patient sent twice at once (two connections, two servers) is
/// created once and the other message updates it; a probable duplicate does not stop the feed, its pairs go to the
/// vigilance cell's queue with the creation.
/// </summary>
public sealed class PatientUpsertHandler(InboundIdentities identities, PatientService patients, IdentityWriter writer, Admission admission, TimeProvider clock)
    : IInboundHandler
{
    public static IReadOnlyList<PamEvent> Triggers { get; } = [PamEvent.A28, PamEvent.A31];

    public async Task<IReadOnlyList<Hl7Error>> ApplyAsync(PamReadResult read, Actor actor, CancellationToken cancellationToken)
    {
        var existing = await identities.FindAsync(read.PidIdentifiers, cancellationToken);
        if (existing is null)
        {
            var fresh = Prepare(read, null);
            if (fresh.Errors is { } refused)
            {
                return refused;
            }
            var created = await admission.CreateFromFeedAsync(fresh.Traits, InboundIdentities.LockKeys(read.PidIdentifiers),
                async ct => (existing = await identities.FindAsync(read.PidIdentifiers, ct)) is not null,
                created =>
                {
                    created.RecordReceivedCollection(fresh.Collected.Mode, fresh.Collected.Document, fresh.Collected.Expires);
                    identities.AddCrossReferences(created.Id, read.PidIdentifiers);
                }, actor, cancellationToken);
            if (created is not null)
            {
                return fresh.Warnings;
            }
            // Another message about this patient was integrated meanwhile (another connection or server): this one updates it.
        }
        var known = existing!;
        var prepared = Prepare(read, known);
        if (prepared.Errors is { } errors)
        {
            return errors;
        }
        var traits = prepared.Traits;
        var before = IdentitySnapshot.Of(known);
        var strict = known.InsSource == InsSource.Insi ? known.Strict : traits.Strict;
        known.Update(strict, traits.Complementary, known.InsSource == InsSource.Insi ? null : traits.DeclaredIns, clock.GetUtcNow());
        known.RecordReceivedCollection(prepared.Collected.Mode, prepared.Collected.Document, prepared.Collected.Expires);
        await identities.AddCrossReferencesAsync(known.Id, read.PidIdentifiers, cancellationToken);
        await writer.SaveAsync(known, "identity.updated", before, actor, new { source = actor.Name, identifiers = identities.IdentifierChanges(known.Id) },
            cancellationToken);
        return prepared.Warnings;
    }

    private sealed record Prepared(ValidatedTraits Traits, IReadOnlyList<Hl7Error> Warnings, (string? Mode, string? Document, DateOnly? Expires) Collected,
        IReadOnlyList<Hl7Error>? Errors);

    /// <summary>The message's traits validated against the identity they change (none for an insert), or the errors for the ACK.</summary>
    private Prepared Prepare(PamReadResult read, Identity? existing)
    {
        var patient = existing is null ? read.Patient! : KeepAbsent(read.Patient!, existing);
        var validated = patients.Validate(InboundIdentities.ToInput(patient));
        if (!validated.IsSuccess)
        {
            return new Prepared(null!, [], default, [.. validated.Errors.Select(InboundIdentities.ToHl7Error)]);
        }
        var (ins, warnings) = InboundIdentities.QualifiedIns(patient, patients.AcceptsTestIns);
        if (warnings.Any(w => w.Severity == Hl7Severity.Error))
        {
            return new Prepared(null!, [], default, warnings);
        }
        var traits = validated.Value with { DeclaredIns = ins, Strict = WithCorrectedFlag(validated.Value.Strict, patient, existing) };
        // ZFD-5/7/8: how the sender collected the identity, kept as its word (absent: unchanged; "": withdrawn)
        string? Received(string? sent, PamFields field, string? current) => sent ?? (patient.Erased.HasFlag(field) ? null : current);
        var collected = (
            Mode: Received(patient.ObtainingMode, PamFields.ObtainingMode, existing?.ReceivedObtainingMode),
            Document: Received(patient.DocumentType, PamFields.DocumentType, existing?.ReceivedDocumentType),
            Expires: patient.DocumentExpiry ?? (patient.Erased.HasFlag(PamFields.DocumentExpiry) ? null : existing?.ReceivedDocumentExpires));
        return new Prepared(traits, warnings, collected, null);
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
