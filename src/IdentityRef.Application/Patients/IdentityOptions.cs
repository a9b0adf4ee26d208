using System.ComponentModel.DataAnnotations;

namespace IdentityRef.Application.Patients;

/// <summary>Settings of the identity domain (section <c>Identity</c>).</summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    /// <summary>Name of the IPP assigning authority, as PAM sends it in PID-3 (CX-4.1).</summary>
    [Required]
    public string IppAuthorityName { get; set; } = "IDENTITYREF";

    /// <summary>OID (or FINESS) of the IPP assigning authority (CX-4.2). Each hospital sets its own.</summary>
    [Required]
    public string IppAuthorityOid { get; set; } = "1.2.250.1.999.1.1";

    /// <summary>
    /// Whether an HL7 assigning authority (CX-4: namespace, universal id) is our IPP's: the server's one rule for it. The
    /// universal id decides when there is one, the name only when there is none: another installation may name its IPP
    /// domain like ours (the default <c>IDENTITYREF</c>) under its own OID, and IPPs start at the same number everywhere.
    /// </summary>
    public bool IsIppAuthority(string namespaceId, string universalId) =>
        universalId.Length > 0 ? universalId == IppAuthorityOid : string.Equals(namespaceId, IppAuthorityName, StringComparison.OrdinalIgnoreCase);

    /// <summary>An authority with our IPP domain's name and another universal id: it designates nobody here, and kept as
    /// another domain's identifier it would go out under our name.</summary>
    public bool ClaimsIppNameUnderAnotherOid(string namespaceId, string universalId) =>
        universalId.Length > 0 && universalId != IppAuthorityOid && string.Equals(namespaceId, IppAuthorityName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The first IPP the counter hands out on a new database.</summary>
    [Range(1, long.MaxValue / 2)]
    public long IppStart { get; set; } = 100_000_001;

    /// <summary>
    /// PAM FR ZFD-7 codes of the identity documents the hospital accepts as high-trust (e.g. PA, CN, CS, IE, AV).
    /// RNIV: the list is the hospital's choice, so there is deliberately no default.
    /// </summary>
    public List<string> HighTrustDocumentTypes { get; set; } = [];
}
