using IdentityRef.Hl7;

namespace IdentityRef.Hl7.Pam;

public sealed record PamReaderOptions
{
    public Hl7Strictness Strictness { get; init; } = Hl7Strictness.Lenient;

    /// <summary>
    /// The authority whose PI identifier is the IPP (CX-4.1 name or CX-4.2 id). Null takes the first PI.
    /// </summary>
    public string? IppAuthority { get; init; }

    /// <summary>
    /// ITI-30 requires the pseudo PV1 in A28/A31, but the official PAM FR §4.4.1 example has none: a missing
    /// PV1 is an error only under the strict policy.
    /// </summary>
    public bool RequirePseudoPv1 { get; init; }
}

/// <summary>What an inbound ITI-30 message says, in neutral terms.</summary>
public sealed record PamReadResult
{
    public PamEvent? Event { get; init; }

    /// <summary>The identity of the (first) PID.</summary>
    public PamPatient? Patient { get; init; }

    /// <summary>The second PID of A24/A37.</summary>
    public PamPatient? OtherPatient { get; init; }

    /// <summary>Every identifier of the second PID-3 (A24/A37), other domains included.</summary>
    public IReadOnlyList<Cx> OtherPidIdentifiers { get; init; } = [];

    /// <summary>Every identifier of the first PID-3, other domains included.</summary>
    public IReadOnlyList<Cx> PidIdentifiers { get; init; } = [];

    /// <summary>MRG-1 of A40/A47.</summary>
    public IReadOnlyList<Cx> MergeIdentifiers { get; init; } = [];

    /// <summary>PID-3 carries the HL7-null INS: the receiver deletes every INS of the patient.</summary>
    public bool InsDeleted { get; init; }

    public IReadOnlyList<Hl7Error> Errors { get; init; } = [];

    public bool IsSuccess => Event is not null && Patient is not null && !Errors.Any(e => e.IsError);
}

/// <summary>Reads A28, A31, A40, A47 (and A24/A37) into <see cref="PamPatient"/> records with positioned errors.</summary>
public sealed class PamMessageReader(PamReaderOptions? options = null)
{
    private readonly PamReaderOptions _options = options ?? new PamReaderOptions();

    public PamReadResult Read(Hl7Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var errors = new List<Hl7Error>();
        void Error(Hl7ErrorCode code, Hl7Location at, string text) => errors.Add(new Hl7Error(code, Hl7Severity.Error, at, text));
        void Deviation(Hl7ErrorCode code, Hl7Location at, string text) =>
            errors.Add(new Hl7Error(code, _options.Strictness == Hl7Strictness.Strict ? Hl7Severity.Error : Hl7Severity.Warning, at, text));

        if (message.Header is null)
        {
            Error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location("MSH", 1), "no MSH segment");
            return new PamReadResult { Errors = errors };
        }
        if (message.MessageType != "ADT")
        {
            Error(Hl7ErrorCode.UnsupportedMessageType, new Hl7Location("MSH", 1, 9, 1, 1), "only ADT messages are read here");
            return new PamReadResult { Errors = errors };
        }
        if (!Enum.GetNames<PamEvent>().Contains(message.TriggerEvent) || !Enum.TryParse<PamEvent>(message.TriggerEvent, ignoreCase: false, out var ev))
        {
            Error(Hl7ErrorCode.UnsupportedEventCode, new Hl7Location("MSH", 1, 9, 1, 2), "trigger event not supported by PAM FR ITI-30");
            return new PamReadResult { Errors = errors };
        }

        // PAM FR is HL7 v2.5 (MSH-12 2.5^FRA^2.11): another version's fields do not mean the same thing
        var version = message.Header.Get(12);
        if (version != "2.5")
        {
            Error(Hl7ErrorCode.UnsupportedVersionId, new Hl7Location("MSH", 1, 12, 1, 1),
                version.Length == 0 ? "MSH-12 is required: this receiver reads HL7 v2.5 (2.5^FRA^2.11)" : "version not supported: this receiver reads HL7 v2.5 (2.5^FRA^2.11)");
            return new PamReadResult { Errors = errors };
        }

