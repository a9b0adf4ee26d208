using IdentityRef.Domain.Common;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using System.Diagnostics;
using System.Threading.Channels;
using CsvHelper;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using Microsoft.Extensions.Options;
using Spectre.Console;
using IdentityRef.Application.Import;

namespace IdentityRef.Server.Cli;

/// <summary>
/// <c>import FILE.csv</c>: every row goes through the same validation as the API; rejected rows are reported
/// with their line number and reason and skipped; the others are committed in batches, each batch in one transaction
/// with its identifiers, audit lines and blocking keys (an interrupted import leaves whole batches, each visible to
/// check-before-create; running it again skips the rows already imported and reports them as such). Reading and
/// validation run ahead of the writer, on the other cores (docs/import.md).
/// </summary>
public sealed class ImportCommand(IServiceProvider services)
{
    public static readonly string[] Header =
        ["external_id", "birth_name", "first_names", "birth_date", "sex", "birth_place_code", "used_name", "used_first_name", "address", "postcode", "city", "phone"];

    // Rows read and validated ahead of the writer: two batches (bounded memory, the writer never waits for the reader).
    private const int BatchesAhead = 2;

    private sealed record RawRow(long Line, string? ExternalId, IdentityInput Input);

    private sealed record CheckedRow(long Line, string? ExternalId, Result<ValidatedTraits> Traits);

    private sealed record CheckedBatch(CheckedRow[] Rows, long ByteOffset);

    public async Task<int> RunAsync(FileInfo file, string? domain, int batchSize, FileInfo? rejectsFile, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            Console.Error.WriteLine($"import: no file {file.FullName}");
            return 2;
        }
        if (TextPolicy.Check(domain, "--domain") is { } badDomain)
        {
            Console.Error.WriteLine($"import: --domain: {badDomain.Message}");
            return 2;
        }
        batchSize = Math.Max(1, batchSize);
        var system = IdentifierSystems.Import(domain ?? Path.GetFileNameWithoutExtension(file.Name));
        var places = services.GetRequiredService<IBirthPlaceDirectory>();
        var today = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        await using var writer = new IdentityBatch(services, keysInBatch: true);
        var stopwatch = Stopwatch.StartNew();
        // Identities an earlier bulk writer left without keys (an import of a previous version or a seed, interrupted) are keyed first.
        await writer.KeyMissingAsync(cancellationToken);
        var before = await writer.ExistingExternalIdsAsync(system, cancellationToken);
        var inFile = new HashSet<string>(StringComparer.Ordinal);
        var actor = new Actor("cli:import", Guid.NewGuid().ToString("N"));
        var rejects = new List<string>();
        int imported = 0, alreadyImported = 0;
        var waited = TimeSpan.Zero;

