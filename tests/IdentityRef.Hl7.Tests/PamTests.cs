using IdentityRef.Hl7.Pam;

namespace IdentityRef.Hl7.Tests;

public sealed class PamTests
{
    private static readonly PamMessageFactory Factory = new();

    private static PamMessageHeader Header(Hl7Charset charset = Hl7Charset.Utf8) => new()
    {
        SendingApplication = new Hd("IDREF"),
        SendingFacility = new Hd("CHU-X"),
        ReceivingApplication = new Hd("DPI"),
        ReceivingFacility = new Hd("CHU-X"),
        Timestamp = new DateTimeOffset(2026, 3, 9, 10, 28, 40, TimeSpan.FromHours(1)),
        ControlId = "MSG0001",
        Charset = charset,
    };

    /// <summary>The identity of the PAM FR §4.4 examples, as our neutral record.</summary>
    private static PamPatient SpecPatient() => new()
    {
        Ipp = "1900068",
        IppAuthority = new PamAuthority(string.Empty, "350000121", "M"),
        BirthName = "DARK",
        FirstNames = ["JEANNE", "MARIE", "CECILE"],
        UsedFirstName = "MARIE-CECILE",
        BirthDate = new DateOnly(1960, 5, 30),
        Sex = "F",
        BirthPlaceCode = "88154",
        Ins = new PamIns("260058815400233"),
        PidStatus = ["VALI"],
    };

    private static Hl7Message Example(string prefix) => Hl7Parser.Parse(TestData.Bytes(TestData.Example(prefix))).Message!;

    private static PamReadResult Reparse(Hl7Message built, PamReaderOptions? options = null)
    {
        var parsed = Hl7Parser.Parse(built.ToBytes(), Hl7ParseOptions.Strict);
        Assert.True(parsed.IsSuccess, string.Join("; ", parsed.Errors));
        return new PamMessageReader(options).Read(parsed.Message!);
    }

    [Fact]
    public void SpecA31_NiaToNir_ReadsTheIdentityAndKeepsTheNir()
    {
        var result = new PamMessageReader().Read(Example("01_"));

        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        Assert.Equal(PamEvent.A31, result.Event);
        var p = result.Patient!;
        Assert.Equal("1900068", p.Ipp);
        Assert.Equal(new PamAuthority(string.Empty, "350000121", "M"), p.IppAuthority);
        Assert.Equal(new PamIns("260058815400233", PamIns.NirOid), p.Ins);
        Assert.Equal("DARK", p.BirthName);
        Assert.Equal("JEANNE", p.FirstName);
        Assert.Equal(["JEANNE", "MARIE", "CECILE"], p.FirstNames);
        Assert.Null(p.UsedName);
        Assert.Equal("MARIE-CECILE", p.UsedFirstName);
        Assert.Equal(new DateOnly(1960, 5, 30), p.BirthDate);
        Assert.Equal("F", p.Sex);
        Assert.Equal("88154", p.BirthPlaceCode);
        Assert.Equal(["VALI"], p.PidStatus);
        Assert.Equal(3, result.PidIdentifiers.Count);
        // The official example has no pseudo PV1: a warning under the lenient policy.
        var pv1 = Assert.Single(result.Errors);
        Assert.Equal((Hl7ErrorCode.SegmentSequenceError, Hl7Severity.Warning, "PV1"), (pv1.Code, pv1.Severity, pv1.Location.Segment));
    }

    [Fact]
    public void SpecA31_StrictWithRequiredPv1_ReportsSegmentSequenceError()
    {
        var result = new PamMessageReader(new PamReaderOptions { Strictness = Hl7Strictness.Strict, RequirePseudoPv1 = true }).Read(Example("01_"));

        Assert.False(result.IsSuccess);
        Assert.Contains(result.Errors, e => e is { Code: Hl7ErrorCode.SegmentSequenceError, IsError: true } && e.Location == new Hl7Location("PV1", 1));
    }