        CheckStructure(message, ev, Error, Deviation);
        var pids = message.Pids();
        if (pids.Count == 0)
        {
            return new PamReadResult { Event = ev, Errors = errors };
        }
        var patient = ReadPatient(pids[0], 1, message.Zfd(), Error, Deviation, out var identifiers, out bool insDeleted);
        PamPatient? other = null;
        IReadOnlyList<Cx> otherIdentifiers = [];
        if (ev is PamEvent.A24 or PamEvent.A37 && pids.Count > 1)
        {
            other = ReadPatient(pids[1], 2, null, Error, Deviation, out otherIdentifiers, out _);
        }
        IReadOnlyList<Cx> merge = [];
        if (ev is PamEvent.A40 or PamEvent.A47 && message.Mrg() is { } mrg)
        {
            merge = mrg.PriorIdentifiers;
            if (merge.Count == 0)
            {
                Error(Hl7ErrorCode.RequiredFieldMissing, new Hl7Location("MRG", 1, 1), "MRG-1 is required");
            }
            else if (ev == PamEvent.A40 && !merge.Any(c => c.IdentifierTypeCode == "PI"))
            {
                Deviation(Hl7ErrorCode.DataTypeError, new Hl7Location("MRG", 1, 1, 1, 5), "MRG-1 of a merge should hold the merged IPP (type PI)");
            }
        }
        return new PamReadResult
        {
            Event = ev,
            Patient = patient,
            OtherPatient = other,
            OtherPidIdentifiers = otherIdentifiers,
            PidIdentifiers = identifiers,
            MergeIdentifiers = merge,
            InsDeleted = insDeleted,
            Errors = errors,
        };
    }

    private void CheckStructure(Hl7Message message, PamEvent ev, Action<Hl7ErrorCode, Hl7Location, string> error, Action<Hl7ErrorCode, Hl7Location, string> deviation)
    {
        var names = message.Segments.Select(s => s.Name).ToList();
        string expectedStructure = ev switch
        {
            PamEvent.A28 or PamEvent.A31 => "ADT_A05",
            PamEvent.A47 => "ADT_A30",
            PamEvent.A40 => "ADT_A39",
            PamEvent.A24 => "ADT_A24",
            _ => "ADT_A37",
        };
        if (message.MessageStructure.Length > 0 && message.MessageStructure != expectedStructure)
        {
            deviation(Hl7ErrorCode.TableValueNotFound, new Hl7Location("MSH", 1, 9, 1, 3), "message structure should be " + expectedStructure);
        }
        if (names.Count < 2 || names[1] != "EVN")
        {
            error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location("EVN", 1), "EVN must follow MSH");
        }
        int pidCount = names.Count(n => n == "PID");
        int expectedPids = ev is PamEvent.A24 or PamEvent.A37 ? 2 : 1;
        if (pidCount < expectedPids)
        {
            error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location("PID", pidCount + 1), expectedPids == 2 ? "two PID segments are required" : "PID is required");
        }
        if (ev is PamEvent.A40 or PamEvent.A47)
        {
            int pid = names.IndexOf("PID");
            int mrg = names.IndexOf("MRG");
            if (mrg < 0)
            {
                error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location("MRG", 1), "MRG is required");
            }
            else if (pid > mrg)
            {
                error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location("MRG", 1), "MRG must follow PID");
            }
            if (names.Count(n => n == "MRG") > 1)
            {
                error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location("MRG", 2), "one merge or identifier change per message");
            }
        }
        int firstPid = names.IndexOf("PID");
        int pv1 = names.IndexOf("PV1");
        if (pv1 >= 0 && (firstPid < 0 || pv1 < firstPid))
        {
            error(Hl7ErrorCode.SegmentSequenceError, new Hl7Location("PV1", 1), "PV1 must follow PID (" + expectedStructure + ")");
        }
        if (ev is PamEvent.A28 or PamEvent.A31 && !names.Contains("PV1"))
        {
            var at = new Hl7Location("PV1", 1);
            if (_options.RequirePseudoPv1)
            {
                error(Hl7ErrorCode.SegmentSequenceError, at, "the pseudo PV1 is required");
            }
            else
            {
                deviation(Hl7ErrorCode.SegmentSequenceError, at, "the pseudo PV1 is missing");
            }
        }
    }

    private PamPatient? ReadPatient(PidSegment pid, int sequence, ZfdSegment? zfd, Action<Hl7ErrorCode, Hl7Location, string> error, Action<Hl7ErrorCode, Hl7Location, string> deviation, out IReadOnlyList<Cx> identifiers, out bool insDeleted)
    {
        Hl7Location At(int field, int rep = 0, int comp = 0, int sub = 0) => new("PID", sequence, field, rep, comp, sub);
        identifiers = pid.Identifiers;
        insDeleted = false;
        if (identifiers.Count == 0)
        {
            error(Hl7ErrorCode.RequiredFieldMissing, At(3), "PID-3 is required");
            return null;
        }

        int ippIndex = -1;
        for (int i = 0; i < identifiers.Count; i++)
        {
            var cx = identifiers[i];
            // an identifier of an INS authority is never the IPP, whatever its type code
            if (cx.IdentifierTypeCode == "PI" && !PamIns.IsInsClaim(cx) && (_options.IppAuthority is null || cx.AssigningAuthority.NamespaceId == _options.IppAuthority || cx.AssigningAuthority.UniversalId == _options.IppAuthority))
            {
                ippIndex = i;
                break;
            }
        }
        if (ippIndex < 0)
        {
            error(Hl7ErrorCode.RequiredFieldMissing, At(3, 1, 5), "no IPP (identifier of type PI" + (_options.IppAuthority is null ? string.Empty : " from the expected authority") + ") in PID-3");
            return null;
        }
        var ipp = identifiers[ippIndex];
        if (ipp.Id.Length == 0 || ipp.IsNullId)
        {
            error(Hl7ErrorCode.RequiredFieldMissing, At(3, ippIndex + 1, 1), "the IPP has no value");
        }

        var status = pid.IdentityReliability;
        int r = 0;
        foreach (var repetition in pid.Segment[32].Repetitions)
        {
            r++;
            var code = repetition.Value;
            if (code.Length > 0 && !PamTables.IdentityReliability.Contains(code))
            {
                error(Hl7ErrorCode.TableValueNotFound, At(32, r), "PID-32 value not in table 0445");
            }
        }

        // An INS claim is a CX of type INS or of an INS authority (OID or ASIP-SANTE-INS-* name) whatever its type code:
        // each goes through the INS rules, so that a NIR sent as "NH" (or any other code) is never taken for another
        // domain's identifier. The INS kept: the NIR over the NIA [PAMFR 4.4.1]; two different matricules of one kind
        // contradict each other and none is kept.
        var nirs = new List<(PamIns Ins, int Repetition)>();
        var nias = new List<(PamIns Ins, int Repetition)>();
        for (int i = 0; i < identifiers.Count; i++)
        {
            var cx = identifiers[i];
            if (!PamIns.IsInsClaim(cx))
            {
                continue;
            }
            if (cx.IdentifierTypeCode != "INS")
            {
                deviation(Hl7ErrorCode.TableValueNotFound, At(3, i + 1, 5),
                    "PID-3 holds an identifier of an INS assigning authority whose type code is not INS: it is read as an INS, under the INS rules");
            }
            if (cx.IsNullId)
            {
                insDeleted = true;
                continue;
            }
            if (!PamIns.KnownOids.Contains(cx.AssigningAuthority.UniversalId))
            {
                error(Hl7ErrorCode.TableValueNotFound, At(3, i + 1, 4, 2), "unknown INS authority OID");
                continue;
            }
            if (cx.Id.Length != 15 || !cx.Id.All(c => char.IsAsciiDigit(c) || c is 'A' or 'B'))
            {
                error(Hl7ErrorCode.DataTypeError, At(3, i + 1, 1), "an INS has 15 characters");
                continue;
            }
            var candidate = new PamIns(cx.Id, cx.AssigningAuthority.UniversalId);
            var kind = candidate.IsNia ? nias : nirs;
            if (!kind.Any(k => k.Ins == candidate))
            {
                kind.Add((candidate, i + 1));
            }
        }
        PamIns? ins = null;
        var kept = nirs.Count > 0 ? nirs : nias;
        if (kept.Count > 1)
        {
            deviation(Hl7ErrorCode.DuplicateKey, At(3, kept[1].Repetition),
                "PID-3 holds two different INS of one kind: they contradict each other and no INS is integrated");
        }
        else if (kept.Count == 1)
        {
            ins = kept[0].Ins;
        }
        if (ins is not null && (status.Count == 0 || status[0] != "VALI"))
        {
            // [PAMFR]: an INS without VALI is integrated without the INS.
            deviation(Hl7ErrorCode.TableValueNotFound, At(32, 1), "an INS was sent for an identity that is not qualified (PID-32 is not VALI); the INS is ignored");
            ins = null;
        }

        var names = pid.Names;
        var birth = names.FirstOrDefault(n => n.NameTypeCode == "L");
        var used = names.FirstOrDefault(n => n.NameTypeCode == "D");
        if (birth is null || birth.FamilyName.Length == 0)
        {
            error(Hl7ErrorCode.RequiredFieldMissing, At(5), "the birth name (PID-5 type L) is required");
        }

        DateOnly? birthDate = null;
        if (pid.BirthDateText.Length > 0)
        {
            if (pid.BirthDate is { } d)
            {
                birthDate = d;
            }
            else
            {
                error(Hl7ErrorCode.DataTypeError, At(7), "PID-7 is not a valid date");
            }
        }
        else if (ins is not null)
        {
            error(Hl7ErrorCode.RequiredFieldMissing, At(7), "PID-7 is required with an INS");
        }

        string sex = pid.Sex;
        if (sex.Length == 0)
        {
            if (ins is not null)
            {
                error(Hl7ErrorCode.RequiredFieldMissing, At(8), "PID-8 is required with an INS");
            }
            sex = "U";
        }
        else if (!PamTables.Sex.Contains(sex))
        {
            error(Hl7ErrorCode.TableValueNotFound, At(8), "PID-8 must be F, M or U");
            sex = "U";
        }

        // Field presence (HL7 v2.5 §2.5.3): a value is taken, "" erases, an empty or absent field changes nothing.
        const string Null = "\"\"";
        var erased = PamFields.None;

        // PID-29 date of death, PID-30 death indicator (Y/N): N or a "" date cancels a recorded death
        DateOnly? deathDate = null;
        var deathText = pid.Segment.Get(29);
        var indicator = pid.Segment.Get(30);
        if (indicator.Length > 0 && indicator is not ("Y" or "N" or Null))
        {
            error(Hl7ErrorCode.TableValueNotFound, At(30), "PID-30 must be Y or N (table 0136)");
        }
        if (pid.Segment[29].IsNull)
        {
            erased |= PamFields.DeathDate;
        }
        else if (deathText.Length > 0)
        {
            if (!Hl7DateTime.TryParseDate(deathText, out var died))
            {
                error(Hl7ErrorCode.DataTypeError, At(29), "PID-29 is not a valid date");
            }
            else if (indicator == "N")
            {
                error(Hl7ErrorCode.TableValueNotFound, At(30), "PID-30 is N but PID-29 gives a date of death");
            }
            else
            {
                deathDate = died;
            }
        }
        else if (indicator is "N" or Null)
        {
            erased |= PamFields.DeathDate;
        }
        else if (indicator == "Y")
        {
            deviation(Hl7ErrorCode.RequiredFieldMissing, At(29), "PID-30 is Y without a date of death in PID-29: the death is not recorded");
        }
        string? Take(string? value, PamFields field)
        {
            if (value == Null)
            {
                erased |= field;
                return null;
            }
            return NullIfEmpty(value);
        }

        if (used is not null)
        {
            _ = Take(used.FamilyName, PamFields.UsedName);
            _ = Take(used.GivenName, PamFields.UsedFirstName);
        }
        Xad? home = null;
        if (pid.Segment[11].IsNull)
        {
            erased |= PamFields.Address | PamFields.Postcode | PamFields.City;
        }
        else
        {
            home = pid.Addresses.FirstOrDefault(a => a.AddressType is "H" or "" && (a.Street.Length > 0 || a.City.Length > 0 || a.PostalCode.Length > 0));
        }
        var birthPlace = pid.BirthPlace;
        Xtn? phone = null;
        Xtn? email = null;
        if (pid.Segment[13].IsNull)
        {
            erased |= PamFields.Phone | PamFields.Email;
        }
        else
        {
            var telecoms = pid.HomePhones;
            phone = telecoms.FirstOrDefault(t => t.Use != "NET" && t.EquipmentType != "Internet" && t.UnformattedNumber.Length > 0);
            email = telecoms.FirstOrDefault(t => (t.Use == "NET" || t.EquipmentType == "Internet") && t.Email.Length > 0);
        }

        var patient = new PamPatient
        {
            Ipp = ipp.Id,
            IppAuthority = new PamAuthority(ipp.AssigningAuthority.NamespaceId, ipp.AssigningAuthority.UniversalId, ipp.AssigningAuthority.UniversalIdType),
            BirthName = birth?.FamilyName ?? string.Empty,
            FirstName = NullIfEmpty(birth?.GivenName),
            FirstNames = birth is null ? [] : SplitFirstNames(birth),
            UsedName = used?.FamilyName is Null ? null : NullIfEmpty(used?.FamilyName),
            UsedFirstName = used?.GivenName is Null ? null : NullIfEmpty(used?.GivenName),
            Civility = NullIfEmpty(birth?.Prefix),
            BirthDate = birthDate,
            DeathDate = deathDate,
            Sex = sex,
            BirthPlaceCode = Take(birthPlace?.CountyParishCode, PamFields.BirthPlace),
            Address = Take(home?.Street, PamFields.Address),
            Postcode = Take(home?.PostalCode, PamFields.Postcode),
            City = Take(home?.City, PamFields.City),
            AddressCountry = NullIfEmpty(home?.Country),
            Phone = Take(phone?.UnformattedNumber, PamFields.Phone),
            Email = Take(email?.Email, PamFields.Email),
            Ins = ins,
            PidStatus = status,
        };
        patient = patient with { Erased = erased };
        return zfd is { } z ? WithZfd(patient, z, error, deviation) : patient;
    }

    private static PamPatient WithZfd(PamPatient patient, ZfdSegment zfd, Action<Hl7ErrorCode, Hl7Location, string> error, Action<Hl7ErrorCode, Hl7Location, string> deviation)
    {
        static Hl7Location At(int field) => new("ZFD", 1, field);
        const string Null = "\"\"";
        var erased = PamFields.None;
        // Field presence, as in the PID: "" withdraws the value, an empty field keeps it; a value outside the table is not taken
        string? Code(string value, PamFields field, IReadOnlySet<string> table, int at, string what)
        {
            if (value == Null)
            {
                erased |= field;
                return null;
            }
            if (value.Length > 0 && !table.Contains(value))
            {
                deviation(Hl7ErrorCode.TableValueNotFound, At(at), what + " value not in the PAM FR table: not taken");
                return null;
            }
            return NullIfEmpty(value);
        }
        bool? corrected = zfd.BirthDateCorrected switch
        {
            "Y" => true,
            "N" => false,
            _ => null,
        };
        if (corrected is null && zfd.BirthDateCorrected.Length > 0)
        {
            error(Hl7ErrorCode.TableValueNotFound, At(4), "ZFD-4 must be Y or N");
        }
        var obtainingMode = Code(zfd.ObtainingMode, PamFields.ObtainingMode, PamTables.ObtainingMode, 5, "ZFD-5");
        var documentType = Code(zfd.DocumentType, PamFields.DocumentType, PamTables.DocumentType, 7, "ZFD-7");
        DateOnly? Date(string text, int field)
        {
            if (text.Length == 0)
            {
                return null;
            }
            if (text == Null)
            {
                erased |= field == 8 ? PamFields.DocumentExpiry : PamFields.None;
                return null;
            }
            if (Hl7DateTime.TryParseDate(text, out var d))
            {
                return d;
            }
            error(Hl7ErrorCode.DataTypeError, At(field), "not a valid date");
            return null;
        }
        return patient with
        {
            BirthDateCorrected = corrected,
            ObtainingMode = obtainingMode,
            InsiCallDate = Date(zfd.InsiCallDate, 6),
            DocumentType = documentType,
            DocumentExpiry = Date(zfd.DocumentExpiry, 8),
            Erased = patient.Erased | erased,
        };
    }

    private static IReadOnlyList<string> SplitFirstNames(Xpn name)
    {
        var list = name.SecondAndFurtherGivenNames.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return list.Length > 0 ? list : (name.GivenName.Length > 0 ? [name.GivenName] : []);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
