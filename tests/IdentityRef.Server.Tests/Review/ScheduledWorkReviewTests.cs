using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityRef.Application.Jobs;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Insi.Simulator;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Jobs;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Review;

/// <summary>Adversarial review of the INSi adapter as the server uses it, and of the scheduled INSi work (re-verification, retry).</summary>
public sealed class ScheduledWorkReviewTests
{
    private static readonly TimeSpan PastMaxAge = TimeSpan.FromDays(400); // the default age is 365 days

    // InsiXml.TryLoad puts no bound on the nesting depth. Measured: elements in no namespace nested under a prefixed element load in
    // quadratic time (20,000 levels 2.5 s, 40,000 levels 8.5 s of CPU), and InsiXml.Text then reads XElement.Value, which recurses
    // once per level (XContainer.AppendText) and overflows the stack — uncatchable, the process dies — from ~100,000 levels on a
    // 1.5 MB thread, ~400,000 on 8 MB. The simulator is mapped anonymously and by default (InsiSimulator:Enabled = true, README)
    // and reads the whole request (Kestrel's 30 MB limit): this one unauthenticated 3.5 MB POST keeps a core busy for many minutes
    // (observed > 3 min, no answer) before the overflow. The INSi client shares the parser and parses synchronously after its
    // per-attempt timeout can act: a 1 MiB hostile answer holds a thread for ~2 min whatever Insi:TimeoutSeconds says.
    // Expected: a depth limit in InsiXml.TryLoad, the request answered at once with a fault, the server serving.
    [Fact]
    public async Task SimulatorRequestNestedVeryDeeply_IsAFault_AndTheServerKeepsServing()
    {
        const int depth = 500_000;
        var request = new StringBuilder("""<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header><wsa:MessageID xmlns:wsa="http://www.w3.org/2005/08/addressing">""");
        request.Insert(request.Length, "<a>", depth).Insert(request.Length, "</a>", depth);
        request.Append("</wsa:MessageID></soap:Header><soap:Body><x/></soap:Body></soap:Envelope>");

        var work = Directory.CreateTempSubdirectory("identityref-review-insi-");
        try
        {
            using var server = await ServingServer.StartAsync("review-insi-key-0123456789", new Dictionary<string, string>
            {
                ["ConnectionStrings__IdentityRef"] = $"Data Source={Path.Combine(work.FullName, "review.db")}",
                ["Database__Provider"] = "Sqlite",
                ["Hl7__ListenPort"] = "-1",
                ["Scheduler__Enabled"] = "false",
            });
            using var anonymous = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            using var content = new StringContent(request.ToString(), Encoding.UTF8, "application/soap+xml");

            HttpResponseMessage? answer = null;
            Exception? failure = null;
            try
            {
                answer = await anonymous.PostAsync("/simulators/insi", content);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failure = e; // no answer within 30 s, or the connection dropped (the process died)
            }

            Assert.Null(failure);
            Assert.Contains("Fault", await answer!.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }
}
