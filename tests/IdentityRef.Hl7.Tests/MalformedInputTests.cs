using System.Text;
using IdentityRef.Hl7.Pam;

namespace IdentityRef.Hl7.Tests;

/// <summary>Hostile and broken inputs: nothing may throw, each must give coded errors and an ACK with ERR.</summary>
public sealed class MalformedInputTests
{
    private const string GoodMsh = "MSH|^~\\&|S|F|R|F|20260101||ADT^A28^ADT_A05|42|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR\r";

    private static byte[] A(string text) => Encoding.Latin1.GetBytes(text);

    public static TheoryData<string, byte[]> Corpus()
    {
        var data = new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "truncated MSH 3", A("MSH") },
            { "truncated MSH 6", A("MSH|^~") },
            { "MSH without fields", A("MSH|^~\\&") },
            { "MSH without type", A("MSH|^~\\&|S|F|R|F|20260101\rPID|1\r") },
            { "duplicate delimiters", A("MSH|^^\\&|S|F|R|F|20260101||ADT^A28|42|P|2.5\r") },
            { "letter as field separator", A("MSHX^~\\&XSXF\r") },
            { "short encoding characters", A("MSH|^~|S|F|R|F|20260101||ADT^A28|42|P|2.5\r") },
            { "CR as field separator", A("MSH\r^~\\&\r") },
            { "missing MSH", A("PID|1||123^^^X^PI||DOE^JOHN\r") },
            { "leading garbage", A("xxMSH|^~\\&|S|F|R|F|20260101||ADT^A28|42|P|2.5\r") },
            { "lower-case segment", A(GoodMsh + "evn||20260101\rpid|1\r") },
            { "invalid UTF-8", [.. A(GoodMsh + "EVN||20260101\rPID|1||1^^^X^PI||DOE"), 0xC3, 0x28, 0xFF, 0xFE, .. A("\r")] },
            { "non-ASCII without MSH-18", [.. A("MSH|^~\\&|S|F|R|F|20260101||ADT^A28^ADT_A05|42|P|2.5\rEVN||1\rPID|1||1^^^X^PI||H"), 0xC9, .. A("\rPV1||N\r")] },
            { "unknown charset", A("MSH|^~\\&|S|F|R|F|20260101||ADT^A28^ADT_A05|42|P|2.5|||||FRA|KOI8-R\rEVN||1\r") },
            { "huge field count", A(GoodMsh + "EVN||1\rPID" + new string('|', 200_000) + "\r") },
            { "huge repetition count", A(GoodMsh + "EVN||1\rPID|1||" + string.Concat(Enumerable.Repeat("1^^^X^PI~", 50_000)) + "\r") },
            { "unterminated escape", A(GoodMsh + "EVN||1\rPID|1||1^^^X^PI||DOE\\F^JOHN\r") },
            { "odd hex escape", A(GoodMsh + "EVN||1\rPID|1||1^^^X^PI||DOE\\X4\\^JOHN\r") },
            { "unknown escape", A(GoodMsh + "EVN||1\rPID|1||1^^^X^PI||DOE\\Q\\^JOHN\r") },
            { "NUL bytes", A(GoodMsh + "EVN||1\rPID|1||1\0\0^^^X^PI||\0\r") },
            { "blank lines inside", A(GoodMsh + "\r\rEVN||1\r") },
            { "UTF-8 BOM", [0xEF, 0xBB, 0xBF, .. A(GoodMsh + "EVN||1\r")] },
            { "unsupported trigger", A("MSH|^~\\&|S|F|R|F|20260101||ADT^Z99^ADT_A05|42|P|2.5\rEVN||1\r") },
            { "MLLP framing left in", [0x0B, .. A(GoodMsh), 0x1C, 0x0D] },
        };
        var random = new Random(20260309);
        for (int i = 0; i < 40; i++)
        {
            var bytes = new byte[random.Next(0, 600)];
            random.NextBytes(bytes);
            data.Add($"random {i}", bytes);
            var tail = new byte[random.Next(1, 400)];
            random.NextBytes(tail);
            data.Add($"valid MSH + random {i}", [.. A(GoodMsh), .. tail]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void MalformedInput_NeverThrows_GivesCodedErrorsAndAnAckWithErr(string name, byte[] input)
    {
        foreach (var options in new[] { Hl7ParseOptions.Lenient, Hl7ParseOptions.Strict })
        {
            var parsed = Hl7Parser.Parse(input, options);
            var errors = parsed.Errors.ToList();
            if (parsed.Message is { } message)
            {
                errors.AddRange(new PamMessageReader(new PamReaderOptions { Strictness = options.Strictness }).Read(message).Errors);
            }
            var ack = Hl7Ack.BuildForBytes(input, parsed, extraErrors: errors.Skip(parsed.Errors.Count));

            Assert.NotEmpty(errors);
            Assert.All(errors, e => Assert.True(Enum.IsDefined(e.Code), name));
            var reparsed = Hl7Parser.Parse(ack.ToBytes(), Hl7ParseOptions.Strict);
            Assert.True(reparsed.IsSuccess, name + ": " + string.Join("; ", reparsed.Errors));
            Assert.Contains(reparsed.Message!.Msa()!.Value.AcknowledgmentCode, new[] { "AA", "AE", "AR" });
            Assert.NotEmpty(reparsed.Message!.Errs());
        }
    }

    [Fact]
    public void MissingMsh_IsRejectedWithSegmentSequenceError()
    {
        var input = A("PID|1||123^^^X^PI\r");

        var parsed = Hl7Parser.Parse(input);
        var ack = Hl7Ack.BuildForBytes(input, parsed);

        Assert.Null(parsed.Message);
        Assert.Equal(Hl7ErrorCode.SegmentSequenceError, Assert.Single(parsed.Errors).Code);
        Assert.Equal("AR", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal(string.Empty, ack.Msa()!.Value.ControlId);
    }

    [Fact]
    public void BadDelimiters_AckStillEchoesTheControlIdItCouldSalvage()
    {
        var input = A("MSH|^^\\&|S|F|R|F|20260101||ADT^A28|42|P|2.5\r");

        var parsed = Hl7Parser.Parse(input);
        var ack = Hl7Ack.BuildForBytes(input, parsed);

        Assert.Null(parsed.Message);
        Assert.Equal((Hl7ErrorCode.DataTypeError, new Hl7Location("MSH", 1, 2)), (parsed.Errors[0].Code, parsed.Errors[0].Location));
        Assert.Equal("42", ack.Msa()!.Value.ControlId);
        Assert.Equal("R", ack.Header!.Get(3));
    }

    [Fact]
    public void InvalidUtf8_IsLocatedInTheSegmentAndField()
    {
        byte[] input = [.. A(GoodMsh + "EVN||1\rPID|1||1^^^X^PI||DOE"), 0xC3, 0x28, .. A("\r")];

        var strict = Hl7Parser.Parse(input, Hl7ParseOptions.Strict);
        var lenient = Hl7Parser.Parse(input);

        var error = Assert.Single(strict.Errors);
        Assert.Equal((Hl7ErrorCode.DataTypeError, Hl7Severity.Error, new Hl7Location("PID", 1, 5)), (error.Code, error.Severity, error.Location));
        // MSH-18 declares UTF-8: bytes that do not decode are an error under either policy (the ACK is AE)
        Assert.False(lenient.IsSuccess);
        Assert.Equal(Hl7Severity.Error, Assert.Single(lenient.Errors).Severity);
        Assert.Equal("DOE\uFFFD(", lenient.Message!.First("PID")!.Get(5));
    }

    [Fact]
    public void HugeFieldCount_IsCappedWithAnError()
    {
        var input = A(GoodMsh + "PID" + new string('|', 200_000) + "\r");

        var parsed = Hl7Parser.Parse(input);

        Assert.Equal(500, parsed.Message!.First("PID")!.FieldCount);
        Assert.Contains(parsed.Errors, e => e.IsError && e.Location == new Hl7Location("PID", 1, 501));
    }
}
