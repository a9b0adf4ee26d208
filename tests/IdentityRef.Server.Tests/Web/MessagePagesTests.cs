using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Application.Security;
using IdentityRef.Server.Tests.Jobs;
using IdentityRef.Server.Tests.Support;

namespace IdentityRef.Server.Tests.Web;

/// <summary>The message monitor's search (IPP, event) and the page that reads one message, masking the INS of an identity no longer qualified.</summary>
public sealed class MessagePagesTests
{
    [Fact]
    public async Task Messages_SearchByIppAndEvent_ShowTheIpp_AndOneMessageReadsFieldByField_TheInsMaskedOnceNotQualified()
    {
        await using var host = await JobsTestHost.StartAsync();
        using var closed = new IdentityRef.Tests.ReservedPort(); // never listening: the messages stay in the queue
        var subscription = await host.Client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI" + PatientJson.UniqueLetters(), ["host"] = "127.0.0.1", ["port"] = closed.Port, ["receivingApplication"] = "DPI", ["receivingFacility"] = "H",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, subscription.StatusCode);
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Nessi", "Michelangelo", "2010-08-07", "M"), withDocument: true);
        var other = await host.CreateAsync(JobsTestHost.Person("Adrtrois", "Dominique", "1997-02-26", "F"));
        var ins = (string)(await (await host.Client.GetAsync($"/api/patients/{ipp}")).ReadObjectAsync())["ins"]!["value"]!;
        var client = await IntegrationPagesTests.SignedInAsAsync(host.Factory, Roles.Integrateur);

        var found = WebUtility.HtmlDecode(await client.GetStringAsync($"/messages?ipp={ipp}"));
        Assert.Contains($"href=\"/identites/{ipp}\"", found);
        Assert.DoesNotContain($"href=\"/identites/{other}\"", found);
        Assert.Contains("table-wrap", found);
        var updates = WebUtility.HtmlDecode(await client.GetStringAsync($"/messages?ipp={ipp}&evenement=A31"));
        Assert.DoesNotContain("A28 — création</td>", updates);
        Assert.Contains("A31 — modification</td>", updates);
        var odd = await client.GetAsync("/messages?ipp=%3Cb%3E&evenement=ZZZ&state=nimporte");
        Assert.Equal(HttpStatusCode.OK, odd.StatusCode);
        Assert.Contains("Aucun message pour ce filtre.", WebUtility.HtmlDecode(await odd.Content.ReadAsStringAsync()));

        var messageId = System.Text.RegularExpressions.Regex.Match(updates, "href=\"/messages/(\\d+)\"").Groups[1].Value;
        var qualified = WebUtility.HtmlDecode(await client.GetStringAsync($"/messages/{messageId}"));
        Assert.Contains("PID-3", qualified);
        Assert.Contains("identifiants du patient (IPP, INS)", qualified);
        Assert.Contains(ins, qualified);
        Assert.DoesNotContain("INS masqué", qualified);

        // Doubtful now: PROV, the INS must no longer be shown, even in a message sent while it was qualified.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PutAsync($"/api/patients/{ipp}/attributes", new JsonObject { ["attributes"] = new JsonArray("douteuse") }.Content())).StatusCode);
        var masked = WebUtility.HtmlDecode(await client.GetStringAsync($"/messages/{messageId}"));
        Assert.Contains("INS masqué", masked);
        Assert.Contains("(masqué)", masked);
        Assert.DoesNotContain(ins, masked);

        var unknown = await client.GetAsync("/messages/987654321");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("Message introuvable", WebUtility.HtmlDecode(await unknown.Content.ReadAsStringAsync()));
    }
}
