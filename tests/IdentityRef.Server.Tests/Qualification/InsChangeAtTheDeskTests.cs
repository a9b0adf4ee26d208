using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Domain.Ins;
using IdentityRef.Insi.Simulator;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Jobs;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Qualification;

/// <summary>
/// The desk never changes an INS from INSi on a doubtful answer: an answer left undecided is refused once a later call gave
/// or confirmed the INS the identity holds (it would take back what that call replaced), and an answer whose INS its history
/// does not link to the one held goes to the cell.
/// </summary>
public sealed class InsChangeAtTheDeskTests
{
    private static string Key(string matricule13) => PatientJson.InsKey(matricule13);

    private static Task<JsonObject> OkAsync(HttpResponseMessage response) => response.ReadOkObjectAsync();

    /// <summary>
    /// A desk's answer (the NIA) left undecided; the re-verification job then takes the person's new NIR. The desk clicks
    /// "accept" on the page it left open (no callId, as the page does): refused, the NIR stays, nothing is sent.
    /// </summary>
    [Fact]
    public async Task UndecidedAnswer_OlderThanTheJobsReplacement_IsRefused_TheNirStays_AndNothingIsSent()
    {
        await using var host = await JobsTestHost.StartAsync();
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Provisoire", "Matricule", "2009-07-01", "M"), withDocument: true);
        Assert.Equal("109076322088835", (await host.IdentityAsync(ipp)).InsValue); // a NIA

        await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", null)); // answered, left undecided

        var nirMatricule = "1090763220" + "123";
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Select(p => p.BirthName == "PROVISOIRE"
            ? p with { Ins = new SimulatedIns(nirMatricule, Key(nirMatricule), InsOids.Nir), History = [p.Ins] }
            : p));
        host.Clock.Advance(TimeSpan.FromDays(400));
        var counters = await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRef.Application.Jobs.InsReverifier>().RunAsync(default))
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, counters["replaced"]);
        var nir = nirMatricule + Key(nirMatricule);
        Assert.Equal(nir, (await host.IdentityAsync(ipp)).InsValue);
        var lastMessage = await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().Outbox.MaxAsync(m => (long?)m.Id));

        var accept = await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null);

        Assert.Equal(HttpStatusCode.Conflict, accept.StatusCode);
        Assert.Equal("insi-answer-stale", (string)(await accept.ReadObjectAsync())["rule"]!);
        Assert.Equal(nir, (await host.IdentityAsync(ipp)).InsValue);
        Assert.Equal(lastMessage, await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().Outbox.MaxAsync(m => (long?)m.Id)));

        // A new call gives the present answer, which the desk may accept.
        await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", null));
        await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null));
        Assert.Equal(nir, (await host.IdentityAsync(ipp)).InsValue);
    }

    /// <summary>
    /// A qualified identity holds INS X from INSi. A new search answers another NIR Y, same traits, whose history does not name
    /// X: refused at the desk (409 insi-different-ins), X stays, nothing is sent, the cell has the answer in its queue. The same
    /// renewal with X in Y's history is accepted (one A47, X in MRG-1).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnotherNir_WhoseHistoryDoesNotNameTheInsHeld_GoesToTheCell_ALinkedOneIsAccepted(bool linked)
    {
        await using var host = await JobsTestHost.StartAsync();
        var ipp = await host.QualifyAsync(JobsTestHost.Person("Adrun", "Zoe", "1975-12-31", "F"), withDocument: true);
        var held = (await host.IdentityAsync(ipp)).InsValue!;
        var renewed = "2751263220" + "777";
        host.Insi.Simulator = new InsiSimulator(TestInsiServer.ShippedIdentities().Select(p => p.BirthName == "ADRUN"
            ? p with { Ins = new SimulatedIns(renewed, Key(renewed), InsOids.Nir), History = linked ? [p.Ins] : [] }
            : p));
        await OkAsync(await host.Client.PostAsync($"/api/patients/{ipp}/insi/search", null));
        var lastMessage = await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().Outbox.MaxAsync(m => (long?)m.Id));

        var accept = await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null);

        if (linked)
        {
            await OkAsync(accept);
            Assert.Equal(renewed + Key(renewed), (await host.IdentityAsync(ipp)).InsValue);
            return;
        }
        Assert.Equal(HttpStatusCode.Conflict, accept.StatusCode);
        Assert.Equal("insi-different-ins", (string)(await accept.ReadObjectAsync())["rule"]!);
        Assert.Equal(held, (await host.IdentityAsync(ipp)).InsValue);
        Assert.Equal(lastMessage, await host.WithScopeAsync(sp => sp.GetRequiredService<IdentityRefDbContext>().Outbox.MaxAsync(m => (long?)m.Id)));
        var items = (await OkAsync(await host.Client.GetAsync("/api/duplicates?kind=collision&state=open")))["items"]!.AsArray();
        Assert.Contains(items, i => (string)i!["class"]! == "insi-contradiction");
        // asked again, the desk is told the cell has it
        var again = await host.Client.PostAsync($"/api/patients/{ipp}/insi/accept", null);
        Assert.Equal("collision-pending", (string)(await again.ReadObjectAsync())["rule"]!);
    }
}
