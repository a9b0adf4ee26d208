namespace IdentityRef.Hl7.Pam;

/// <summary>An assigning authority: name (CX-4.1), OID or FINESS (CX-4.2), and its type (ISO, M for FINESS, N).</summary>
public sealed record PamAuthority(string Name, string Id, string IdType = "ISO");

/// <summary>The INS: 15 characters (NIR or NIA with its key) and the OID of its authority.</summary>
public sealed record PamIns(string Value, string Oid = PamIns.NirOid)
{
    public const string NirOid = "1.2.250.1.213.1.4.8";
    public const string NiaOid = "1.2.250.1.213.1.4.9";
    public const string TestOid = "1.2.250.1.213.1.4.10";
    public const string DemoOid = "1.2.250.1.213.1.4.11";

    public static IReadOnlyList<string> KnownOids { get; } = [NirOid, NiaOid, TestOid, DemoOid];

    /// <summary>The start of the PAM FR names of the INS authorities (CX-4.1: ASIP-SANTE-INS-NIR, ASIP-SANTE-INS-NIA, …).</summary>
    public const string NamespacePrefix = "ASIP-SANTE-INS-";

    /// <summary>
    /// An assigning authority of the INS: one of the INS OIDs (NIR, NIA, test, demonstration) or a name of the
    /// <c>ASIP-SANTE-INS-*</c> family. A CX of such an authority carries an INS whatever its type code (CX-5) says.
    /// </summary>
    public static bool IsInsAuthority(string namespaceId, string universalId) =>
        KnownOids.Contains(universalId.Trim())
        || namespaceId.Trim().StartsWith(NamespacePrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>A CX that claims to carry an INS: type code <c>INS</c>, or an INS authority with any type code.</summary>
    public static bool IsInsClaim(Hl7.Cx cx) =>
        cx.IdentifierTypeCode == "INS" || IsInsAuthority(cx.AssigningAuthority.NamespaceId, cx.AssigningAuthority.UniversalId);

    public bool IsNia => Oid == NiaOid;

    /// <summary>CX-4.1: the NIA has its own namespace; test and demo OIDs go with the NIR one (as in the ANS examples).</summary>
    public string NamespaceId => IsNia ? "ASIP-SANTE-INS-NIA" : "ASIP-SANTE-INS-NIR";

    public Hl7.Cx ToCx() => new(Value, new Hl7.Hd(NamespaceId, Oid, "ISO"), "INS");

    /// <summary>The HL7-null INS of a deletion: <c>""^^^ASIP-SANTE-INS-NIR&amp;1.2.250.1.213.1.4.8&amp;ISO^INS</c>.</summary>
    public static Hl7.Cx NullCx(string oid = NirOid) => new("\"\"", new Hl7.Hd(oid == NiaOid ? "ASIP-SANTE-INS-NIA" : "ASIP-SANTE-INS-NIR", oid, "ISO"), "INS");
}

/// <summary>
/// The neutral identity record the PAM messages are built from and read into. Independent of the domain
/// model on purpose: the server maps its own types to this one.
/// </summary>
public sealed record PamPatient
{
    public required string Ipp { get; init; }

    public required PamAuthority IppAuthority { get; init; }

    /// <summary>Birth name (PID-5 type L, XPN-1).</summary>
    public required string BirthName { get; init; }

    /// <summary>Every birth first name in order (XPN-3 joined with spaces).</summary>
    public IReadOnlyList<string> FirstNames { get; init; } = [];

    /// <summary>The first birth first name (XPN-2); the first of <see cref="FirstNames"/> when null.</summary>
    public string? FirstName { get; init; }

    /// <summary>Used name (PID-5 type D); a D repetition is sent when it or the used first name exists, or is erased.</summary>
    public string? UsedName { get; init; }

    public string? UsedFirstName { get; init; }

    /// <summary>
    /// Field presence (HL7 v2.5 §2.5.3): the values to erase. Outbound, each is written as HL7 null (<c>""</c>)
    /// in its place (D name XPN-1/XPN-2, H address XAD-1/3/5, PRN phone XTN-12, NET e-mail XTN-4) except in an
    /// A28, where there is nothing to erase. Inbound, the reader sets the fields that came as <c>""</c>; a field
    /// left empty is in neither this set nor valued: the receiver keeps what it has. A flag whose value is set
    /// is ignored.
    /// </summary>
    public PamFields Erased { get; init; }

    /// <summary>The used name was removed (shorthand for <see cref="Erased"/> holding <see cref="PamFields.UsedName"/>).</summary>
    public bool UsedNameErased
    {
        get => Erased.HasFlag(PamFields.UsedName);
        init => Erased = value ? Erased | PamFields.UsedName : Erased & ~PamFields.UsedName;
    }

    public DateOnly? BirthDate { get; init; }

    /// <summary>
    /// PID-29 (date of death, with PID-30 = Y). Outbound, an identity that is not dead sends, in an update, PID-29 <c>""</c>
    /// and PID-30 <c>N</c> (<see cref="PamFields.DeathDate"/> erased): a death cancelled here is cancelled at the receivers.
    /// </summary>
    public DateOnly? DeathDate { get; init; }