        async Task Run(Action<long>? progress)
        {
            var checkedBatches = Channel.CreateBounded<Task<CheckedBatch>>(new BoundedChannelOptions(BatchesAhead) { SingleReader = true, SingleWriter = true });
            // Import:RowsPerChunk (ImportOptions, 1 to 1,000,000, checked at start), never more than a batch.
            var rowsPerChunk = services.GetRequiredService<IOptions<ImportOptions>>().Value.RowsPerChunk;
            var chunk = Math.Min(rowsPerChunk, batchSize);
            var reading = Task.Run(() => ReadAsync(file, chunk, places, today, checkedBatches.Writer, rejects, cancellationToken), cancellationToken);
            var batch = new List<IdentityBatch.NewIdentity>(chunk);
            var inTransaction = 0; // rows written in the open transaction, not committed yet
            var waiting = Stopwatch.StartNew();
            await foreach (var next in checkedBatches.Reader.ReadAllAsync(cancellationToken))
            {
                var read = await next;
                waited += waiting.Elapsed;
                // The stored strict traits of the chunk's ids an earlier run imported (none on a first run): is it the same row?
                var stored = await writer.StrictTraitsOfAsync(system,
                    read.Rows.Where(r => r.ExternalId is not null && r.Traits.IsSuccess && before.Contains(r.ExternalId)).Select(r => r.ExternalId!).ToHashSet(StringComparer.Ordinal),
                    cancellationToken);
                foreach (var row in read.Rows)
                {
                    if (row.ExternalId is null)
                    {
                        rejects.Add($"line {row.Line}: external_id: required");
                    }
                    else if (TextPolicy.Check(row.ExternalId, "external_id") is { } refused)
                    {
                        rejects.Add($"line {row.Line}: external_id: {refused.Message}");
                    }
                    else if (!row.Traits.IsSuccess)
                    {
                        rejects.Add($"line {row.Line}: " + string.Join("; ", row.Traits.Errors.Select(e => $"{ColumnOf(e.Field)}: {e.Message}")));
                    }
                    else if (!inFile.Add(row.ExternalId))
                    {
                        rejects.Add($"line {row.Line}: external_id: already imported in {system} by an earlier line of this file");
                    }
                    else if (before.Contains(row.ExternalId))
                    {
                        if (OtherTraits(row.Traits.Value.Strict, stored.GetValueOrDefault(row.ExternalId)) is { } differing)
                        {
                            // Another person (or corrected traits) under an id already taken: never silently skipped. Columns, no values.
                            rejects.Add($"line {row.Line}: external_id: imported in {system} by an earlier run with other traits"
                                + (differing.Length > 0 ? $" ({differing} differ)" : "") + ": not imported again");
                        }
                        else
                        {
                            alreadyImported++; // an earlier run (perhaps interrupted) committed this same row: not a reject
                        }
                    }
                    else
                    {
                        batch.Add(new IdentityBatch.NewIdentity(row.Traits.Value, system, row.ExternalId));
                    }
                    if (batch.Count >= Math.Min(chunk, batchSize - inTransaction))
                    {
                        var commit = inTransaction + batch.Count >= batchSize;
                        await writer.WriteAsync(batch, actor, "identity.imported", cancellationToken, commit);
                        inTransaction = commit ? 0 : inTransaction + batch.Count;
                        imported += batch.Count;
                        batch.Clear();
                    }
                }
                progress?.Invoke(read.ByteOffset);
                waiting.Restart();
            }
            await reading; // a header error is reported through rejects
            if (batch.Count > 0)
            {
                await writer.WriteAsync(batch, actor, "identity.imported", cancellationToken);
                imported += batch.Count;
            }
            else
            {
                await writer.CommitAsync(cancellationToken);
            }
            progress?.Invoke(file.Length);
        }

        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            await AnsiConsole.Progress().StartAsync(async context =>
            {
                var task = context.AddTask($"Import {file.Name}", maxValue: Math.Max(1, file.Length));
                await Run(position => task.Value = position);
            });
        }
        else
        {
            await Run(null);
        }

        foreach (var reject in rejects)
        {
            Console.Error.WriteLine(reject);
        }
        if (rejectsFile is not null)
        {
            await File.WriteAllLinesAsync(rejectsFile.FullName, rejects, cancellationToken);
        }
        Console.WriteLine($"imported {imported}, rejected {rejects.Count}, in {stopwatch.Elapsed.TotalSeconds:F1} s"
            + (alreadyImported > 0 ? $" (already imported by an earlier run: {alreadyImported})" : ""));
        Console.WriteLine($"time: waiting for validated rows {waited.TotalSeconds:F1} s, writing identities, identifiers and audit {writer.RowTime.TotalSeconds:F1} s, "
            + $"computing and writing {writer.KeysWritten} blocking keys {writer.KeyTime.TotalSeconds:F1} s (computing {writer.KeyComputeTime.TotalSeconds:F1} s), committing {writer.CommitTime.TotalSeconds:F1} s");
        services.GetRequiredService<ILogger<ImportCommand>>().ImportFinished(imported, rejects.Count, stopwatch.ElapsedMilliseconds);
        return rejects.Count > 0 && imported == 0 && alreadyImported == 0 ? 1 : 0;
    }

    /// <summary>
    /// Reads the file batch by batch and hands each batch's validation to the thread pool (every core), in file order:
    /// the writer takes the batches from <paramref name="output"/> as they come, while the next ones are read and checked.
    /// </summary>
    private static async Task ReadAsync(FileInfo file, int batchSize, IBirthPlaceDirectory places, DateOnly today, ChannelWriter<Task<CheckedBatch>> output,
        List<string> rejects, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await using var stream = file.OpenRead();
            // Values of rejected rows never go into messages: they may be patient data.
            await using var csv = CsvReader.Create(stream, new CsvReaderOptions
            {
                Separator = ',', HasHeader = true, TrackLineNumbers = true, IncludeValuesInExceptions = false,
            }, leaveOpen: true);
            await csv.ReadHeaderAsync(cancellationToken);
            var columns = Header.ToDictionary(h => h, h => csv.TryGetFieldIndex(h, out var index) ? index : -1);
            if (Header.Take(6).Any(h => columns[h] < 0))
            {
                rejects.Add("line 1: the header must be " + string.Join(',', Header));
                return;
            }
            var raw = new List<RawRow>(batchSize);
            while (await csv.ReadAsync(cancellationToken))
            {
                string? Field(string name) => columns[name] is var index and >= 0 && index < csv.FieldCount && !csv.IsEmpty(index)
                    ? csv.GetString(index)
                    : null;
                raw.Add(new RawRow(csv.LineNumber, Field("external_id"), new IdentityInput
                {
                    BirthName = Field("birth_name"), FirstNames = Field("first_names"), BirthDate = Field("birth_date"), Sex = Field("sex"),
                    BirthPlaceCode = Field("birth_place_code"), UsedName = Field("used_name"), UsedFirstName = Field("used_first_name"),
                    Address = Field("address"), Postcode = Field("postcode"), City = Field("city"), Phone = Field("phone"),
                }));
                if (raw.Count >= batchSize)
                {
                    await output.WriteAsync(Check(raw, csv.ByteOffset, places, today), cancellationToken);
                    raw = new List<RawRow>(batchSize);
                }
            }
            if (raw.Count > 0)
            {
                await output.WriteAsync(Check(raw, stream.Length, places, today), cancellationToken);
            }
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            output.TryComplete(failure);
        }
    }

    private static Task<CheckedBatch> Check(List<RawRow> raw, long byteOffset, IBirthPlaceDirectory places, DateOnly today) => Task.Run(() =>
    {
        var rows = new CheckedRow[raw.Count];
        Parallel.For(0, raw.Count, i => rows[i] = new CheckedRow(raw[i].Line, raw[i].ExternalId, IdentityValidator.Validate(raw[i].Input, places, today)));
        return new CheckedBatch(rows, byteOffset);
    });

    /// <summary>
    /// The columns whose strict trait differs from the stored identity's ("" when the identity could not be read), or null
    /// when it is the same row. Column names only: the values may be patient data.
    /// </summary>
    private static string? OtherTraits(StrictTraits row, StrictTraits? stored)
    {
        if (stored is null)
        {
            return ""; // the id was taken when the run started and is gone now: nothing shows it is the same row
        }
        (bool Differs, string Column)[] traits =
        [
            (row.BirthName != stored.BirthName, "birth_name"), (row.FirstNames != stored.FirstNames, "first_names"),
            (row.BirthDate != stored.BirthDate, "birth_date"), (row.Sex != stored.Sex, "sex"),
            (row.BirthPlaceCode != stored.BirthPlaceCode, "birth_place_code"),
        ];
        var differing = string.Join(", ", traits.Where(t => t.Differs).Select(t => t.Column));
        return differing.Length == 0 ? null : differing;
    }

    /// <summary>The CSV column of an API field, so that the operator sees the column name of the file.</summary>
    private static string ColumnOf(string field) => field switch
    {
        "birthName" => "birth_name",
        "firstNames" or "firstName" => "first_names",
        "birthDate" => "birth_date",
        "birthPlaceCode" => "birth_place_code",
        "usedName" => "used_name",
        "usedFirstName" => "used_first_name",
        _ => field,
    };
}
