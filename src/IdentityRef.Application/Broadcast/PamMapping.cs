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
    public static PamPatient ToPam(Identity identity, IdentityOptions options)
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
            Sex = identity.Sex.Code(),
            BirthPlaceCode = identity.BirthPlaceCode,
            Address = identity.Address,
            Postcode = identity.Postcode,
            City = identity.City,
            Phone = identity.Phone,
            Ins = shareable is null ? null : new PamIns(shareable.Value, shareable.Oid),
            PidStatus = status,
            BirthDateCorrected = identity.BirthDateCorrected,
            ObtainingMode = identity.ObtainingMode,
            InsiCallDate = identity.InsiCheckedAt is { } at ? DateOnly.FromDateTime(at.UtcDateTime) : null,
            DocumentType = identity.DocumentType,
            DocumentExpiry = identity.DocumentExpires,
        };
    }
}
