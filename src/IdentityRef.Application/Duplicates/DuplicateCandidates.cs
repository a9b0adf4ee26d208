using IdentityRef.Application.Audit;
using IdentityRef.Domain.Identities;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using IdentityRef.Application.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Duplicates;

/// <summary>A scored candidate of check-before-create, with the columns of the identity it designates (its IPP among them).</summary>
public sealed record RankedCandidate(MatchRow Row, MatchResult Result)
{
    /// <summary>The INS another system may be given: only that of a qualified identity (as <see cref="Identity.ShareableIns"/>).</summary>
    public string? ShareableIns => Row.Status == IdentityStatus.Qual ? Row.Ins : null;
}

/// <summary>
/// Check-before-create: the probe's blocking keys, one indexed query on <c>match_keys</c> and <c>identities</c> that reads
/// the columns the matcher scores and the answer shows, then the matcher ranks the active identities found.
/// </summary>
public sealed class DuplicateCandidates(IdentityRefDbContext db, MatchEngineProvider engines)
{
    /// <summary>
    /// Every Possible or Probable candidate, best first, and how many identities were scored. With
    /// <paramref name="onlyShareableIns"/> (the query side: another system asks), an INS the server does not share (that of
    /// an identity not qualified) is no criterion: the identity is scored without it and is not found through it alone, so
    /// the answer is the same whatever INS the caller gives, and never tells that the server holds that INS (RNIV: only a
    /// qualified identity carries its INS to others). Admission and the cell's check use every INS held, to find duplicates.
    /// </summary>
    public async Task<(IReadOnlyList<RankedCandidate> Candidates, int Compared)> FindAsync(MatchRecord probe, Guid? exclude, CancellationToken cancellationToken,
        bool onlyShareableIns = false)
    {
        var engine = await engines.GetAsync(db, cancellationToken);
        // One statement: the active identities whose keys meet the probe's, only the columns the matcher and the answer
        // read. The kept candidates are answered from these rows: no second read by identity (it cost as much CPU as this
        // one, docs/deployment.md), and what is shown is exactly what was scored.
        var rows = await MatchRows.ByKeysAsync(db, IdentityMatching.KeyHashes(probe), cancellationToken);
        var traitKeys = onlyShareableIns && probe.Ins is not null ? IdentityMatching.KeyHashes(probe with { Ins = null }) : null;
        var scored = new Dictionary<string, MatchRow>(rows.Count);
        var records = new List<MatchRecord>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Id == exclude)
            {
                continue;
            }
            var record = row.ToRecord();
            if (onlyShareableIns && record.Ins is not null && row.Status != IdentityStatus.Qual)
            {
                record = record with { Ins = null };
                if (traitKeys is not null && !IdentityMatching.KeyHashes(record).Overlaps(traitKeys))
                {
                    continue;
                }
            }
            scored[record.Id] = row;
            records.Add(record);
        }
        if (records.Count == 0)
        {
            return ([], 0);
        }
        var ranked = await RankAsync(engine, probe, records);
        return (ranked.Select(r => new RankedCandidate(scored[r.IdB], r)).ToList(), records.Count);
    }

    /// <summary>From this many identities on, the two halves are scored on two threads.</summary>
    internal const int RankInParallelFrom = 64;

    /// <summary>
    /// The Possible and Probable candidates, best first. Scoring is most of a large request's time, and the matcher is
    /// thread-safe and deterministic: two halves ranked apart and merged by the matcher's own order (score descending,
    /// then the ids; the probe is the first id of every result) give exactly the list of one call.
    /// </summary>
    internal static async Task<List<MatchResult>> RankAsync(MatchEngine engine, MatchRecord probe, List<MatchRecord> records)
    {
        if (records.Count < RankInParallelFrom)
        {
            return engine.RankCandidates(probe, records, MatchClass.Possible).ToList();
        }
        var half = records.Count / 2;
        var first = Task.Run(() => engine.RankCandidates(probe, records.GetRange(0, half), MatchClass.Possible));
        var second = engine.RankCandidates(probe, records.GetRange(half, records.Count - half), MatchClass.Possible);
        var merged = (await first).Concat(second).ToList();
        merged.Sort(static (x, y) =>
        {
            var byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(x.IdB, y.IdB);
        });
        return merged;
    }
}

/// <summary>The admission hook of <c>POST /api/patients</c>: a probable duplicate stops the creation unless the caller confirms.</summary>
public sealed class AdmissionDuplicateCheck(IdentityRefDbContext db, DuplicateCandidates candidates, IOptions<DuplicateOptions> options)
    : IAdmissionDuplicateCheck
{
    public async Task<AdmissionVerdict> CheckAsync(ValidatedTraits traits, CancellationToken cancellationToken)
    {
        if (!options.Value.AdmissionCheckEnabled)
        {
            return new AdmissionVerdict(false, [], null);
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (found, compared) = await candidates.FindAsync(IdentityMatching.ToRecord(traits), exclude: null, cancellationToken);
        var probable = found.Where(c => c.Result.Class == MatchClass.Probable).ToList();
        var shown = found.Take(options.Value.MaxCandidatesShown).Select(c => CandidateView.From(c)).ToList();
        Telemetry.IdentityRefTelemetry.AdmissionChecked(probable.Count > 0 ? "probable" : found.Count > 0 ? "possible" : "none",
            System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return new AdmissionVerdict(probable.Count > 0, probable.Select(c => c.Row.Ipp).ToList(), shown,
            StageForced: (created, actor, now) => QueueForced(db, created, probable, actor, now));
    }

    /// <summary>
    /// A creation forced past probable duplicates: each pair opens an item of the cell's queue at once, in the creation's
    /// unit of work, its history naming who forced it (the next detection run finds the item and leaves it as it is).
    /// </summary>
    private static void QueueForced(IdentityRefDbContext db, Identity created, IReadOnlyList<RankedCandidate> probable, Actor actor, DateTimeOffset now)
    {
        foreach (var candidate in probable)
        {
            var (a, b) = IdentityMatching.Ordered(created.Id, candidate.Row.Id);
            var createdFirst = a == created.Id;
            // The result compares the probe (the identity just created) with the candidate: orient it as (a, b).
            var explanation = IdentityMatching.Explain(candidate.Result, createdFirst ? candidate.Result.IdA : candidate.Result.IdB,
                showInsA: (createdFirst ? created.Status : candidate.Row.Status) == IdentityStatus.Qual,
                showInsB: (createdFirst ? candidate.Row.Status : created.Status) == IdentityStatus.Qual);
            var item = new DuplicateItem
            {
                IdentityA = a, IdentityB = b, Kind = DuplicateKinds.Duplicate, Class = explanation.Class, Score = explanation.Score,
                Explanation = IdentityMatching.ToJson(explanation), State = DuplicateStates.Open, CreatedAt = now, UpdatedAt = now, Decisions = "[]",
            };
            DuplicateQueue.Record(item, now, actor.Name, "forced-creation",
                $"identity {created.Ipp} created past the probable duplicate {candidate.Row.Ipp} " +
                (actor.Name.StartsWith("hl7:", StringComparison.Ordinal) ? "(received from another identity source)" : "(confirmDuplicate)"));
            db.DuplicateItems.Add(item);
        }
    }

    /// <summary>The probe's blocking keys: every identity the check can find shares one of them.</summary>
    public IReadOnlyCollection<long> BlockKeys(ValidatedTraits traits) =>
        options.Value.AdmissionCheckEnabled ? IdentityMatching.KeyHashes(IdentityMatching.ToRecord(traits)) : [];
}
