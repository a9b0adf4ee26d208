using IdentityRef.Hl7;

namespace IdentityRef.Hl7.Pam;

/// <summary>How the factory fills the points the specification leaves open.</summary>
public sealed record PamFactoryOptions
{
    /// <summary>
    /// XAD-6 of a birth place abroad (COG 99xxx). The COG country code does not give the ISO country
    /// without a table we do not ship, so the safe default leaves XAD-6 empty rather than claiming FRA.
    /// </summary>
    public bool LeaveCountryEmptyForBirthAbroad { get; init; } = true;

    /// <summary>Order of PID-5: birth name (L) first, as it is the one always present.</summary>
    public bool BirthNameFirst { get; init; } = true;
}

/// <summary>Builds the ITI-30 messages of PAM FR 2.11 from the neutral record.</summary>
public sealed class PamMessageFactory(PamFactoryOptions? options = null)
{
    private static readonly Hl7Delimiters D = Hl7Delimiters.Default;
    private readonly PamFactoryOptions _options = options ?? new PamFactoryOptions();

    public const string VersionId = "2.5^FRA^2.11";
    public const string ProfileId = "2.11^IHE_FRANCE-2.11-PAM";

    /// <summary>A28 (ADT_A05): a new identity.</summary>
    public Hl7Message CreatePatient(PamMessageHeader header, PamPatient patient) => BuildA05(header, "A28", patient);

    /// <summary>A31 (ADT_A05): any change of traits or identifiers, NIA to NIR included.</summary>
    public Hl7Message UpdatePatient(PamMessageHeader header, PamPatient patient) => BuildA05(header, "A31", patient);

    /// <summary>A47 (ADT_A30), new INS: the new INS in PID-3 (the patient must be qualified), the previous one in MRG-1.</summary>
    public Hl7Message ChangeIns(PamMessageHeader header, PamPatient patient, PamIns previousIns)
    {
        ArgumentNullException.ThrowIfNull(previousIns);
        if (!patient.IsQualified)
        {
            throw new ArgumentException("an INS change sends the new INS, which needs a qualified identity (VALI + INS)", nameof(patient));
        }
        return BuildA30(header, patient, Pid(patient, patient.PidStatus, includeIns: true), previousIns.ToCx().ToRaw(D));
    }

    /// <summary>A47 (ADT_A30), INS deleted: PID-3 = IPP + the HL7-null INS, MRG-1 = the deleted INS. PID-32 as given.</summary>
    public Hl7Message DeleteIns(PamMessageHeader header, PamPatient patient, PamIns deletedIns)
    {
        ArgumentNullException.ThrowIfNull(deletedIns);
        return BuildA30(header, patient, Pid(patient, patient.PidStatus, includeIns: false, nullInsOid: deletedIns.Oid), deletedIns.ToCx().ToRaw(D));
    }

    /// <summary>A47 (ADT_A30), qualified to recovered: as a deletion, with PID-32 = PROV (attributes kept).</summary>
    public Hl7Message QualifiedToRecovered(PamMessageHeader header, PamPatient patient, PamIns deletedIns)
    {
        ArgumentNullException.ThrowIfNull(deletedIns);
        var status = new List<string> { "PROV" };
        status.AddRange(patient.PidStatus.Skip(1));
        return BuildA30(header, patient, Pid(patient, status, includeIns: false, nullInsOid: deletedIns.Oid), deletedIns.ToCx().ToRaw(D));
    }