    [Fact]
    public void SpecA47_ChangeOfNir_GivesNewInsAndPreviousInMrg()
    {
        var result = new PamMessageReader().Read(Example("02_"));

        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        Assert.Equal(PamEvent.A47, result.Event);
        Assert.Equal("260058815400244", result.Patient!.Ins!.Value);
        var previous = Assert.Single(result.MergeIdentifiers);
        Assert.Equal(("260058815400233", "INS", PamIns.NirOid), (previous.Id, previous.IdentifierTypeCode, previous.AssigningAuthority.UniversalId));
        Assert.False(result.InsDeleted);
    }

    [Theory]
    [InlineData("03_", "VALI")]
    [InlineData("04_", "PROV")]
    public void SpecA47_InsDeletion_IsFlaggedWithTheDeletedInsInMrg(string example, string status)
    {
        var result = new PamMessageReader().Read(Example(example));

        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        Assert.True(result.InsDeleted);
        Assert.Null(result.Patient!.Ins);
        Assert.Equal(status, result.Patient.PidStatus[0]);
        Assert.Equal("260058815400233", Assert.Single(result.MergeIdentifiers).Id);
    }

    [Fact]
    public void AnsA01_IsAnUnsupportedTrigger_AndTheAckRejectsWith201()
    {
        var message = Example("05_");

        var result = new PamMessageReader().Read(message);
        var ack = Hl7Ack.Build(message, Hl7Ack.ChooseCode(message, result.Errors), result.Errors);

        var error = Assert.Single(result.Errors);
        Assert.Equal(Hl7ErrorCode.UnsupportedEventCode, error.Code);
        Assert.Equal("AR", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("3975", ack.Msa()!.Value.ControlId);
        Assert.Equal("201", ack.Errs().Single().Code);
        Assert.Equal("MSH^1^9^1^2", ack.Errs().Single().Segment.Field(2).Raw);
    }

    [Fact]
    public void AnsZfd_IsRead()
    {
        var message = Example("05_");
        // Same message as an A28 so that the reader takes it; everything else unchanged.
        var msh = message.Header!.WithRawField(9, "ADT^A28^ADT_A05");
        var a28 = new Hl7Message(message.Segments.Skip(1).Prepend(msh));

        var result = new PamMessageReader().Read(a28);

        Assert.Equal(false, result.Patient!.BirthDateCorrected);
        Assert.Equal("INSI", result.Patient.ObtainingMode);
        Assert.Equal(new DateOnly(2021, 12, 1), result.Patient.InsiCallDate);
        Assert.Equal(PamIns.TestOid, result.Patient.Ins!.Oid);
        Assert.Equal("PARIS", result.Patient.City);
        Assert.Equal("63220", result.Patient.BirthPlaceCode);
    }

    [Fact]
    public void BuiltA28_HasThePamFrHeaderAndPid()
    {
        var patient = SpecPatient() with { UsedName = "MARTIN", Phone = "0601020304", Address = "1 rue de la Paix", Postcode = "75002", City = "PARIS", AddressCountry = "FRA", PidStatus = ["VALI", "HOMA"] };

        var text = Factory.CreatePatient(Header(), patient).Encode();

        var lines = text.Split('\r');
        Assert.Equal("MSH|^~\\&|IDREF|CHU-X|DPI|CHU-X|20260309102840+0100||ADT^A28^ADT_A05|MSG0001|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR||2.11^IHE_FRANCE-2.11-PAM", lines[0]);
        Assert.Equal("EVN||20260309102840+0100", lines[1]);
        Assert.Equal(
            "PID|1||1900068^^^&350000121&M^PI~260058815400233^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS||DARK^JEANNE^JEANNE MARIE CECILE^^Mme^^L~MARTIN^MARIE-CECILE^^^Mme^^D||19600530|F|||1 rue de la Paix^^PARIS^^75002^FRA^H~^^^^^FRA^BDL^^88154||^PRN^CP^^^^^^^^^0601020304|||||||||||||||||||VALI~HOMA",
            lines[2]);
        Assert.Equal("PV1||N", lines[3]);
        Assert.Equal(5, lines.Length); // no ZFD: every field would be empty; then the final CR
        Assert.Equal(string.Empty, lines[4]);
    }

    [Fact]
    public void BuiltA28_ReparsesIntoTheSameRecord()
    {
        var patient = SpecPatient() with
        {
            FirstName = "JEANNE",
            Civility = "Mme",
            UsedName = "MARTIN-DARK",
            Address = "3 place d'Armes^bis",
            Postcode = "88000",
            City = "ÉPINAL",
            AddressCountry = "FRA",
            Phone = "0329000000",
            PidStatus = ["VALI", "DOUT"],
            BirthDateCorrected = false,
            ObtainingMode = "INSI",
            InsiCallDate = new DateOnly(2025, 1, 2),
            DocumentType = "CN",
            DocumentExpiry = new DateOnly(2031, 6, 30),
        };

        var result = Reparse(Factory.CreatePatient(Header(Hl7Charset.Latin9), patient));

        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        Assert.Equal(PamEvent.A28, result.Event);
        Assert.Equal(patient with { FirstNames = [], PidStatus = [] }, result.Patient! with { FirstNames = [], PidStatus = [] });
        Assert.Equal(patient.FirstNames, result.Patient!.FirstNames);
        Assert.Equal(patient.PidStatus, result.Patient.PidStatus);
    }

    [Fact]
    public void BuiltA31_InsWithoutVali_IsNotSent()
    {
        var patient = SpecPatient() with { PidStatus = ["PROV"] };

        var message = Factory.UpdatePatient(Header(), patient);

        Assert.Equal("A31", message.TriggerEvent);
        Assert.Equal(["PI"], message.Pid()!.Value.Identifiers.Select(i => i.IdentifierTypeCode));
    }

    [Fact]
    public void BuiltA28_WithZfdFields_SendsZfdAfterPv1()
    {
        var patient = SpecPatient() with { ObtainingMode = "CV", DocumentType = "PA" };

        var message = Factory.CreatePatient(Header(), patient);

        Assert.Equal(["MSH", "EVN", "PID", "PV1", "ZFD"], message.Segments.Select(s => s.Name));
        Assert.Equal("ZFD|||||CV||PA", message.First("ZFD")!.ToString());
    }

    [Fact]
    public void BuiltA47_ChangeIns_MatchesTheSpecExampleFields()
    {
        var spec = Example("02_");
        var patient = SpecPatient() with { Ins = new PamIns("260058815400244") };

        var built = Factory.ChangeIns(Header(), patient, new PamIns("260058815400233"));

        Assert.Equal("ADT^A47^ADT_A30", built.Header!.Field(9).Raw);
        Assert.Equal(spec.First("PID")!.Field(3).Raw, built.First("PID")!.Field(3).Raw);
        Assert.Equal(spec.First("MRG")!.Field(1).Raw, built.First("MRG")!.Field(1).Raw);
        Assert.Equal(["MSH", "EVN", "PID", "MRG"], built.Segments.Select(s => s.Name));
        Assert.True(Reparse(built).IsSuccess);
    }

    [Fact]
    public void BuiltA47_DeleteIns_MatchesTheSpecExampleFields()
    {
        var spec = Example("03_");
        var patient = SpecPatient() with { Ins = null };

        var built = Factory.DeleteIns(Header(), patient, new PamIns("260058815400233"));

        foreach (var field in new[] { 3, 7, 8, 11, 32 })
        {
            Assert.Equal(spec.First("PID")!.Field(field).Raw, built.First("PID")!.Field(field).Raw);
        }
        Assert.Equal(spec.First("MRG")!.Field(1).Raw, built.First("MRG")!.Field(1).Raw);
        var read = Reparse(built);
        Assert.True(read.InsDeleted);
    }

    [Fact]
    public void BuiltA47_QualifiedToRecovered_MatchesTheSpecExampleFields()
    {
        var spec = Example("04_");

        var built = Factory.QualifiedToRecovered(Header(), SpecPatient() with { Ins = null }, new PamIns("260058815400233"));

        Assert.Equal(spec.First("PID")!.Field(3).Raw, built.First("PID")!.Field(3).Raw);
        Assert.Equal("PROV", built.First("PID")!.Field(32).Raw);
        Assert.Equal(spec.First("MRG")!.Field(1).Raw, built.First("MRG")!.Field(1).Raw);
    }

    [Fact]
    public void BuiltA40_CarriesTheMergedIppInMrg1()
    {
        var built = Factory.Merge(Header(), SpecPatient(), "1900099");

        var read = Reparse(built);

        Assert.Equal("ADT^A40^ADT_A39", built.Header!.Field(9).Raw);
        Assert.Equal("1900099^^^&350000121&M^PI", built.First("MRG")!.Field(1).Raw);
        Assert.True(read.IsSuccess, string.Join("; ", read.Errors));
        Assert.Equal(PamEvent.A40, read.Event);
        Assert.Equal("1900099", Assert.Single(read.MergeIdentifiers).Id);
        Assert.Equal("1900068", read.Patient!.Ipp);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BuiltLinkAndUnlink_CarryTwoPids(bool link)
    {
        var other = SpecPatient() with { Ipp = "555", Ins = null, PidStatus = ["PROV"] };

        var built = link ? Factory.Link(Header(), SpecPatient(), other) : Factory.Unlink(Header(), SpecPatient(), other);
        var read = Reparse(built);

        Assert.Equal(["MSH", "EVN", "PID", "PID"], built.Segments.Select(s => s.Name));
        Assert.Equal(link ? PamEvent.A24 : PamEvent.A37, read.Event);
        Assert.Equal("555", read.OtherPatient!.Ipp);
        Assert.Equal("2", built.All("PID").Last().Get(1));
    }

    [Fact]
    public void ErasedUsedName_IsSentAsHl7NullAndReadBack()
    {
        var patient = SpecPatient() with { UsedFirstName = null, UsedNameErased = true };

        var built = Factory.UpdatePatient(Header(), patient);
        var read = Reparse(built);

        Assert.Equal("DARK^JEANNE^JEANNE MARIE CECILE^^Mme^^L~\"\"^^^^Mme^^D", built.First("PID")!.Field(5).Raw);
        Assert.True(read.Patient!.UsedNameErased);
        Assert.Null(read.Patient.UsedName);
    }

    [Fact]
    public void BirthAbroad_LeavesTheCountryEmpty_ByDefault()
    {
        var built = Factory.CreatePatient(Header(), SpecPatient() with { BirthPlaceCode = "99100" });

        Assert.Equal("^^^^^^BDL^^99100", built.First("PID")!.Field(11).Raw);
    }

    [Fact]
    public void NamesWithDelimiters_AreEscapedAndReadBack()
    {
        var patient = SpecPatient() with { BirthName = "O^NEIL|X", FirstNames = ["ANNE&MARIE"] };

        var read = Reparse(Factory.CreatePatient(Header(), patient));

        Assert.Equal("O^NEIL|X", read.Patient!.BirthName);
        Assert.Equal("ANNE&MARIE", read.Patient.FirstName);
    }

    [Fact]
    public void Latin9Message_EncodesAccentsAsLatin9Bytes()
    {
        var built = Factory.CreatePatient(Header(Hl7Charset.Latin9), SpecPatient() with { BirthName = "CŒUR", City = "ÉPINAL" });

        var bytes = built.ToBytes();

        Assert.Contains((byte)0xBC, bytes); // Œ in ISO-8859-15
        Assert.Equal("CŒUR", Reparse(built).Patient!.BirthName);
    }

    [Theory]
    [InlineData("PID|1||||DARK^JEANNE^^^^^L||19600530|F", Hl7ErrorCode.RequiredFieldMissing, "PID^1^3")]
    [InlineData("PID|1||1^^^&1&M^PI||DARK^JEANNE^^^^^L||19601330|F", Hl7ErrorCode.DataTypeError, "PID^1^7")]
    [InlineData("PID|1||1^^^&1&M^PI||DARK^JEANNE^^^^^L||19600530|X", Hl7ErrorCode.TableValueNotFound, "PID^1^8")]
    [InlineData("PID|1||1^^^&1&M^PI||DARK^JEANNE^^^^^D||19600530|F", Hl7ErrorCode.RequiredFieldMissing, "PID^1^5")]
    [InlineData("PID|1||1^^^&1&M^PI~123^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS||DARK^J^^^^^L||19600530|F||||||||||||||||||||||||VALI", Hl7ErrorCode.DataTypeError, "PID^1^3^2^1")]
    [InlineData("PID|1||1^^^&1&M^PI||DARK^J^^^^^L||19600530|F||||||||||||||||||||||||VALX", Hl7ErrorCode.TableValueNotFound, "PID^1^32^1")]
    [InlineData("PID|1||1^^^&1&M^XX||DARK^J^^^^^L||19600530|F", Hl7ErrorCode.RequiredFieldMissing, "PID^1^3^1^5")]
    public void InvalidPid_GivesCodedPositionedError_AndAnAeAck(string pid, Hl7ErrorCode code, string erl)
    {
        var text = "MSH|^~\\&|S|F|R|F|20260101||ADT^A28^ADT_A05|42|P|2.5^FRA^2.11\rEVN||20260101\r" + pid + "\rPV1||N\r";
        var message = Hl7Parser.Parse(text).Message!;

        var result = new PamMessageReader().Read(message);
        var ack = Hl7Ack.Build(message, Hl7Ack.ChooseCode(message, result.Errors), result.Errors);

        Assert.Contains(result.Errors, e => e.Code == code && e.IsError && e.Location.ToString() == erl);
        Assert.Equal("AE", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Contains(ack.Errs(), e => e.Code == ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) && e.Segment.Field(2).Raw == erl && e.Severity == "E" && e.CodeSystem == "HL70357");
    }

    private static PamReadResult ReadPid(string pid)
    {
        var text = "MSH|^~\\&|S|F|R|F|20260101||ADT^A31^ADT_A05|42|P|2.5^FRA^2.11\rEVN||20260101\r" + pid + "\rPV1||N\r";
        return new PamMessageReader().Read(Hl7Parser.Parse(text).Message!);
    }

    private const string InsNh = "297022A02077878^^^&1.2.250.1.213.1.4.8&ISO^NH";
    private const string TraitsAfterPid3 = "||ADRTROIS^DOMINIQUE^DOMINIQUE^^^^L||19970226|F||||||||||||||||||||||||";

    [Fact]
    public void InsAuthorityWithAnotherTypeCode_AndVali_IsReadAsTheIns_WithAWarningAtCx5()
    {
        var result = ReadPid("PID|1||1^^^&1&M^PI~" + InsNh + TraitsAfterPid3 + "VALI");

        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        Assert.Equal(new PamIns("297022A02077878", PamIns.NirOid), result.Patient!.Ins);
        Assert.True(result.Patient.IsQualified);
        var warning = Assert.Single(result.Errors);
        Assert.Equal((Hl7ErrorCode.TableValueNotFound, Hl7Severity.Warning, "PID^1^3^2^5"), (warning.Code, warning.Severity, warning.Location.ToString()));
        Assert.Contains("type code is not INS", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("297022A02077878", warning.Message, StringComparison.Ordinal);
        // the IPP stays the PI of the sender, not the INS
        Assert.Equal("1", result.Patient.Ipp);

        // the ACK carries it as a W 103 of table 0357, and stays AA
        var message = Hl7Parser.Parse("MSH|^~\\&|S|F|R|F|20260101||ADT^A31^ADT_A05|42|P|2.5^FRA^2.11\rEVN||20260101\rPID|1||1^^^&1&M^PI~" + InsNh + TraitsAfterPid3 + "VALI\rPV1||N\r").Message!;
        var ack = Hl7Ack.Build(message, Hl7Ack.ChooseCode(message, result.Errors), result.Errors);
        Assert.Equal("AA", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Contains(ack.Errs(), e => e.Code == "103" && e.Severity == "W" && e.CodeSystem == "HL70357" && e.Segment.Field(2).Raw == "PID^1^3^2^5");
    }

    [Theory]
    [InlineData("297022A02077878^^^&1.2.250.1.213.1.4.8&ISO^NH", "PROV")]
    [InlineData("297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^PI", "PROV")]
    [InlineData("297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO", "")]
    public void InsAuthorityWithAnotherTypeCode_WithoutVali_IsDropped_WithAWarningForTheTypeAndOneForTheStatus(string cx, string status)
    {
        var result = ReadPid("PID|1||1^^^&1&M^PI~" + cx + TraitsAfterPid3 + status);

        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        Assert.Null(result.Patient!.Ins);
        Assert.Equal("1", result.Patient.Ipp); // a PI of an INS authority is never the IPP
        Assert.Contains(result.Errors, e => e is { Code: Hl7ErrorCode.TableValueNotFound, Severity: Hl7Severity.Warning } && e.Location.ToString() == "PID^1^3^2^5");
        Assert.Contains(result.Errors, e => e is { Code: Hl7ErrorCode.TableValueNotFound, Severity: Hl7Severity.Warning } && e.Location.ToString() == "PID^1^32^1");
        Assert.All(result.Errors, e => Assert.Equal(Hl7Severity.Warning, e.Severity));
    }

    [Fact]
    public void TestAuthorityWithAnotherTypeCode_IsReadAsATestIns_LikeTypeIns()
    {
        // the reader keeps the OID; the server refuses a test or demonstration INS on production (InboundFeedTests)
        var result = ReadPid("PID|1||1^^^&1&M^PI~297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^NH" + TraitsAfterPid3 + "VALI");

        Assert.Equal(new PamIns("297022A02077878", PamIns.TestOid), result.Patient!.Ins);
        Assert.Contains(result.Errors, e => e.Location.ToString() == "PID^1^3^2^5");
    }

    [Fact]
    public void AnInsNameWithAnUnknownOid_AndAnotherTypeCode_IsAnUnknownInsAuthority()
    {
        var result = ReadPid("PID|1||1^^^&1&M^PI~297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.3&ISO^NH" + TraitsAfterPid3 + "VALI");

        Assert.False(result.IsSuccess);
        Assert.Contains(result.Errors, e => e is { Code: Hl7ErrorCode.TableValueNotFound, IsError: true } && e.Location.ToString() == "PID^1^3^2^4^2");
    }

    [Theory]
    [InlineData("297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS~275126322074974^^^&1.2.250.1.213.1.4.8&ISO^NH")]
    [InlineData("275126322074974^^^&1.2.250.1.213.1.4.8&ISO^NH~297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS")]
    [InlineData("297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS~275126322074974^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS")]
    public void TwoDifferentInsOfOneKind_ContradictEachOther_AndNoneIsKept(string insCxs)
    {
        var result = ReadPid("PID|1||1^^^&1&M^PI~" + insCxs + TraitsAfterPid3 + "VALI");

        Assert.Null(result.Patient!.Ins);
        Assert.Contains(result.Errors, e => e is { Code: Hl7ErrorCode.DuplicateKey, Severity: Hl7Severity.Warning } && e.Location.ToString() == "PID^1^3^3");
    }

    [Fact]
    public void TheSameInsTwice_UnderTypeInsAndAnotherCode_IsOneIns_AndANiaGivesWayToTheNir()
    {
        var same = ReadPid("PID|1||1^^^&1&M^PI~297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS~297022A02077878^^^&1.2.250.1.213.1.4.8&ISO^NH" + TraitsAfterPid3 + "VALI");
        Assert.Equal(new PamIns("297022A02077878", PamIns.NirOid), same.Patient!.Ins);
        Assert.DoesNotContain(same.Errors, e => e.Code == Hl7ErrorCode.DuplicateKey);

        var niaToNir = ReadPid("PID|1||1^^^&1&M^PI~275126322074974^^^ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9&ISO^NH~297022A02077878^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS" + TraitsAfterPid3 + "VALI");
        Assert.Equal(new PamIns("297022A02077878", PamIns.NirOid), niaToNir.Patient!.Ins);
    }

    [Fact]
    public void NonAdtMessage_IsUnsupportedType_200()
    {
        var message = Hl7Parser.Parse(TestData.Bytes(TestData.Example("08_"))).Message!;

        var result = new PamMessageReader().Read(message);

        Assert.Equal(Hl7ErrorCode.UnsupportedMessageType, Assert.Single(result.Errors).Code);
        Assert.Equal(Hl7AckCode.Reject, Hl7Ack.ChooseCode(message, result.Errors));
    }

    [Fact]
    public void A47WithoutMrg_IsASegmentSequenceError()
    {
        var text = "MSH|^~\\&|S|F|R|F|20260101||ADT^A47^ADT_A30|42|P|2.5\rEVN||20260101\rPID|1||1^^^&1&M^PI||DARK^J^^^^^L\r";

        var result = new PamMessageReader().Read(Hl7Parser.Parse(text).Message!);

        Assert.Contains(result.Errors, e => e.Code == Hl7ErrorCode.SegmentSequenceError && e.Location.Segment == "MRG");
        Assert.False(result.IsSuccess);
    }

    [Fact]
    public void Ack_OfAValidMessage_SwapsApplicationsAndEchoesTheControlId()
    {
        var received = Factory.CreatePatient(Header(), SpecPatient());

        var ack = Hl7Ack.Build(received, Hl7AckCode.Accept, options: new Hl7AckOptions { ControlId = "A1", Timestamp = new DateTimeOffset(2026, 3, 9, 10, 28, 41, TimeSpan.FromHours(1)) });

        Assert.Equal("MSH|^~\\&|DPI|CHU-X|IDREF|CHU-X|20260309102841+0100||ACK^A28^ACK|A1|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR\rMSA|AA|MSG0001\r", ack.Encode());
    }
}

public sealed class PamInboundTests
{
    [Fact]
    public void Receive_SpecA47_AcceptsWithAa()
    {
        var result = PamInbound.Receive(TestData.Bytes(TestData.Example("02_")));

        Assert.True(result.CanApply, string.Join("; ", result.Errors));
        Assert.Equal("AA", result.Ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("20210318151910", result.Ack.Msa()!.Value.ControlId);
        Assert.Equal("ACK^A47^ACK", result.Ack.Header!.Field(9).Raw);
        Assert.Equal("PatientManager", result.Ack.Header!.Get(3));
        Assert.Empty(result.Ack.Errs());
    }

    [Fact]
    public void Receive_SpecA31WithoutPv1_AcceptsWithAWarningErr()
    {
        var result = PamInbound.Receive(TestData.Bytes(TestData.Example("01_")));

        Assert.True(result.CanApply);
        Assert.Equal("AA", result.Ack.Msa()!.Value.AcknowledgmentCode);
        var err = Assert.Single(result.Ack.Errs());
        Assert.Equal(("W", "100", "PV1^1"), (err.Severity, err.Code, err.Segment.Field(2).Raw));
    }

    [Fact]
    public void Receive_RandomBytes_RejectsWithAr()
    {
        var result = PamInbound.Receive("not an HL7 message"u8);

        Assert.False(result.CanApply);
        Assert.Null(result.Read);
        Assert.Equal("AR", result.Ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("100", result.Ack.Errs().Single().Code);
    }
}
