using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Application.Security;
using IdentityRef.Server.Tests.Jobs;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Web;

/// <summary>
/// The message monitor's search (IPP, event), the page that reads one message, masking the INS of an identity no longer qualified, and
/// the resend button, which says in French why an old message is not sent again.
/// </summary>
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

    [Fact]
    public async Task Resend_OfAMessageSupersededByALaterOne_IsRefusedInFrench_NamingIt_AndTheLatestIsResent()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Hl7:DispatcherEnabled"] = "false" });
        var api = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = 9, ["receivingApplication"] = "DPI", ["receivingFacility"] = "H",
        }.Content())).StatusCode);
        var ipp = (string)(await (await api.PostAsync("/api/patients", PatientJson.Valid("DUPONT").Content())).ReadObjectAsync())["ipp"]!;
        var read = await api.GetAsync($"/api/patients/{ipp}");
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = PatientJson.Valid("DURAND").Content() };
        put.Headers.IfMatch.Add(read.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(put)).StatusCode);
        async Task<List<OutboxMessage>> OutboxAsync()
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Outbox.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
        }
        var (a28, a31) = (await OutboxAsync()) switch { [var first, var second] => (first, second), var all => throw new InvalidOperationException($"{all.Count} messages") };
        Assert.Equal(("A28", "A31"), (a28.Event, a31.Event));
        var client = await IntegrationPagesTests.SignedInAsAsync(factory, Roles.Integrateur);

        var refused = await WebForms.PostAsync(client, "/messages", new Dictionary<string, string>(), $"/messages?handler=Resend&id={a28.Id}&ipp={ipp}");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Contains($"Renvoi refusé : un message plus récent concerne ce patient pour ce système (n° {a31.Id}).", html);
        Assert.Contains("Renvoyez plutôt le message le plus récent de ce patient", html);
        Assert.DoesNotContain("renvoyé : sa copie", html);
        Assert.Equal(2, (await OutboxAsync()).Count);

        var resent = WebUtility.HtmlDecode(await (await WebForms.PostAsync(client, "/messages", new Dictionary<string, string>(),
            $"/messages?handler=Resend&id={a31.Id}")).Content.ReadAsStringAsync());
        var copy = (await OutboxAsync()).Last();
        Assert.True(copy.Id > a31.Id);
        Assert.Equal((a31.IdentityId, "A31", OutboxStates.Pending), (copy.IdentityId, copy.Event, copy.State));
        Assert.Contains($"Message n° {a31.Id} renvoyé : sa copie n° {copy.Id}", resent);
        Assert.DoesNotContain("Renvoi refusé", resent);
    }
}