    /// <summary>A40 (ADT_A39): the surviving identity in PID, the merged IPP (same authority) in MRG-1. One merge per message.</summary>
    public Hl7Message Merge(PamMessageHeader header, PamPatient survivor, string mergedIpp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mergedIpp);
        var mrg = new Cx(mergedIpp, AuthorityHd(survivor.IppAuthority), "PI").ToRaw(D);
        return new Hl7Message([Msh(header, "A40", "ADT_A39"), Evn(header), Pid(survivor, survivor.PidStatus, includeIns: survivor.IsQualified), Hl7Segment.FromRaw("MRG", D, mrg)]);
    }

    /// <summary>A24 (ADT_A24): link two identities.</summary>
    public Hl7Message Link(PamMessageHeader header, PamPatient first, PamPatient second) => BuildTwoPids(header, "A24", first, second);

    /// <summary>A37 (ADT_A37): unlink two identities.</summary>
    public Hl7Message Unlink(PamMessageHeader header, PamPatient first, PamPatient second) => BuildTwoPids(header, "A37", first, second);

    private Hl7Message BuildA05(PamMessageHeader header, string trigger, PamPatient patient)
    {
        var segments = new List<Hl7Segment>
        {
            Msh(header, trigger, "ADT_A05"),
            Evn(header),
            // a creation has nothing to erase: only an update (A31) carries HL7 nulls
            Pid(patient, patient.PidStatus, includeIns: patient.IsQualified, erase: trigger != "A28"),
            // Pseudo PV1: only PV1-2 = N (no visit).
            Hl7Segment.FromRaw("PV1", D, string.Empty, "N"),
        };
        if (Zfd(patient) is { } zfd)
        {
            segments.Add(zfd);
        }
        return new Hl7Message(segments);
    }

    /// <summary>
    /// The PID of a patient as PAM FR writes it (the INS only when qualified, PID-32 status), for the query answers
    /// (PDQ RSP^K22) that list patients by the same rules as the broadcast.
    /// </summary>
    public Hl7Segment PatientIdentification(PamPatient patient, string setId = "1") =>
        Pid(patient, patient.PidStatus, includeIns: patient.IsQualified, setId: setId);

    private Hl7Message BuildA30(PamMessageHeader header, PamPatient patient, Hl7Segment pid, string mrg1) =>
        new([Msh(header, "A47", "ADT_A30"), Evn(header), pid, Hl7Segment.FromRaw("MRG", D, mrg1)]);

    private Hl7Message BuildTwoPids(PamMessageHeader header, string trigger, PamPatient first, PamPatient second)
    {
        var one = Pid(first, first.PidStatus, includeIns: first.IsQualified, erase: false);
        var two = Pid(second, second.PidStatus, includeIns: second.IsQualified, setId: "2", erase: false);
        return new Hl7Message([Msh(header, trigger, "ADT_" + trigger), Evn(header), one, two]);
    }

    private static Hl7Segment Msh(PamMessageHeader h, string trigger, string structure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(h.ControlId);
        return Hl7Segment.FromRaw("MSH", D,
            h.SendingApplication.ToComponents(D),
            h.SendingFacility.ToComponents(D),
            h.ReceivingApplication.ToComponents(D),
            h.ReceivingFacility.ToComponents(D),
            Hl7DateTime.FormatDateTimeWithOffset(h.Timestamp),
            string.Empty,
            Hl7Compose.Components(D, "ADT", trigger, structure),
            Hl7Escaping.Escape(h.ControlId, D),
            Hl7Escaping.Escape(h.ProcessingId, D),
            VersionId,
            string.Empty,
            string.Empty,
            string.Empty,
            string.Empty,
            "FRA",
            h.Charset.ToMsh18(),
            "FR",
            string.Empty,
            ProfileId);
    }

    private static Hl7Segment Evn(PamMessageHeader h) => Hl7Segment.FromRaw("EVN", D, string.Empty, Hl7DateTime.FormatDateTimeWithOffset(h.Timestamp));

    private static Hd AuthorityHd(PamAuthority a) => new(a.Name, a.Id, a.IdType);

    /// <summary>HL7 null: the receiver deletes the value it holds.</summary>
    private const string Null = "\"\"";

    private Hl7Segment Pid(PamPatient p, IReadOnlyList<string> status, bool includeIns, string? nullInsOid = null, string setId = "1", bool erase = true)
    {
        Validate(p, status);
        var identifiers = new List<string> { new Cx(p.Ipp, AuthorityHd(p.IppAuthority), "PI").ToRaw(D) };
        if (includeIns && p.Ins is { } ins)
        {
            identifiers.Add(ins.ToCx().ToRaw(D));
        }
        else if (nullInsOid is not null)
        {
            identifiers.Add(PamIns.NullCx(nullInsOid).ToRaw(D));
        }

        string civility = p.Civility ?? p.Sex switch
        {
            "F" => "Mme",
            "M" => "M.",
            _ => string.Empty,
        };
        // Field presence (HL7 v2.5 §2.5.3): empty = "no information, keep yours", "" = "delete yours".
        var erased = erase ? p.Erased : PamFields.None;
        string Value(string? value, PamFields field, bool escape = true) =>
            !string.IsNullOrEmpty(value) ? (escape ? Hl7Escaping.Escape(value, D) : value) : erased.HasFlag(field) ? Null : string.Empty;

        var birthName = new Xpn(p.BirthName, p.EffectiveFirstName, string.Join(' ', p.FirstNames), Prefix: civility, NameTypeCode: "L").ToRaw(D);
        var names = new List<string> { birthName };
        string usedFamily = Value(p.UsedName, PamFields.UsedName);
        string usedGiven = Value(p.UsedFirstName, PamFields.UsedFirstName);
        if (usedFamily.Length > 0 || usedGiven.Length > 0)
        {
            var used = Hl7Compose.Join(D.Component, D, false, usedFamily, usedGiven, string.Empty, string.Empty, Hl7Escaping.Escape(civility, D), string.Empty, "D");
            if (_options.BirthNameFirst)
            {
                names.Add(used);
            }
            else
            {
                names.Insert(0, used);
            }
        }

        var addresses = new List<string>();
        string street = Value(p.Address, PamFields.Address);
        string city = Value(p.City, PamFields.City);
        string postcode = Value(p.Postcode, PamFields.Postcode);
        if (street.Length > 0 || city.Length > 0 || postcode.Length > 0)
        {
            addresses.Add(Hl7Compose.Join(D.Component, D, false, street, string.Empty, city, string.Empty, postcode, Hl7Escaping.Escape(p.AddressCountry ?? string.Empty, D), "H"));
        }
        if (!string.IsNullOrEmpty(p.BirthPlaceCode))
        {
            bool abroad = p.BirthPlaceCode.StartsWith("99", StringComparison.Ordinal);
            string country = abroad && _options.LeaveCountryEmptyForBirthAbroad ? string.Empty : "FRA";
            addresses.Add(new Xad(Country: country, AddressType: "BDL", CountyParishCode: p.BirthPlaceCode).ToRaw(D));
        }
        else if (erased.HasFlag(PamFields.BirthPlace))
        {
            addresses.Add(Hl7Compose.Join(D.Component, D, false, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, "BDL", string.Empty, Null));
        }

        var phones = new List<string>();
        string phone = Value(PamPhones.Normalize(p.Phone), PamFields.Phone);
        if (phone.Length > 0)
        {
            // XTN-12 unformatted number; use PRN (home), equipment CP for a mobile, PH otherwise (table 0202)
            string equipment = phone == Null ? string.Empty : PamPhones.IsMobile(phone) ? "CP" : "PH";
            phones.Add(Hl7Compose.Join(D.Component, D, false, string.Empty, "PRN", equipment, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, phone));
        }
        string email = Value(p.Email, PamFields.Email);
        if (email.Length > 0)
        {
            phones.Add(Hl7Compose.Join(D.Component, D, false, string.Empty, "NET", "Internet", email));
        }

        var fields = new string[32];
        Array.Fill(fields, string.Empty);
        fields[0] = setId;
        fields[2] = Hl7Compose.Repetitions(D, identifiers);
        fields[4] = Hl7Compose.Repetitions(D, names);
        fields[6] = p.BirthDate is { } birth ? Hl7DateTime.FormatDate(birth) : string.Empty;
        fields[7] = p.Sex;
        fields[10] = Hl7Compose.Repetitions(D, addresses);
        fields[12] = Hl7Compose.Repetitions(D, phones);
        // PID-29 date of death, PID-30 death indicator (table 0136): Y with the date; in an update of a living person,
        // "" and N, so that a death recorded by mistake is cancelled at the receivers
        if (p.DeathDate is { } death)
        {
            fields[28] = Hl7DateTime.FormatDate(death);
            fields[29] = "Y";
        }
        else if (erased.HasFlag(PamFields.DeathDate))
        {
            fields[28] = Null;
            fields[29] = "N";
        }
        fields[31] = Hl7Compose.Repetitions(D, status.Select(s => Hl7Escaping.Escape(s, D)));
        return Hl7Segment.FromRaw("PID", D, fields);
    }

    private static Hl7Segment? Zfd(PamPatient p)
    {
        var fields = new string[8];
        Array.Fill(fields, string.Empty);
        fields[3] = p.BirthDateCorrected switch
        {
            true => "Y",
            false => "N",
            null => string.Empty,
        };
        fields[4] = Hl7Escaping.Escape(p.ObtainingMode ?? string.Empty, D);
        fields[5] = p.InsiCallDate is { } call ? Hl7DateTime.FormatDate(call) : string.Empty;
        fields[6] = Hl7Escaping.Escape(p.DocumentType ?? string.Empty, D);
        fields[7] = p.DocumentExpiry is { } expiry ? Hl7DateTime.FormatDate(expiry) : string.Empty;
        int last = Array.FindLastIndex(fields, f => f.Length > 0);
        // A Z segment whose every field is empty is not sent [PAMFR].
        return last < 0 ? null : Hl7Segment.FromRaw("ZFD", D, fields[..(last + 1)]);
    }

    private static void Validate(PamPatient p, IReadOnlyList<string> status)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(p.Ipp);
        ArgumentException.ThrowIfNullOrWhiteSpace(p.BirthName);
        if (!PamTables.Sex.Contains(p.Sex))
        {
            throw new ArgumentException("PID-8 must be F, M or U", nameof(p));
        }
        if (status.Count == 0 || status.Any(s => !PamTables.IdentityReliability.Contains(s)))
        {
            throw new ArgumentException("PID-32 codes must come from table 0445", nameof(p));
        }
        if (p.Ins is { } ins && (ins.Value.Length != 15 || !PamIns.KnownOids.Contains(ins.Oid)))
        {
            throw new ArgumentException("the INS must have 15 characters and a known OID", nameof(p));
        }
        if (p.IsQualified && p.BirthDate is null)
        {
            throw new ArgumentException("PID-7 is required with an INS", nameof(p));
        }
    }
}

/// <summary>Phone numbers as PAM FR receivers want them: digits only (a leading + kept), mobiles told apart.</summary>
public static class PamPhones
{
    /// <summary>Removes spaces, dots, hyphens and brackets; null stays null.</summary>
    public static string? Normalize(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }
        var kept = phone.Where(c => c is not (' ' or '.' or '-' or '(' or ')' or '\t'));
        return string.Concat(kept);
    }

    /// <summary>A French mobile: 06 or 07, also written +336/+337 or 00336/00337.</summary>
    public static bool IsMobile(string normalized)
    {
        string national = normalized.StartsWith("+33", StringComparison.Ordinal) ? "0" + normalized[3..]
            : normalized.StartsWith("0033", StringComparison.Ordinal) ? "0" + normalized[4..]
            : normalized;
        return national.Length == 10 && (national.StartsWith("06", StringComparison.Ordinal) || national.StartsWith("07", StringComparison.Ordinal));
    }
}
