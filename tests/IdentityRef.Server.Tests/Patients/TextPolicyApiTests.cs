using System.Net;
using System.Text;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Cli;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Patients;

/// <summary>One text policy (Domain <c>TextPolicy</c>) on every entry path: API, import, inbound HL7; the field is named, nothing is written.</summary>
public sealed class TextPolicyApiTests(Databases databases) : IClassFixture<Databases>
{
    public static TheoryData<string, string> Hostile => new()
    {
        { "email", "jp\0@example.org" },
        { "email", "jp\a@example.org" },
        { "address", "12 rue des Lilas\u202E" },
        { "city", "\u202EParis" },
        { "city", "Par\u2066is" },
        { "address", "12 rue des \uFFFDLilas" },
        { "address", "12 rue\0des Lilas" },
        { "phone", "01 23 45\u000B67 89" },
        { "postcode", "750\u009C12" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Api_RefusedCharacter_Is400NamingTheField_AndWritesNothing(string field, string value)
    {
        var client = databases[DatabaseProvider.Sqlite].CreateClient();
        var name = "TEST" + PatientJson.UniqueLetters();
        var response = await client.PostAsync("/api/patients", PatientJson.Valid(name).With(field, value).Content());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([field], await response.ErrorFieldsAsync());
        var found = await (await client.GetAsync($"/api/patients?birthName={name}")).ReadObjectAsync();
        Assert.Equal(0, (int)found["total"]!);
    }

    [Fact]
    public async Task Import_RefusedCharacters_RejectTheRowNamingTheColumn()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var csv = Path.Combine(Path.GetTempPath(), $"text-policy-{Guid.NewGuid():N}.csv");
        var name = "TEST" + PatientJson.UniqueLetters();
        await File.WriteAllTextAsync(csv,
            "external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone\n" +
            $"X\u0001,{name},Jean,1975-04-12,M,75112,,,,,,\n" +
            $"X2,{name},Jean,1975-04-12,M,75112,,,12 rue\u202E des Lilas,,,\n" +
            $"X3,{name},Jean,1975-04-12,M,75112,,,,,Par\uFFFDis,\n", new UTF8Encoding(false));
        var rejects = csv + ".rejects";
        try
        {
            var exit = await new ImportCommand(factory.Services).RunAsync(new FileInfo(csv), "policy", batchSize: 10, new FileInfo(rejects), CancellationToken.None);

            Assert.Equal(1, exit); // nothing imported
            var lines = await File.ReadAllLinesAsync(rejects);
            Assert.Equal(3, lines.Length);
            Assert.StartsWith("line 2: external_id:", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("line 3: address:", lines[1], StringComparison.Ordinal);
            Assert.StartsWith("line 4: city:", lines[2], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(csv);
            File.Delete(rejects);
        }
    }

    public static TheoryData<string, string, string> HostileHl7 => new()
    {
        // case, PID-3 and PID-11 as sent, ERR-2 expected (segment^sequence^field)
        { "NUL in an identifier", "AB\0C^^^SRC&1.2.3&ISO^PI", "PID^1^3" },
        { "control character in an identifier system", "ABC^^^SR\u0007C&1.2.3&ISO^PI", "PID^1^3" },
        { "replacement character in the address", "ABC^^^SRC&1.2.3&ISO^PI|||12 rue \uFFFD des Lilas^^PARIS^^75012", "PID^1^11" },
        { "bidi override in the city", "ABC^^^SRC&1.2.3&ISO^PI|||12 rue des Lilas^^\u202EPARIS^^75012", "PID^1^11" },
    };

    [Theory]
    [MemberData(nameof(HostileHl7))]
    public async Task Hl7_RefusedCharacters_AreAnsweredAeWithTheLocation(string scenario, string pid3AndMore, string location)
    {
        var factory = databases[DatabaseProvider.Sqlite];
        factory.CreateClient();
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        await using var sender = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });
        var parts = pid3AndMore.Split("|||", 2); // PID-3, then PID-11 when given
        var pid = $"PID|1||{parts[0]}||DUPONT^JEAN^^^^^L||19750412|M" + (parts.Length > 1 ? "|||" + parts[1] : "");
        var text = "MSH|^~\\&|SRC|FAC|IDENTITYREF|HOPITAL|20260101120000||ADT^A28^ADT_A05|TP1|P|2.5|||||FRA|UNICODE UTF-8\r"
            + "EVN||20260101120000\r" + pid + "\rPV1|1|N\r";

        var answer = await sender.SendAsync(Encoding.UTF8.GetBytes(text));

        Assert.True(answer.IsAcknowledged, $"{scenario}: {answer.Detail}");
        var ack = Hl7Parser.Parse(answer.Response!).Message!;
        Assert.True("AE" == ack.Msa()!.Value.AcknowledgmentCode, $"{scenario}: {ack.Msa()!.Value.AcknowledgmentCode}");
        var error = ack.Errs().First(e => e.Segment.Get(4) == "E");
        Assert.StartsWith(location, error.Segment.Field(2).Repetition(1).ToString(), StringComparison.Ordinal);
    }
}
