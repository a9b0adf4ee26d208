using System.Globalization;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// What every inbound handler shares: finding the local identity a sender's identifiers designate (our IPP, or a
/// cross-reference of the sender's domain, system <c>hl7:AUTHORITY</c>), keeping the sender's identifiers as
/// cross-references, the INS rule of PAM FR, and where a refused trait sits in the message.
/// </summary>
public sealed class InboundIdentities(IdentityRefDbContext db, IOptions<IdentityOptions> identityOptions, TimeProvider clock)
{
    /// <summary>The local identity designated by a list of CX: our own IPP, or a cross-reference of the sender's domain (a merged identity stands for its survivor).</summary>
    public async Task<Identity?> FindAsync(IReadOnlyList<Cx> identifiers, CancellationToken cancellationToken)
    {
        foreach (var cx in identifiers.Where(c => !PamIns.IsInsClaim(c) && !c.IsNullId))
        {
            if (IsOurs(cx))
            {
                if (await ByIpp(db, cx.Id, cancellationToken) is { } own)
                {
                    return await Survivors.ActiveAsync(db, own, cancellationToken);
                }
                continue;
            }
            if (await ByCrossReference(db, SystemOf(cx), cx.Id, cancellationToken) is { } owner)
            {
                return await Survivors.ActiveAsync(db, owner, cancellationToken);
            }
        }
        return null;
    }

    private static Task<Identity?> ByIpp(IdentityRefDbContext db, string ipp, CancellationToken cancellationToken) =>
        db.Identities.FirstOrDefaultAsync(i => i.Ipp == ipp, cancellationToken);

