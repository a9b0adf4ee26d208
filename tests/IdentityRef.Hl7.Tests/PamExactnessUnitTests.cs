using System.Text;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;

namespace IdentityRef.Hl7.Tests;

/// <summary>The codec side of issue 14: offsets, phones, characters a set cannot carry, hex escapes, presence flags, version.</summary>
public sealed class PamExactnessUnitTests
{
    [Theory]
    [InlineData(1, 0, "20260309102840+0100")]
    [InlineData(-3, -30, "20260309102840-0330")]
    [InlineData(0, 0, "20260309102840+0000")]
    public void TimeStamps_CarryTheirOffset(int hours, int minutes, string expected) =>
        Assert.Equal(expected, Hl7DateTime.FormatDateTimeWithOffset(new DateTimeOffset(2026, 3, 9, 10, 28, 40, new TimeSpan(hours, minutes, 0))));

    [Fact]
    public void Ack_IsStampedByTheGivenClock_InTheGivenZone()
    {
        var received = Hl7Parser.Parse("MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|X1|P|2.5\r").Message!;
        var clock = new FixedClock(new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.Zero));
        var ack = Hl7Ack.Build(received, Hl7AckCode.Accept, options: new Hl7AckOptions { Clock = clock, TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris") });
        Assert.Equal("20260701120000+0200", ack.Header!.Get(7)); // summer time in Paris
    }

    [Theory]
    [InlineData("06 12 34 56 78", "0612345678", true)]
    [InlineData("+33 7.12.34.56.78", "+33712345678", true)]
    [InlineData("0033612345678", "0033612345678", true)]
    [InlineData("01-23-45-67-89", "0123456789", false)]
    [InlineData("(0)4 72 00 00 00", "0472000000", false)]
    public void Phones_AreNormalised_AndMobilesToldApart(string typed, string wire, bool mobile)
    {
        Assert.Equal(wire, PamPhones.Normalize(typed));
        Assert.Equal(mobile, PamPhones.IsMobile(wire));
    }

    [Fact]
    public void FindUnencodable_NamesTheCharacterAndWhereItSits()
    {
        var message = Hl7Parser.Parse("MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|X1|P|2.5\rPID|1||1^^^X^PI||DARK^ÉLISE||||||^^Łódź^^^^H\r").Message!;
        Assert.Null(Hl7Charsets.FindUnencodable(message, Hl7Charset.Utf8));
        var latin9 = Hl7Charsets.FindUnencodable(message, Hl7Charset.Latin9);
        Assert.Equal((new Hl7Location("PID", 1, 11), "U+0141"), latin9);
        var ascii = Hl7Charsets.FindUnencodable(message, Hl7Charset.Ascii);
        Assert.Equal((new Hl7Location("PID", 1, 5), "U+00C9"), ascii);
        Assert.True(Hl7Charset.Latin9.CanEncode('€'));
        Assert.False(Hl7Charset.Latin9.CanEncode('¤')); // the Latin-1 sign Latin-9 replaced by €
    }

    [Theory]
    [InlineData("UNICODE UTF-8", "\\XC3A9\\", "é")]
    [InlineData("8859/1", "\\XE9\\", "é")]
    [InlineData("8859/15", "\\XA4\\", "€")]
    public void HexEscapes_AreReadInTheMessagesCharacterSet(string msh18, string escape, string expected)
    {
        var bytes = Encoding.ASCII.GetBytes($"MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|X1|P|2.5|||||FRA|{msh18}\rPID|1||1^^^X^PI||A{escape}B\r");
        var parsed = Hl7Parser.Parse(bytes);
        Assert.Equal("A" + expected + "B", parsed.Message!.First("PID")!.Get(5));
    }

    [Fact]
    public void NonAsciiBytes_UnderADeclaredAscii_AreAnError_UnderNoDeclaration_AWarning()
    {
        var declared = Hl7Parser.Parse(Encoding.Latin1.GetBytes("MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|X1|P|2.5|||||FRA|ASCII\rPID|1||1^^^X^PI||HÉLÈNE\r"));
        Assert.Equal(Hl7Severity.Error, Assert.Single(declared.Errors).Severity);
        var undeclared = Hl7Parser.Parse(Encoding.Latin1.GetBytes("MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|X1|P|2.5\rPID|1||1^^^X^PI||HÉLÈNE\r"));
        Assert.Equal(Hl7Severity.Warning, Assert.Single(undeclared.Errors).Severity);
    }

    [Fact]
    public void Reader_TellsAbsentFromErased()
    {
        const string Msh = "MSH|^~\\&|A|B|C|D|20260101||ADT^A31^ADT_A05|X1|P|2.5^FRA^2.11\rEVN||20260101\r";
        var erased = new PamMessageReader().Read(Hl7Parser.Parse(Msh + "PID|1||1^^^X^PI||DARK^JEANNE^^^^^L~\"\"^\"\"^^^^^D||19600530|F|||\"\"^^LYON^^\"\"^^H||^PRN^PH^^^^^^^^^\"\"~^NET^Internet^\"\"\rPV1||N\r").Message!).Patient!;
        Assert.Equal(PamFields.UsedName | PamFields.UsedFirstName | PamFields.Address | PamFields.Postcode | PamFields.Phone | PamFields.Email, erased.Erased);
        Assert.Equal("LYON", erased.City);
        var absent = new PamMessageReader().Read(Hl7Parser.Parse(Msh + "PID|1||1^^^X^PI||DARK^JEANNE^^^^^L||19600530|F\rPV1||N\r").Message!).Patient!;
        Assert.Equal(PamFields.None, absent.Erased);
        Assert.Null(absent.UsedName);
        var whole = new PamMessageReader().Read(Hl7Parser.Parse(Msh + "PID|1||1^^^X^PI||DARK^JEANNE^^^^^L||19600530|F|||\"\"||\"\"\rPV1||N\r").Message!).Patient!;
        Assert.Equal(PamFields.Address | PamFields.Postcode | PamFields.City | PamFields.Phone | PamFields.Email, whole.Erased);
    }

    [Theory]
    [InlineData("2.3.1")]
    [InlineData("2.5.1")]
    [InlineData("")]
    public void AnotherVersion_IsRejectedWith203(string version)
    {
        var bytes = Encoding.ASCII.GetBytes($"MSH|^~\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|X1|P|{version}\rEVN||20260101\rPID|1||1^^^X^PI||DARK^JEANNE^^^^^L\rPV1||N\r");
        var received = PamInbound.Receive(bytes);
        Assert.Equal("AR", received.Ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Contains(received.Errors, e => e.Code == Hl7ErrorCode.UnsupportedVersionId);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
