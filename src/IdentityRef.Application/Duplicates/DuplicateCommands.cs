using System.Globalization;
using System.Text;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Duplicates;

/// <summary>The command-line side: <c>dedupe [--full] [--train]</c>, <c>duplicates export FILE.csv</c> and <c>duplicates rebuild-keys</c>.</summary>
public static class DuplicateCommands
{
    /// <summary>
    /// Every active identity's blocking keys computed again in one sorted pass: stored keys are the matcher's of the
    /// version that wrote them, so a release that changes the blocking passes needs this once, or check-before-create
    /// and incremental runs miss candidates. Interrupted, it leaves no key at all, which the next full detection
    /// notices and repairs.
    /// </summary>
    public static async Task<int> RebuildKeysAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (identities, keys) = await MatchKeyVersion.RebuildAsync(db, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"blocking keys rebuilt: {keys} keys for {identities} identities in {watch.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    public static async Task<int> DedupeAsync(IServiceProvider services, bool full, bool train, FileInfo? summaryJson, CancellationToken cancellationToken)
    {
        if (train && !full)
        {
            await Console.Error.WriteLineAsync("--train needs --full: weights are learnt from the whole base.");
            return 2;
        }
        await using var scope = services.CreateAsyncScope();
        var detection = scope.ServiceProvider.GetRequiredService<DuplicateDetection>();
        var s = full ? await detection.RunFullAsync(train, cancellationToken) : await detection.RunIncrementalAsync(cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{s.Kind} detection: {s.Identities} identities, {s.CandidatePairs} candidate pairs, {s.Found} pairs found ({s.Probable} probable, {s.Possible} possible, {s.Collisions} collisions); queue: {s.Created} new, {s.Updated} updated, {s.Reopened} reopened, {s.Obsolete} obsolete; {s.OversizedBlocks} oversized blocks; weights {s.WeightsSource}{(s.Trained ? " (learnt now)" : "")}; {s.ElapsedMs} ms"));
        if (summaryJson is not null)
        {
            await File.WriteAllTextAsync(summaryJson.FullName, System.Text.Json.JsonSerializer.Serialize(s, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)), CancellationToken.None);
        }
        return 0;
    }

    /// <summary>
    /// Every detected pair that is not obsolete as <c>external_id_a,external_id_b,score,class</c>, the external ids being
    /// the import ids (system <c>import:&lt;domain&gt;</c>): quality is then measured against a truth file. Pairs of an
    /// identity without an import id are skipped and counted.
    /// </summary>
    public static async Task<int> ExportAsync(IServiceProvider services, FileInfo file, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        // Pairs only: an INSi contradiction concerns one identity.
        var items = await db.DuplicateItems.AsNoTracking().Where(d => d.IdentityB != null && (d.Resolution == null || d.Resolution != DuplicateResolutions.Obsolete))
            .OrderByDescending(d => d.Score).ThenBy(d => d.Id)
            .Select(d => new { d.IdentityA, d.IdentityB, d.Score, d.Class }).ToListAsync(cancellationToken);
        var external = new Dictionary<Guid, string>();
        foreach (var row in await db.Identifiers.AsNoTracking().Where(i => i.System.StartsWith("import:")).OrderBy(i => i.Id)
                     .Select(i => new { i.IdentityId, i.Value }).ToListAsync(cancellationToken))
        {
            external.TryAdd(row.IdentityId, row.Value);
        }
        var written = 0;
        var skipped = 0;
        await using (var writer = new StreamWriter(file.FullName, append: false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync("external_id_a,external_id_b,score,class");
            foreach (var item in items)
            {
                if (!external.TryGetValue(item.IdentityA, out var a) || !external.TryGetValue(item.IdentityB!.Value, out var b))
                {
                    skipped++;
                    continue;
                }
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{Csv(a)},{Csv(b)},{item.Score:0.###},{item.Class}"));
                written++;
            }
        }
        Console.WriteLine($"{written} pairs written to {file.FullName}; {skipped} pairs skipped (an identity without an import id).");
        return 0;
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
