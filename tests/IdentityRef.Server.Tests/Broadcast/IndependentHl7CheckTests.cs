using System.Text;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Broadcast;

/// <summary>The independent HL7 check itself: it passes a message built by the factory, and it catches what it is for.</summary>
public sealed class IndependentHl7CheckTests
{
    private static PamMessageHeader Header() => new()
    {
        SendingApplication = new Hd("IDREF"), SendingFacility = new Hd("CHU"), ReceivingApplication = new Hd("DPI"), ReceivingFacility = new Hd("CHU"),
        Timestamp = new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.FromHours(2)), ControlId = "C1", Charset = Hl7Charset.Latin9,
    };

    private static PamPatient Patient() => new()
    {
        Ipp = "100000001", IppAuthority = new PamAuthority("CHU", "1.2.250.1.999.1"), BirthName = "DARK", FirstNames = ["JEANNE", "MARIE"],
        UsedName = "DUPONT", BirthDate = new DateOnly(1960, 5, 30), Sex = "F", BirthPlaceCode = "88154", City = "Saint-Étienne",
        Phone = "06 01 02 03 04", Email = "j@example.org", Ins = new PamIns("260058815400233"), PidStatus = ["VALI"], ObtainingMode = "INSI",
        Erased = PamFields.Address | PamFields.Postcode,
    };

    [Hl7CheckFact]
    public void FactoryMessages_OfEveryEvent_PassTheCheck()
    {
        var factory = new PamMessageFactory();
        var other = Patient() with { Ipp = "100000002", Ins = null, PidStatus = ["PROV"] };
        byte[][] messages =
        [
            factory.CreatePatient(Header(), Patient()).ToBytes(),
            factory.UpdatePatient(Header(), Patient()).ToBytes(),
            factory.ChangeIns(Header(), Patient(), new PamIns("260058815400244")).ToBytes(),
            factory.DeleteIns(Header(), other, new PamIns("260058815400233")).ToBytes(),
            factory.Merge(Header(), Patient(), "100000009").ToBytes(),
            factory.Link(Header(), Patient(), other).ToBytes(),
            factory.Unlink(Header(), Patient(), other).ToBytes(),
        ];
        var (exit, output) = IndependentHl7Check.Run(messages);
        Assert.True(exit == 0, output);
        Assert.Contains("checked 7 message(s), 0 problem(s)", output, StringComparison.Ordinal);
    }

    [Hl7CheckFact]
    public void TheCheck_CatchesBadTimestamps_ForbiddenFields_TableValues_Order_AndCharsetLies()
    {
        const string Msh = "MSH|^~\\&|IDREF|CHU|DPI|CHU|{0}||ADT^A31^ADT_A05|C1|P|2.5^FRA^2.11|||||FRA|{1}|FR||2.11^IHE_FRANCE-2.11-PAM\r";
        string Pid(string sex = "F", string race = "") => $"PID|1||1^^^CHU&1.2.3&ISO^PI||DARK^JEANNE^JEANNE^^Mme^^L||19600530|{sex}||{race}\r";
        byte[] M(string text, Encoding? encoding = null) => (encoding ?? Encoding.UTF8).GetBytes(text);
        var cases = new (string Expected, byte[] Message)[]
        {
            ("MSH-7.1", M(string.Format(Msh, "2026030910284", "UNICODE UTF-8") + "EVN||20260309102840+0100\r" + Pid() + "PV1||N\r")),
            ("PID-10: not used in France", M(string.Format(Msh, "20260309102840+0100", "UNICODE UTF-8") + "EVN||20260309102840+0100\r" + Pid(race: "2106-3") + "PV1||N\r")),
            ("PID-8: \"X\" not in its table", M(string.Format(Msh, "20260309102840+0100", "UNICODE UTF-8") + "EVN||20260309102840+0100\r" + Pid(sex: "X") + "PV1||N\r")),
            ("segment PID required", M(string.Format(Msh, "20260309102840+0100", "UNICODE UTF-8") + "EVN||20260309102840+0100\rPV1||N\r" + Pid())),
            ("not valid UNICODE UTF-8", M(string.Format(Msh, "20260309102840+0100", "UNICODE UTF-8") + "EVN||20260309102840+0100\r" + Pid().Replace("DARK", "DÄRK", StringComparison.Ordinal) + "PV1||N\r", Encoding.Latin1)),
        };
        foreach (var (expected, message) in cases)
        {
            var (exit, output) = IndependentHl7Check.Run([message]);
            Assert.True(exit == 1, expected + ": " + output);
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Availability_IsReported()
    {
        // Locally without node or tests/hl7-check/node_modules the checks above are skipped with the reason; on CI they must run.
        if (PostgresServer.RunningOnCi)
        {
            Assert.Null(IndependentHl7Check.UnavailableReason);
        }
        else
        {
            Assert.True(IndependentHl7Check.UnavailableReason is null || IndependentHl7Check.UnavailableReason.Length > 0);
        }
    }
}
