using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Hl7.Pam;
using IdentityRef.Application.Patients;

namespace IdentityRef.Application.Broadcast;

/// <summary>
/// An identity as PAM FR carries it. RNIV status → PID-32: QUAL → VALI with the INS; VALI → VALI without INS;
/// RECUP and PROV → PROV (the INS only travels with a qualified identity, EXI SI 08). Attributes follow in
/// further repetitions: homonyme → HOMA, fictive → FICT, douteuse → DOUT.
/// </summary>
public static class PamMapping
{
    /// <param name="zone">The hospital's time zone, for the date of the INSi call (ZFD-6); UTC when null.</param>
    /// <param name="receivedFromAnotherSystem">
    /// The identity came from (or was fed by) another identity source: how that source collected it is not known here,
    /// so ZFD-5 is the mode that source said (its ZFD-5, stored on receipt) or empty, unless INSi retrieved the INS here; it
    /// never claims a manual entry (SM) that nobody made. Its ZFD-7/8 are not handed on: they justify the sender's status, not ours.
    /// </param>
    public static PamPatient ToPam(Identity identity, IdentityOptions options, TimeZoneInfo? zone = null, bool receivedFromAnotherSystem = false)
    {
        var shareable = identity.ShareableIns;
        var status = new List<string> { identity.Status is IdentityStatus.Qual or IdentityStatus.Vali ? "VALI" : "PROV" };
        if (identity.Attributes.HasFlag(IdentityAttributes.Homonyme))
        {
            status.Add("HOMA");
        }
        if (identity.Attributes.HasFlag(IdentityAttributes.Fictive))
        {
            status.Add("FICT");
        }
        if (identity.Attributes.HasFlag(IdentityAttributes.Douteuse))
        {
            status.Add("DOUT");
        }
        return new PamPatient
        {
            Ipp = identity.Ipp,
            IppAuthority = new PamAuthority(options.IppAuthorityName, options.IppAuthorityOid),
            BirthName = identity.BirthName,
            FirstNames = identity.FirstNames.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            FirstName = identity.FirstName,
            UsedName = identity.UsedName,
            UsedFirstName = identity.UsedFirstName,
            BirthDate = identity.BirthDate,
            DeathDate = identity.DeathDate,
            Sex = identity.Sex.Code(),
            BirthPlaceCode = identity.BirthPlaceCode,
            Address = identity.Address,
            Postcode = identity.Postcode,
            City = identity.City,
            Phone = identity.Phone,
            Email = identity.Email,
            // every optional value the identity does not hold is erased at the receivers (HL7 null in an update)
            Erased = Empty(identity),
            Ins = shareable is null ? null : new PamIns(shareable.Value, shareable.Oid),
            PidStatus = status,
            BirthDateCorrected = identity.BirthDateCorrected,
            // INSI when INSi gave the INS here; for an identity another source fed us, the mode it said (its ZFD-5), else
            // nothing; SM only for an identity typed here
            ObtainingMode = identity.InsSource == InsSource.Insi || !receivedFromAnotherSystem ? identity.ObtainingMode : identity.ReceivedObtainingMode,
            InsiCallDate = identity.InsiCheckedAt is { } at ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone ?? TimeZoneInfo.Utc).DateTime) : null,
            DocumentType = identity.DocumentType,
            DocumentExpiry = identity.DocumentExpires,
        };
    }

    private static PamFields Empty(Identity identity)
    {
        var empty = PamFields.None;
        void Check(string? value, PamFields field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                empty |= field;
            }
        }
        Check(identity.UsedName, PamFields.UsedName);
        Check(identity.UsedFirstName, PamFields.UsedFirstName);
        Check(identity.Address, PamFields.Address);
        Check(identity.Postcode, PamFields.Postcode);
        Check(identity.City, PamFields.City);
        Check(identity.Phone, PamFields.Phone);
        Check(identity.Email, PamFields.Email);
        Check(identity.BirthPlaceCode, PamFields.BirthPlace);
        if (identity.DeathDate is null)
        {
            empty |= PamFields.DeathDate;
        }
        return empty;
    }
}
