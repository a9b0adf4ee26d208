namespace IdentityRef.Hl7;

/// <summary>MSH: message header.</summary>
public readonly record struct MshSegment(Hl7Segment Segment)
{
    public Hd SendingApplication => Hd.FromRepetition(Segment[3].Repetition(1));

    public Hd SendingFacility => Hd.FromRepetition(Segment[4].Repetition(1));

    public Hd ReceivingApplication => Hd.FromRepetition(Segment[5].Repetition(1));

    public Hd ReceivingFacility => Hd.FromRepetition(Segment[6].Repetition(1));

    public string DateTimeOfMessage => Segment.Get(7);

    public string MessageCode => Segment.Get(9, 1, 1);

    public string TriggerEvent => Segment.Get(9, 1, 2);

    public string MessageStructure => Segment.Get(9, 1, 3);

    public string ControlId => Segment.Get(10);

    public string ProcessingId => Segment.Get(11);

    public string VersionId => Segment.Get(12);

    public string Country => Segment.Get(17);

    public string CharacterSet => Segment.Get(18);

    public string PrincipalLanguage => Segment.Get(19, 1, 1);

    public string MessageProfileIdentifier => Segment.Get(21);
}

/// <summary>EVN: event type.</summary>
public readonly record struct EvnSegment(Hl7Segment Segment)
{
    public string RecordedDateTime => Segment.Get(2);

    public string EventOccurred => Segment.Get(6);
}

/// <summary>PID: patient identification, with the PAM FR fields.</summary>
public readonly record struct PidSegment(Hl7Segment Segment)
{
    public string SetId => Segment.Get(1);

    /// <summary>PID-3: IPP, INS and identifiers of other domains.</summary>
    public IReadOnlyList<Cx> Identifiers => [.. Segment[3].Repetitions.Where(r => !r.IsEmpty).Select(Cx.Parse)];

    /// <summary>PID-5: names (L birth name, D used name, S pseudonym).</summary>
    public IReadOnlyList<Xpn> Names => [.. Segment[5].Repetitions.Where(r => !r.IsEmpty).Select(Xpn.Parse)];

    public Xpn? NameOfType(string type) => Names.FirstOrDefault(n => n.NameTypeCode == type);

    public string BirthDateText => Segment.Get(7);

    /// <summary>PID-7 as a date; null when empty or not a valid date (the reader reports 102).</summary>
    public DateOnly? BirthDate => Hl7DateTime.TryParseDate(BirthDateText, out var d) ? d : null;

    public string Sex => Segment.Get(8);

    public IReadOnlyList<Xad> Addresses => [.. Segment[11].Repetitions.Where(r => !r.IsEmpty).Select(Xad.Parse)];

    /// <summary>PID-11 repetition of type BDL (birth place, COG code in XAD-9).</summary>
    public Xad? BirthPlace => Addresses.FirstOrDefault(a => a.AddressType == "BDL");

    public IReadOnlyList<Xtn> HomePhones => [.. Segment[13].Repetitions.Where(r => !r.IsEmpty).Select(Xtn.Parse)];

    public string MaritalStatus => Segment.Get(16);

    public string BirthOrder => Segment.Get(25);

    public string DeathDateTime => Segment.Get(29);

    public string DeathIndicator => Segment.Get(30);

    /// <summary>PID-32: identity reliability codes (first VALI/PROV..., then attributes such as HOMA, FICT, DOUT).</summary>
    public IReadOnlyList<string> IdentityReliability => [.. Segment[32].Repetitions.Select(r => r.Value).Where(v => v.Length > 0)];

    public string LastUpdateDateTime => Segment.Get(33);
}

/// <summary>PD1: additional demographics.</summary>
public readonly record struct Pd1Segment(Hl7Segment Segment)
{
    /// <summary>PD1-12 protection indicator (Y/N).</summary>
    public string ProtectionIndicator => Segment.Get(12);
}

/// <summary>PV1: patient visit (a pseudo PV1 with PV1-2 = N in A28/A31).</summary>
public readonly record struct Pv1Segment(Hl7Segment Segment)
{
    public string PatientClass => Segment.Get(2);
}

/// <summary>MRG: the identifiers being merged or changed.</summary>
public readonly record struct MrgSegment(Hl7Segment Segment)
{
    public IReadOnlyList<Cx> PriorIdentifiers => [.. Segment[1].Repetitions.Where(r => !r.IsEmpty).Select(Cx.Parse)];
}

/// <summary>ZFD: French complement on demographics.</summary>
public readonly record struct ZfdSegment(Hl7Segment Segment)
{
    public string LunarDate => Segment.Get(1);

    /// <summary>ZFD-4: birth date corrected (Y/N).</summary>
    public string BirthDateCorrected => Segment.Get(4);

    /// <summary>ZFD-5: how the identity was obtained (SM, CV, INSI, CB, RFID).</summary>
    public string ObtainingMode => Segment.Get(5);

    public string InsiCallDate => Segment.Get(6);

    /// <summary>ZFD-7: identity document type (AN, CC, CE, CM, CN, CS, LE, PA, PC, TC, AV, DC, AC, IE).</summary>
    public string DocumentType => Segment.Get(7);

    public string DocumentExpiry => Segment.Get(8);
}

/// <summary>MSA: message acknowledgment.</summary>
public readonly record struct MsaSegment(Hl7Segment Segment)
{
    public string AcknowledgmentCode => Segment.Get(1);

    public string ControlId => Segment.Get(2);
}

/// <summary>ERR: error (v2.5 layout: ERR-2 location, ERR-3 code, ERR-4 severity).</summary>
public readonly record struct ErrSegment(Hl7Segment Segment)
{
    public Hl7Location Location
    {
        get
        {
            var r = Segment[2].Repetition(1);
            static int N(string s) => int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v) ? v : 0;
            return new Hl7Location(r[1], N(r[2]), N(r[3]), N(r[4]), N(r[5]), N(r[6]));
        }
    }

    public string Code => Segment.Get(3, 1, 1);

    public string CodeSystem => Segment.Get(3, 1, 3);

    public string Severity => Segment.Get(4);
}

/// <summary>Typed views of a message's segments.</summary>
public static class Hl7MessageSegments
{
    public static MshSegment? Msh(this Hl7Message m) => m.Header is { } s ? new MshSegment(s) : null;

    public static EvnSegment? Evn(this Hl7Message m) => m.First("EVN") is { } s ? new EvnSegment(s) : null;

    public static PidSegment? Pid(this Hl7Message m) => m.First("PID") is { } s ? new PidSegment(s) : null;

    public static IReadOnlyList<PidSegment> Pids(this Hl7Message m) => [.. m.All("PID").Select(s => new PidSegment(s))];

    public static Pd1Segment? Pd1(this Hl7Message m) => m.First("PD1") is { } s ? new Pd1Segment(s) : null;

    public static Pv1Segment? Pv1(this Hl7Message m) => m.First("PV1") is { } s ? new Pv1Segment(s) : null;

    public static MrgSegment? Mrg(this Hl7Message m) => m.First("MRG") is { } s ? new MrgSegment(s) : null;

    public static ZfdSegment? Zfd(this Hl7Message m) => m.First("ZFD") is { } s ? new ZfdSegment(s) : null;

    public static MsaSegment? Msa(this Hl7Message m) => m.First("MSA") is { } s ? new MsaSegment(s) : null;

    public static IReadOnlyList<ErrSegment> Errs(this Hl7Message m) => [.. m.All("ERR").Select(s => new ErrSegment(s))];
}
