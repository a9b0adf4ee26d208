using IdentityRef.Application.Duplicates;
using IdentityRef.Matching;
using IdentityRef.Server.Duplicates;

namespace IdentityRef.Server.Tests.Duplicates;

/// <summary>Check-before-create ranks a large candidate set on two threads: the answer must be that of one call.</summary>
public sealed class CandidateRankingTests
{
    [Fact]
    public async Task RankingInTwoHalves_GivesTheMatchersOwnOrder_WithTies()
    {
        var engine = new MatchEngine(new MatchingOptions());
        var probe = new MatchRecord("probe", "LEFEBVRE", ["MARIE", "ANNE"], BirthDate: new DateOnly(1980, 3, 4), Sex: 'F', Postcode: "59000", City: "LILLE");
        string[] names = ["LEFEBVRE", "LEFEVRE", "LEFEBURE", "DUPONT"];
        string[][] firsts = [["MARIE", "ANNE"], ["MARIE"], ["ANNE", "MARIE"], ["MARINE"], ["PAUL"]];
        DateOnly[] dates = [new(1980, 3, 4), new(1980, 4, 3), new(1981, 3, 4), new(1950, 3, 4)];
        var candidates = new List<MatchRecord>();
        for (var i = 0; i < 3 * names.Length * firsts.Length * dates.Length; i++)
        {
            // Every combination three times under different ids: many equal scores, ordered by id.
            candidates.Add(new MatchRecord($"id-{(i * 7919) % 1000:000}-{i}", names[i % names.Length], firsts[(i / names.Length) % firsts.Length],
                BirthDate: dates[(i / (names.Length * firsts.Length)) % dates.Length], Sex: 'F', Postcode: "59000", City: "LILLE"));
        }
        Assert.True(candidates.Count >= DuplicateCandidates.RankInParallelFrom);

        var expected = engine.RankCandidates(probe, candidates).Where(r => r.Class != MatchClass.Distinct).ToList();
        var ranked = await DuplicateCandidates.RankAsync(engine, probe, candidates);

        Assert.Contains(expected, r => r.Class == MatchClass.Probable);
        Assert.Equal(expected.Select(r => (r.IdB, r.Score, r.Class)), ranked.Select(r => (r.IdB, r.Score, r.Class)));
    }
}
