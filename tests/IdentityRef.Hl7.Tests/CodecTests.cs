using System.Text;

namespace IdentityRef.Hl7.Tests;

public class CodecTests
{
    public static IEnumerable<object[]> Examples() => TestData.ExampleFiles();

    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleFile_ParseThenEncode_GivesTheSameBytes(string file)
    {
        var expected = TestData.NormaliseSegmentEnds(TestData.Bytes(file));

        var result = Hl7Parser.Parse(TestData.Bytes(file));

        Assert.NotNull(result.Message);
        Assert.True(result.Errors.All(e => !e.IsError), string.Join("; ", result.Errors));
        Assert.Equal(expected, result.Message!.ToBytes());
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleFile_StrictParse_HasNoError(string file)
    {
        var result = Hl7Parser.Parse(TestData.Bytes(file), Hl7ParseOptions.Strict);

        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
    }

    [Fact]
    public void AnsExample_Utf8Accent_IsDecodedFromMsh18()
    {
        var result = Hl7Parser.Parse(TestData.Bytes(TestData.Example("05_")));

        Assert.Equal(Hl7Charset.Utf8, result.Charset);
        var pv1 = result.Message!.First("PV1")!;
        Assert.Equal("Réault", pv1.Get(7, 1, 2));
    }

    [Fact]
    public void CustomDelimiters_AreTakenFromMsh1AndMsh2()
    {
        var text = "MSH#$*!@#App#Fac#####ADT$A28$ADT_A05#42#P#2.5\rPID#1##123$$$AUTH@1.2.3@ISO$PI*456$$$X$PI##DOE$JOHN\r";

        var result = Hl7Parser.Parse(text);

        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        var message = result.Message!;
        Assert.Equal('#', message.Delimiters.Field);
        Assert.Equal('$', message.Delimiters.Component);
        Assert.Equal('*', message.Delimiters.Repetition);
        Assert.Equal('!', message.Delimiters.Escape);
        Assert.Equal('@', message.Delimiters.Subcomponent);
        Assert.Equal("A28", message.TriggerEvent);
        var ids = message.Pid()!.Value.Identifiers;
        Assert.Equal(2, ids.Count);
        Assert.Equal("1.2.3", ids[0].AssigningAuthority.UniversalId);
        Assert.Equal("456", ids[1].Id);
        Assert.Equal(text, message.Encode());
    }

    [Theory]
    [InlineData("MSH|^~\\&|a\rPID|1\r")]
    [InlineData("MSH|^~\\&|a\nPID|1\n")]
    [InlineData("MSH|^~\\&|a\r\nPID|1\r\n")]
    public void SegmentEnds_CrLfOrCrLf_AreAllAcceptedAndEncodedAsCr(string text)
    {
        var result = Hl7Parser.Parse(text);

        Assert.Equal(2, result.Message!.Segments.Count);
        Assert.Equal("MSH|^~\\&|a\rPID|1\r", result.Message.Encode());
    }

    [Fact]
    public void EscapeSequences_AreDecodedInValuesAndKeptRawOnTheWire()
    {
        var text = "MSH|^~\\&|A|B|||||||2.5\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X41\\g\\H\\bold\\N\\h\\.br\\i\r";

        var result = Hl7Parser.Parse(text);

        var nte = result.Message!.First("NTE")!;
        Assert.Equal("a|b^c&d~e\\fAg\\H\\bold\\N\\h\\.br\\i", nte.Get(3));
        Assert.Equal(text, result.Message.Encode());
    }

    [Fact]
    public void Escape_OfEveryDelimiterAndLineBreak_RoundTripsThroughUnescape()
    {
        var d = Hl7Delimiters.Default;
        var value = "x|y^z&w~v\\u\rt\ns";

        var escaped = Hl7Escaping.Escape(value, d);

        Assert.Equal("x\\F\\y\\S\\z\\T\\w\\R\\v\\E\\u\\X0D\\t\\X0A\\s", escaped);
        Assert.Equal(value, Hl7Escaping.Unescape(escaped, d));
    }

    [Fact]
    public void UnknownEscape_IsWarnedInLenientAndErrorInStrict_WithPosition()
    {
        var text = "MSH|^~\\&|A|B|||||ADT^A28|1|P|2.5\rPID|1||1^^^X^PI~2^\\Q\\^^Y&\\K\\\r";

        var lenient = Hl7Parser.Parse(text);
        var strict = Hl7Parser.Parse(text, Hl7ParseOptions.Strict);

        var warning = Assert.Single(lenient.Errors, e => e.Location.Segment == "PID" && e.Location.Subcomponent == 1);
        Assert.Equal(Hl7Severity.Warning, warning.Severity);
        Assert.Equal(new Hl7Location("PID", 1, 3, 2, 2, 1), warning.Location);
        Assert.Contains(lenient.Errors, e => e.Location == new Hl7Location("PID", 1, 3, 2, 4, 2));
        Assert.All(strict.Errors, e => Assert.Equal(Hl7ErrorCode.DataTypeError, e.Code));
        Assert.False(strict.IsSuccess);
        Assert.True(lenient.IsSuccess);
        Assert.Equal(text, lenient.Message!.Encode());
    }

    [Theory]
    [InlineData(Hl7Charset.Latin1, "8859/1")]
    [InlineData(Hl7Charset.Latin9, "8859/15")]
    [InlineData(Hl7Charset.Utf8, "UNICODE UTF-8")]
    public void Charset_DeclaredInMsh18_IsUsedForBytesInAndOut(Hl7Charset charset, string msh18)
    {
        var text = $"MSH|^~\\&|A|B|||||ADT^A28|1|P|2.5|||||FRA|{msh18}|FR\rPID|1||1^^^X^PI||HÉLÈNE^Zoé Anaïs\r";
        var bytes = charset.GetEncoding().GetBytes(text);

        var result = Hl7Parser.Parse(bytes);

        Assert.Equal(charset, result.Charset);
        Assert.Equal(text, result.Message!.Encode());
        Assert.Equal(bytes, result.Message.ToBytes());
    }

    [Fact]
    public void Latin9_HasItsEightOwnCharacters()
    {
        var encoding = Hl7Charset.Latin9.GetEncoding();

        Assert.Equal(new byte[] { 0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE, 0xE9 }, encoding.GetBytes("€ŠšŽžŒœŸé"));
        Assert.Equal("€ŠšŽžŒœŸé", encoding.GetString([0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE, 0xE9]));
        Assert.Equal("?", encoding.GetString(encoding.GetBytes("¤")));
    }

    [Fact]
    public void Latin9_WritesAQuestionMarkForACharacterItCannotHold_NeverABestFitLetter()
    {
        var encoding = Hl7Charset.Latin9.GetEncoding();

        // Ł and ź have no Latin-9 byte: a best-fit mapping would write L and z, a different name.
        Assert.Equal(new byte[] { 0x3F, 0xF3, 0x64, 0x3F }, encoding.GetBytes("Łódź"));
    }

    [Fact]
    public void Latin9_DecodesEveryByte()
    {
        var every = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();

        var text = Hl7Charset.Latin9.GetEncoding().GetString(every);

        Assert.Equal(256, text.Length);
        Assert.Equal(every, Hl7Charset.Latin9.GetEncoding().GetBytes(text));
    }

    [Fact]
    public void Msh18_WithSecondRepetition_UsesTheFirst()
    {
        var bytes = Encoding.UTF8.GetBytes("MSH|^~\\&|A|B|||||ADT^A28|1|P|2.5|||||FRA|UNICODE UTF-8~8859/15|FR\rPID|1||1^^^X^PI||Zoé\r");

        var result = Hl7Parser.Parse(bytes);

        Assert.Equal(Hl7Charset.Utf8, result.Charset);
        Assert.Equal("Zoé", result.Message!.First("PID")!.Get(5));
    }

    [Fact]
    public void EmptyTrailingSeparators_AreKeptAsReceived()
    {
        var text = "MSH|^~\\&|A|B|||||ADT^A28|1|P|2.5||||||\rPID|1||1^^^X^PI^^||||||\rZFD|||||\r";

        var result = Hl7Parser.Parse(text);

        Assert.Equal(text, result.Message!.Encode());
        Assert.Equal(5, result.Message.First("ZFD")!.FieldCount);
    }

    [Fact]
    public void ExampleA31_TypedPid_ReadsPamFields()
    {
        var message = Hl7Parser.Parse(TestData.Bytes(TestData.Example("01_"))).Message!;

        var pid = message.Pid()!.Value;
        Assert.Equal(["PI", "INS", "INS"], pid.Identifiers.Select(i => i.IdentifierTypeCode));
        Assert.Equal("350000121", pid.Identifiers[0].AssigningAuthority.UniversalId);
        Assert.Equal("M", pid.Identifiers[0].AssigningAuthority.UniversalIdType);
        Assert.Equal("1.2.250.1.213.1.4.8", pid.Identifiers[2].AssigningAuthority.UniversalId);
        var birthName = pid.NameOfType("L")!;
        Assert.Equal(("DARK", "JEANNE", "JEANNE MARIE CECILE", "Mme"), (birthName.FamilyName, birthName.GivenName, birthName.SecondAndFurtherGivenNames, birthName.Prefix));
        Assert.Equal("MARIE-CECILE", pid.NameOfType("D")!.GivenName);
        Assert.Equal(new DateOnly(1960, 5, 30), pid.BirthDate);
        Assert.Equal("F", pid.Sex);
        Assert.Equal("88154", pid.BirthPlace!.CountyParishCode);
        Assert.Equal("FRA", pid.BirthPlace.Country);
        Assert.Equal(["VALI"], pid.IdentityReliability);
        Assert.Equal("ADT_A05", message.MessageStructure);
    }

    [Fact]
    public void ExampleA47Delete_NullInsIdentifier_IsRecognised()
    {
        var message = Hl7Parser.Parse(TestData.Bytes(TestData.Example("03_"))).Message!;

        var ins = message.Pid()!.Value.Identifiers.Single(i => i.IdentifierTypeCode == "INS");
        Assert.True(ins.IsNullId);
        Assert.Equal("260058815400233", message.Mrg()!.Value.PriorIdentifiers.Single().Id);
    }

    [Fact]
    public void BuiltIdentifier_EncodesAsPamFrShape()
    {
        var d = Hl7Delimiters.Default;

        var cx = new Cx("123456", new Hd("AUTH", "1.2.250.1.71.1.2.3", "ISO"), "PI");
        var nullIns = new Cx("\"\"", new Hd("ASIP-SANTE-INS-NIR", "1.2.250.1.213.1.4.8", "ISO"), "INS");

        Assert.Equal("123456^^^AUTH&1.2.250.1.71.1.2.3&ISO^PI", cx.ToRaw(d));
        Assert.Equal("\"\"^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS", nullIns.ToRaw(d));
    }
}