    /// <summary>The identity a cross-reference designates, in one query (the unique index on system and value, then the identity).</summary>
    private static Task<Identity?> ByCrossReference(IdentityRefDbContext db, string system, string value, CancellationToken cancellationToken) =>
        (from x in db.Identifiers
         where x.System == system && x.Value == value
         join i in db.Identities on x.IdentityId equals i.Id
         select i).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The identity that owns a cross-reference of another domain, if any (Guid.Empty when none).</summary>
    public Task<Guid> OwnerOfAsync(Cx cx, CancellationToken cancellationToken)
    {
        var system = SystemOf(cx);
        return db.Identifiers.Where(i => i.System == system && i.Value == cx.Id).Select(i => i.IdentityId).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// The identifiers of other domains (not ours, not HL7 null, not an INS). An INS is a CX of type INS or of an INS
    /// authority whatever its type code: it goes through the INS rules only and is never kept as a cross-reference, which
    /// would hand it on for an identity that is not qualified.
    /// </summary>
    public IEnumerable<Cx> Foreign(IEnumerable<Cx> identifiers) =>
        identifiers.Where(c => !PamIns.IsInsClaim(c) && !c.IsNullId && !IsOurs(c) && c.Id.Length is > 0 and <= 100);

    private bool IsOurs(Cx cx) => identityOptions.Value.IsIppAuthority(cx.AssigningAuthority.NamespaceId, cx.AssigningAuthority.UniversalId);

    public static string SystemOf(Cx cx) =>
        "hl7:" + (cx.AssigningAuthority.NamespaceId.Length > 0 ? cx.AssigningAuthority.NamespaceId : cx.AssigningAuthority.UniversalId);

    /// <summary>
    /// Lock keys of the sender's identifiers (other domains), for <see cref="Admission.CreateFromFeedAsync"/>: two messages
    /// carrying one of them are serialised, whatever their traits. A hash collision only makes two messages wait for each other.
    /// </summary>
    public static IReadOnlyCollection<long> LockKeys(IReadOnlyList<Cx> identifiers) =>
        identifiers.Where(c => !PamIns.IsInsClaim(c) && !c.IsNullId && c.Id.Length > 0)
            .Select(c => unchecked((long)IdentityRef.Matching.Blocking.Hash("xref\u001f" + SystemOf(c) + "\u001f" + c.Id))).ToHashSet();

    /// <summary>The sender's identifiers of a new identity, staged in the unit of work.</summary>
    public void AddCrossReferences(Guid identityId, IReadOnlyList<Cx> identifiers)
    {
        foreach (var cx in Foreign(identifiers))
        {
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = identityId, System = SystemOf(cx), Value = cx.Id, CreatedAt = clock.GetUtcNow() });
        }
    }

    /// <summary>
    /// The cross-references this unit of work adds to or removes from an identity, for its audit line: the identity's snapshot
    /// holds its traits only, so without this an A47 or an A40 of an unknown survivor would leave a line that says nothing
    /// of what changed. Null when none.
    /// </summary>
    public object? IdentifierChanges(Guid identityId)
    {
        var staged = db.ChangeTracker.Entries<IdentityIdentifier>()
            .Where(e => e.Entity.IdentityId == identityId && e.State is EntityState.Added or EntityState.Deleted)
            .Select(e => (e.State, Identifier: new { system = e.Entity.System, value = e.Entity.Value })).ToList();
        return staged.Count == 0 ? null : new
        {
            added = staged.Where(s => s.State == EntityState.Added).Select(s => s.Identifier).ToList(),
            removed = staged.Where(s => s.State == EntityState.Deleted).Select(s => s.Identifier).ToList(),
        };
    }

    /// <summary>The sender's identifiers of a known identity that are not recorded yet.</summary>
    public async Task AddCrossReferencesAsync(Guid identityId, IReadOnlyList<Cx> identifiers, CancellationToken cancellationToken)
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

    /// <summary>PAM FR: an INS is integrated only with VALI and a valid key; otherwise it is dropped with a warning, the rest integrated.</summary>
    /// <remarks>A test or demonstration INS on a production server is refused outright (AE, nothing written): it is never a real person's.</remarks>
    public static (InsNumber? Ins, IReadOnlyList<Hl7Error> Warnings) QualifiedIns(PamPatient patient, bool acceptTestIns)
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

    /// <summary>Identifiers and their systems follow the text policy of every entry path: a refused character is an AE at PID-3 or MRG-1.</summary>
    public List<Hl7Error> IdentifierErrors(PamReadResult read)
    {
        var options = identityOptions.Value;
        var errors = new List<Hl7Error>();
        void Check(IReadOnlyList<Cx> identifiers, string segment, int sequence, int field)
        {
            for (var i = 0; i < identifiers.Count; i++)
            {
                var cx = identifiers[i];
                foreach (var (value, component, subComponent) in new[] { (cx.Id, 1, 1), (cx.AssigningAuthority.NamespaceId, 4, 1), (cx.AssigningAuthority.UniversalId, 4, 2) })
                {
                    if (TextPolicy.Check(value, "identifier") is { } refused)
                    {
                        errors.Add(new Hl7Error(Hl7ErrorCode.DataTypeError, Hl7Severity.Error, new Hl7Location(segment, sequence, field, i + 1, component, subComponent),
                            component == 1 ? "identifier: " + refused.Message : "identifier system: " + refused.Message));
                        return;
                    }
                }
                if (options.ClaimsIppNameUnderAnotherOid(cx.AssigningAuthority.NamespaceId, cx.AssigningAuthority.UniversalId))
                {
                    errors.Add(new Hl7Error(Hl7ErrorCode.TableValueNotFound, Hl7Severity.Error, new Hl7Location(segment, sequence, field, i + 1, 4, 2),
                        $"identifier system: {options.IppAuthorityName} is this server's IPP domain, whose universal id is {options.IppAuthorityOid}; "
                        + "another system's identifiers need a name of their own"));
                    return;
                }
            }
        }
        Check(read.PidIdentifiers, "PID", 1, 3);
        Check(read.MergeIdentifiers, "MRG", 1, 1);
        Check(read.OtherPidIdentifiers, "PID", 2, 3);
        return errors;
    }

    public static IdentityInput ToInput(PamPatient patient) => new()
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
        DeathDate = patient.DeathDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    /// <summary>Where a bad trait sits in the message, for ERR-2, with the 0357 code.</summary>
    public static Hl7Error ToHl7Error(FieldError error)
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
            "deathDate" => (29, 1),
            "ins.value" or "ins.oid" => (3, 1),
            _ => (0, 0),
        };
        var code = error.Code == "required" ? Hl7ErrorCode.RequiredFieldMissing : Hl7ErrorCode.DataTypeError;
        return new Hl7Error(code, Hl7Severity.Error, new Hl7Location("PID", 1, field, field == 0 ? 0 : 1, component), $"{error.Field}: {error.Code}");
    }
}
