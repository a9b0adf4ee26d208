using System.Net;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>
/// Two servers on one database: weights learnt on one (a row of <c>match_weights</c>) are used by the other at its next
/// look for newer weights (<c>Duplicates:WeightsRefreshSeconds</c>, 0 here: at every use), not at its next restart, so
/// that two desks on two servers do not class one pair differently.
/// </summary>
public sealed class WeightsAcrossServersTests
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task WeightsLearntOnAnotherServer_AreUsedHere_WithoutARestart(DatabaseProvider provider)
    {
        var settings = new Dictionary<string, string?> { ["Duplicates:WeightsRefreshSeconds"] = "0" };
        using var learning = new IdentityRefFactory(provider, settings);
        using var other = new IdentityRefFactory(provider, settings, connectionString: learning.ConnectionString);
        var client = other.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/patients", PatientJson.Valid("POIDS" + PatientJson.UniqueLetters()).Content())).StatusCode);
        Assert.Equal("default", await WeightsSourceAsync(client));

        // The first server learns weights (as a training stores them); the second never restarts.
        using (var scope = learning.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var learnt = MatchWeights.Default;
            db.MatchWeights.Add(new StoredMatchWeights { CreatedAt = DateTimeOffset.UtcNow, Source = "em", Records = 1000, Json = learnt.ToJson() });
            await db.SaveChangesAsync();
        }

        Assert.Equal("learnt", await WeightsSourceAsync(client));
    }

    /// <summary>The weights the server scores with, as an incremental detection run reports them.</summary>
    private static async Task<string> WeightsSourceAsync(HttpClient client)
    {
        var run = await client.PostAsync("/api/duplicates/detect?full=false", null);
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        return (string)(await run.ReadObjectAsync())["weightsSource"]!;
    }
}
