using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Broadcast;

/// <summary>
/// The date of death: in the API (PUT/POST, refused before the birth or in the future), audited, sent as PID-29 with
/// PID-30 Y (and as <c>""</c>/N when cancelled) through a real MLLP receiver checked by the independent HL7 library,
/// and read from inbound messages.
/// </summary>
public sealed class DeathTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Hl7:RetryMinSeconds"] = "0.1",
        ["Hl7:RetryMaxSeconds"] = "0.2",
        ["Hl7:ReceivingApplication"] = "IDENTITYREF",
        ["Hl7:ReceivingFacility"] = "HOPITAL",
    };

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task ADeath_IsRecordedAudited_AndSentInTheA31_ItsCancellationAsHl7Null_AndABadDateIs400NamingTheField(DatabaseProvider provider)
    {
        await using var downstream = new FakeDownstream();
        using var factory = new IdentityRefFactory(provider, Settings);
        var client = factory.CreateClient();
        await SubscribeAsync(client, downstream.Port);
        var body = PatientJson.Valid(); // born 1975-04-12
        var ipp = await CreateAsync(client, body);
        var a28 = (await downstream.WaitForAsync(1))[0].Pid()!.Value.Segment;
        Assert.Equal(("", ""), (a28.Field(29).Raw, a28.Field(30).Raw)); // alive: nothing said in a creation

        var died = await PutAsync(client, ipp, body.With("deathDate", "2024-03-15"));
        Assert.Equal(HttpStatusCode.OK, died.StatusCode);
        Assert.Equal("2024-03-15", (string)(await died.ReadObjectAsync())["deathDate"]!);
        var a31 = (await downstream.WaitForAsync(2))[1];
        Assert.Equal("A31", a31.TriggerEvent);
        Assert.Equal(("20240315", "Y"), (a31.Pid()!.Value.Segment.Field(29).Raw, a31.Pid()!.Value.Segment.Field(30).Raw));
        var history = await (await client.GetAsync($"/api/patients/{ipp}/history")).ReadArrayAsync();
        Assert.Contains(history, h => (string?)h!["after"]?["deathDate"] == "2024-03-15" && h["before"]!["deathDate"] is null);

        // mistaken and hostile dates: 400 naming the field, nothing written, nothing sent
        foreach (var (date, code) in new[] { ("1970-01-01", "before-birth"), (DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd"), "future-date"),
                     ("2024-13-01", "invalid-date"), ("15/03/2024", "invalid-date"), ("2024-03-15T10:00:00' OR 1=1", "invalid-date") })
        {
            var refused = await PutAsync(client, ipp, body.With("deathDate", date));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.ReadObjectAsync();
            Assert.Contains(problem["fieldErrors"]!.AsArray(), e => (string)e!["field"]! == "deathDate" && (string)e["code"]! == code);
        }
        var created = await client.PostAsync("/api/patients", PatientJson.Valid().With("deathDate", "1960-01-01").Content());
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains("deathDate", await created.ErrorFieldsAsync());
        Assert.Equal("2024-03-15", (string)(await (await client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["deathDate"]!);

        // the death was recorded by mistake: cancelled, and the receivers told to erase it
        var cancelled = await PutAsync(client, ipp, body);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Null((await cancelled.ReadObjectAsync())["deathDate"]);
        var third = (await downstream.WaitForAsync(3))[2].Pid()!.Value.Segment;
        Assert.Equal(("\"\"", "N"), (third.Field(29).Raw, third.Field(30).Raw));
        await Task.Delay(300);
        Assert.Equal(3, downstream.Received.Count); // the refused changes sent nothing
    }

    [Fact]
    public async Task InboundDeath_IsRead_KeptWhenAbsent_ErasedByHl7Null_AndABadDeathIsAeAtPid29()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, Settings);
        factory.CreateClient();
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        await using var sender = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });

        Assert.Equal("AA", Code(await SendAsync(sender, Adt("A28", "20240101", "Y"))));
        Assert.Equal(new DateOnly(2024, 1, 1), await DeathAsync(factory));
        Assert.Equal("AA", Code(await SendAsync(sender, Adt("A31", "", "")))); // absent: unchanged
        Assert.Equal(new DateOnly(2024, 1, 1), await DeathAsync(factory));

        foreach (var (death, indicator, location, code) in new[]
                 {
                     ("19500101", "Y", "PID^1^29^1^1", "102"), // before the birth (1970-01-01)
                     (DateTime.UtcNow.AddDays(3).ToString("yyyyMMdd"), "Y", "PID^1^29^1^1", "102"), // in the future
                     ("2024AB01", "Y", "PID^1^29", "102"), // not a date
                     ("20240101", "X", "PID^1^30", "103"), // not in table 0136
                     ("20240101", "N", "PID^1^30", "103"), // a date of death for someone said alive
                 })
        {
            var refused = await SendAsync(sender, Adt("A31", death, indicator));
            Assert.Equal("AE", Code(refused));
            var err = refused.Errs().First(e => e.Segment.Get(4) == "E").Segment;
            Assert.Equal((location, code), (err.Field(2).Repetition(1).ToString(), err.Get(3, 1, 1)));
            Assert.Equal(new DateOnly(2024, 1, 1), await DeathAsync(factory)); // nothing written
        }

        var noDate = await SendAsync(sender, Adt("A31", "", "Y"));
        Assert.Equal("AA", Code(noDate));
        Assert.Contains(noDate.Errs(), e => e.Segment.Get(4) == "W" && e.Segment.Field(2).Repetition(1).ToString() == "PID^1^29");

        Assert.Equal("AA", Code(await SendAsync(sender, Adt("A31", "\"\"", "N"))));
        Assert.Null(await DeathAsync(factory));
    }

    private static string Adt(string trigger, string death, string indicator, string civility = "M.")
    {
        var pid = new string[31];
        Array.Fill(pid, "");
        pid[0] = "PID";
        pid[1] = "1";
        pid[3] = "601^^^LAB&1.2.250.1.999&ISO^PI";
        pid[5] = $"DECES^PAUL^PAUL^^{civility}^^L";
        pid[7] = "19700101";
        pid[8] = "M";
        pid[29] = death;
        pid[30] = indicator;
        return $"MSH|^~\\&|LAB|HOP|IDENTITYREF|HOPITAL|20260101120000+0100||ADT^{trigger}^ADT_A05|D{Guid.NewGuid():N}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8|FR\r"
            + "EVN||20260101120000\r" + string.Join('|', pid) + "\rPV1||N\r";
    }

    private static async Task<DateOnly?> DeathAsync(IdentityRefFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var id = await db.Identifiers.Where(i => i.Value == "601").Select(i => i.IdentityId).SingleAsync();
        return await db.Identities.Where(i => i.Id == id).Select(i => i.DeathDate).SingleAsync();
    }

    private static string Code(Hl7Message ack) => ack.Msa()!.Value.AcknowledgmentCode;

    private static async Task<Hl7Message> SendAsync(MllpClient client, string text)
    {
        var result = await client.SendAsync(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsAcknowledged, result.Detail);
        IndependentHl7Check.AssertConform([result.Response!], "the ACK of the inbound listener");
        return Hl7Parser.Parse(result.Response!).Message!;
    }

    private static async Task<string> CreateAsync(HttpClient client, JsonObject body)
    {
        var response = await client.PostAsync("/api/patients", body.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, string ipp, JsonObject body)
    {
        var read = await client.GetAsync($"/api/patients/{ipp}");
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = body.Content() };
        put.Headers.IfMatch.Add(read.Headers.ETag!);
        return await client.SendAsync(put);
    }

    private static async Task SubscribeAsync(HttpClient client, int port) =>
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
            ["charset"] = "UNICODE UTF-8",
        }.Content())).StatusCode);
}
