using System.Globalization;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Merges;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// Integrates ITI-30 messages from another identity source by the receiver rules of ITI-30 and PAM FR. The
/// sender's identifiers are kept as cross-references (system <c>hl7:AUTHORITY</c>); an INS is kept only with
/// <c>VALI</c> and a valid key, as a declared INS that counts once INSi confirms it. Returns the errors to put in
/// the ACK; when there are any, nothing was written.
/// </summary>
public sealed class InboundIntegration(
    IdentityRefDbContext db,
    PatientService patients,
    MergeService merges,
    IdentityWriter writer,
    IOptions<IdentityOptions> identityOptions,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<Hl7Error>> ApplyAsync(PamReadResult read, string sender, CancellationToken cancellationToken)
    {
        var actor = new Actor("hl7:" + sender, Guid.NewGuid().ToString("N"));
        return read.Event switch
        {
            PamEvent.A28 or PamEvent.A31 => await UpsertAsync(read, actor, cancellationToken),
            PamEvent.A40 => await MergeAsync(read, actor, cancellationToken),
            PamEvent.A47 => await ChangeIdentifierAsync(read, actor, cancellationToken),
            _ => [new Hl7Error(Hl7ErrorCode.UnsupportedEventCode, Hl7Severity.Error, new Hl7Location("MSH", 1, 9, 1, 2), "this trigger event is not supported")],
        };
    }

    /// <summary>A28 or A31: update the identity the sender's identifiers point to, or insert it (A31 for an unknown patient inserts).</summary>
    private async Task<IReadOnlyList<Hl7Error>> UpsertAsync(PamReadResult read, Actor actor, CancellationToken cancellationToken)
    {
        var existing = await FindAsync(read.PidIdentifiers, cancellationToken);
        // Field presence (HL7 v2.5 §2.5.3): what the message leaves empty is kept, what it sends as "" is erased.
        var patient = existing is null ? read.Patient! : KeepAbsent(read.Patient!, existing);
        var validated = patients.Validate(ToInput(patient));
        if (!validated.IsSuccess)
        {
            return [.. validated.Errors.Select(ToHl7Error)];
        }
        var (ins, warnings) = QualifiedIns(patient, patients.AcceptsTestIns);
        if (warnings.Any(w => w.Severity == Hl7Severity.Error))
        {
            return warnings;
        }
        var traits = validated.Value with { DeclaredIns = ins };
        if (existing is null)
        {
            await patients.CreateAsync(traits, actor, new { source = actor.Name }, cancellationToken, stage: created => AddCrossReferences(created.Id, read.PidIdentifiers));
            return warnings;
        }
        var before = IdentitySnapshot.Of(existing);
        // The strict traits of an identity retrieved through INSi are the INS traits: another source does not change them.
        var strict = existing.InsSource == InsSource.Insi ? existing.Strict : traits.Strict;
        existing.Update(strict, traits.Complementary, existing.InsSource == InsSource.Insi ? null : traits.DeclaredIns, clock.GetUtcNow());
        await AddCrossReferencesAsync(existing.Id, read.PidIdentifiers, cancellationToken);
        await writer.SaveAsync(existing, "identity.updated", before, actor, new { source = actor.Name }, cancellationToken);
        return warnings;
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
        };
    }

    /// <summary>PAM FR: an INS is integrated only with VALI and a valid key; otherwise it is dropped with a warning, the rest integrated.</summary>
    /// <remarks>A test or demonstration INS on a production server is refused outright (AE, nothing written): it is never a real person's.</remarks>
    private static (InsNumber? Ins, IReadOnlyList<Hl7Error> Warnings) QualifiedIns(PamPatient patient, bool acceptTestIns)
    {
        if (patient is not { IsQualified: true, Ins: { } ins })
        {
            return (null, []);
        }
        var parsed = IdentityValidator.ParseIns(ins.Value, ins.Oid, acceptTestIns);
        if (parsed.IsSuccess)
        {
            return (parsed.Value, []);
        }
        return parsed.Errors.Any(e => e.Code == "test-ins-refused")
            ? (null, [new Hl7Error(Hl7ErrorCode.TableValueNotFound, Hl7Severity.Error, new Hl7Location("PID", 1, 3, 1, 4),
                "test or demonstration INS authority refused on a production server")])
            : (null, [new Hl7Error(Hl7ErrorCode.DataTypeError, Hl7Severity.Warning, new Hl7Location("PID", 1, 3), "INS with an invalid key: not integrated")]);
    }

    /// <summary>A40: MRG-1 unknown does nothing; PID-3 unknown is an identifier change; both known are merged.</summary>
    private async Task<IReadOnlyList<Hl7Error>> MergeAsync(PamReadResult read, Actor actor, CancellationToken cancellationToken)
    {
        var merged = await FindAsync(read.MergeIdentifiers, cancellationToken);
        if (merged is null)
        {
            return [];
        }
        var survivor = await FindAsync(read.PidIdentifiers, cancellationToken);
        if (survivor is null)
        {
            await AddCrossReferencesAsync(merged.Id, read.PidIdentifiers, cancellationToken);
            await writer.SaveAsync(merged, "identity.identifier-added", IdentitySnapshot.Of(merged), actor, new { source = actor.Name }, cancellationToken);
            return [];
        }
        if (survivor.Id != merged.Id)
        {
            await merges.MergeAsync(survivor, merged, actor, new { source = actor.Name }, cancellationToken);
        }
        return [];
    }

    /// <summary>A47: the sender changed one of its identifiers (or deleted the INS); a new identifier that belongs to someone else is an error.</summary>
    private async Task<IReadOnlyList<Hl7Error>> ChangeIdentifierAsync(PamReadResult read, Actor actor, CancellationToken cancellationToken)
    {
        var identity = await FindAsync(read.MergeIdentifiers, cancellationToken) ?? await FindAsync(read.PidIdentifiers, cancellationToken);
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
        foreach (var cx in Foreign(read.PidIdentifiers))
        {
            var system = SystemOf(cx);
            var owner = await db.Identifiers.Where(i => i.System == system && i.Value == cx.Id).Select(i => i.IdentityId).FirstOrDefaultAsync(cancellationToken);
            if (owner != Guid.Empty && owner != identity.Id)
            {
                return [new Hl7Error(Hl7ErrorCode.DuplicateKey, Hl7Severity.Error, new Hl7Location("PID", 1, 3), "the new identifier already belongs to another patient")];
            }
        }
        var before = IdentitySnapshot.Of(identity);
        var (newIns, warnings) = read.Patient is { } sent ? QualifiedIns(sent, patients.AcceptsTestIns) : (null, []);
        if (warnings.Any(w => w.Severity == Hl7Severity.Error))
        {
            return warnings;
        }
        if (newIns is not null && identity.InsSource != InsSource.Insi && newIns.Value != identity.InsValue)
        {
            // a new INS from the sender (NIA → NIR, new NIR): kept as declared until INSi confirms it
            identity.Update(identity.Strict, identity.Complementary, newIns, clock.GetUtcNow());
        }
        var old = Foreign(read.MergeIdentifiers).ToList();
        var stale = await db.Identifiers.Where(i => i.IdentityId == identity.Id).ToListAsync(cancellationToken);
        db.Identifiers.RemoveRange(stale.Where(i => old.Any(cx => SystemOf(cx) == i.System && cx.Id == i.Value)));
        await AddCrossReferencesAsync(identity.Id, read.PidIdentifiers, cancellationToken);
        await writer.SaveAsync(identity, "identity.identifier-changed", before, actor, new { source = actor.Name }, cancellationToken);
        return warnings;
    }

    /// <summary>The local identity designated by a list of CX: our own IPP, or a cross-reference of the sender's domain.</summary>
    private async Task<Identity?> FindAsync(IReadOnlyList<Cx> identifiers, CancellationToken cancellationToken)
    {
        foreach (var cx in identifiers.Where(c => c.IdentifierTypeCode != "INS" && !c.IsNullId))
        {
            if (IsOurs(cx))
            {
                if (await db.Identities.FirstOrDefaultAsync(i => i.Ipp == cx.Id, cancellationToken) is { } own)
                {
                    return await ActiveAsync(own, cancellationToken);
                }
                continue;
            }
            var system = SystemOf(cx);
            var id = await db.Identifiers.Where(i => i.System == system && i.Value == cx.Id).Select(i => i.IdentityId).FirstOrDefaultAsync(cancellationToken);
            if (id != Guid.Empty)
            {
                return await ActiveAsync(await db.Identities.FirstAsync(i => i.Id == id, cancellationToken), cancellationToken);
            }
        }
        return null;
    }

    /// <summary>A merged identity stands for its survivor.</summary>
    private async Task<Identity> ActiveAsync(Identity identity, CancellationToken cancellationToken)
    {
        while (identity.MergedIntoId is { } survivor)
        {
            identity = await db.Identities.FirstAsync(i => i.Id == survivor, cancellationToken);
        }
        return identity;
    }

    private IEnumerable<Cx> Foreign(IEnumerable<Cx> identifiers) =>
        identifiers.Where(c => c.IdentifierTypeCode != "INS" && !c.IsNullId && !IsOurs(c) && c.Id.Length is > 0 and <= 100);

    private bool IsOurs(Cx cx) =>
        string.Equals(cx.AssigningAuthority.NamespaceId, identityOptions.Value.IppAuthorityName, StringComparison.OrdinalIgnoreCase)
        || (cx.AssigningAuthority.UniversalId.Length > 0 && cx.AssigningAuthority.UniversalId == identityOptions.Value.IppAuthorityOid);

    private static string SystemOf(Cx cx) =>
        "hl7:" + (cx.AssigningAuthority.NamespaceId.Length > 0 ? cx.AssigningAuthority.NamespaceId : cx.AssigningAuthority.UniversalId);

    private void AddCrossReferences(Guid identityId, IReadOnlyList<Cx> identifiers)
    {
        foreach (var cx in Foreign(identifiers))
        {
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = identityId, System = SystemOf(cx), Value = cx.Id, CreatedAt = clock.GetUtcNow() });
        }
    }

    private async Task AddCrossReferencesAsync(Guid identityId, IReadOnlyList<Cx> identifiers, CancellationToken cancellationToken)
    {
        foreach (var cx in Foreign(identifiers))
        {
            var system = SystemOf(cx);
            if (!await db.Identifiers.AnyAsync(i => i.System == system && i.Value == cx.Id, cancellationToken)
                && !db.Identifiers.Local.Any(i => i.System == system && i.Value == cx.Id))
            {
                db.Identifiers.Add(new IdentityIdentifier { IdentityId = identityId, System = system, Value = cx.Id, CreatedAt = clock.GetUtcNow() });
            }
        }
    }

    private static IdentityInput ToInput(PamPatient patient) => new()
    {
        BirthName = patient.BirthName,
        FirstNames = string.Join(' ', patient.FirstNames),
        FirstName = patient.FirstName,
        BirthDate = patient.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Sex = patient.Sex,
        BirthPlaceCode = patient.BirthPlaceCode,
        UsedName = patient.UsedName,
        UsedFirstName = patient.UsedFirstName,
        Address = patient.Address,
        Postcode = patient.Postcode,
        City = patient.City,
        Phone = patient.Phone,
        Email = patient.Email,
    };

    /// <summary>Where a bad trait sits in the message, for ERR-2, with the 0357 code.</summary>
    private static Hl7Error ToHl7Error(FieldError error)
    {
        var (field, component) = error.Field switch
        {
            "birthName" => (5, 1),
            "firstNames" => (5, 3),
            "firstName" => (5, 2),
            "birthDate" => (7, 1),
            "sex" => (8, 1),
            "birthPlaceCode" => (11, 9),
            "usedName" => (5, 1),
            "usedFirstName" => (5, 2),
            "address" or "postcode" or "city" => (11, 1),
            "phone" => (13, 12),
            "email" => (13, 4),
            "ins.value" or "ins.oid" => (3, 1),
            _ => (0, 0),
        };
        var code = error.Code == "required" ? Hl7ErrorCode.RequiredFieldMissing : Hl7ErrorCode.DataTypeError;
        return new Hl7Error(code, Hl7Severity.Error, new Hl7Location("PID", 1, field, field == 0 ? 0 : 1, component), $"{error.Field}: {error.Code}");
    }
}