    /// <summary>PID-8: F, M or U.</summary>
    public string Sex { get; init; } = "U";

    /// <summary>XPN-5 (M. / Mme); derived from the sex when null.</summary>
    public string? Civility { get; init; }

    /// <summary>INSEE COG code of the birth place (99xxx for a birth abroad).</summary>
    public string? BirthPlaceCode { get; init; }

    public string? Address { get; init; }

    public string? Postcode { get; init; }

    public string? City { get; init; }

    /// <summary>ISO 3166 alpha-3 country of the address (XAD-6), e.g. FRA.</summary>
    public string? AddressCountry { get; init; }

    /// <summary>PID-13 PRN: sent without spaces or dots, equipment CP for a French mobile (06, 07), PH otherwise.</summary>
    public string? Phone { get; init; }

    /// <summary>PID-13 NET^Internet, XTN-4.</summary>
    public string? Email { get; init; }

    public PamIns? Ins { get; init; }

    /// <summary>PID-32: first the status (VALI, PROV...), then attributes (HOMA, FICT, DOUT...).</summary>
    public IReadOnlyList<string> PidStatus { get; init; } = ["PROV"];

    /// <summary>ZFD-4.</summary>
    public bool? BirthDateCorrected { get; init; }

    /// <summary>ZFD-5: SM, CV, INSI, CB, RFID.</summary>
    public string? ObtainingMode { get; init; }

    /// <summary>ZFD-6.</summary>
    public DateOnly? InsiCallDate { get; init; }

    /// <summary>ZFD-7: AN, CC, CE, CM, CN, CS, LE, PA, PC, TC, AV, DC, AC, IE.</summary>
    public string? DocumentType { get; init; }

    /// <summary>ZFD-8.</summary>
    public DateOnly? DocumentExpiry { get; init; }

    public string EffectiveFirstName => FirstName ?? (FirstNames.Count > 0 ? FirstNames[0] : string.Empty);

    /// <summary>Qualified on the wire: PID-32 VALI and an INS.</summary>
    public bool IsQualified => Ins is not null && PidStatus.Count > 0 && PidStatus[0] == "VALI";
}

/// <summary>The optional values of a PID that field presence is tracked for.</summary>
[Flags]
public enum PamFields
{
    None = 0,
    UsedName = 1,
    UsedFirstName = 2,
    Address = 4,
    Postcode = 8,
    City = 16,
    Phone = 32,
    Email = 64,
    BirthPlace = 128,
    DeathDate = 256,

    /// <summary>Every optional value IdentityRef holds.</summary>
    All = UsedName | UsedFirstName | Address | Postcode | City | Phone | Email | BirthPlace | DeathDate,

    /// <summary>Inbound only: ZFD-5, ZFD-7, ZFD-8 sent as <c>""</c> (what the sender said of its collection is withdrawn).</summary>
    ObtainingMode = 512,
    DocumentType = 1024,
    DocumentExpiry = 2048,
}

/// <summary>What goes into MSH (and EVN-2).</summary>
public sealed record PamMessageHeader
{
    public required Hl7.Hd SendingApplication { get; init; }

    public required Hl7.Hd SendingFacility { get; init; }

    public required Hl7.Hd ReceivingApplication { get; init; }

    public required Hl7.Hd ReceivingFacility { get; init; }

    /// <summary>MSH-7 and EVN-2, written with its offset (YYYYMMDDHHMMSS+ZZZZ): give it in the hospital's time zone.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    public required string ControlId { get; init; }

    /// <summary>MSH-18. 8859/15 is the French default [PAMFR]; receivers accept 8859/1 and UNICODE UTF-8 too.</summary>
    public Hl7.Hl7Charset Charset { get; init; } = Hl7.Hl7Charset.Latin9;

    /// <summary>MSH-11: P production, T training, D debug.</summary>
    public string ProcessingId { get; init; } = "P";
}

/// <summary>The ITI-30 events PAM FR uses.</summary>
public enum PamEvent
{
    A28,
    A31,
    A47,
    A40,
    A24,
    A37,
}

/// <summary>PAM FR tables the factory and reader check against.</summary>
public static class PamTables
{
    /// <summary>Table 0445 with the French values.</summary>
    public static IReadOnlySet<string> IdentityReliability { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "VIDE", "PROV", "VALI", "DOUB", "DESA", "DPOT", "DOUA", "COLP", "COLV", "FILI", "CACH", "ANOM", "IDVER",
        "RECD", "IDRA", "USUR", "HOMD", "HOMA", "INVA", "FICT", "DOUT",
    };

    public static IReadOnlySet<string> Sex { get; } = new HashSet<string>(StringComparer.Ordinal) { "F", "M", "U" };

    public static IReadOnlySet<string> ObtainingMode { get; } = new HashSet<string>(StringComparer.Ordinal) { "SM", "CV", "INSI", "CB", "RFID" };

    public static IReadOnlySet<string> DocumentType { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "AN", "CC", "CE", "CM", "CN", "CS", "LE", "PA", "PC", "TC", "AV", "DC", "AC", "IE",
    };
}
