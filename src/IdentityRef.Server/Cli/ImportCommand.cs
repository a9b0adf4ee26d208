using IdentityRef.Domain.Common;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using System.Diagnostics;
using CsvHelper;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using Spectre.Console;

namespace IdentityRef.Server.Cli;

/// <summary>
/// <c>import FILE.csv</c>: every row goes through the same validation as the API; rejected rows are reported
/// with their line number and reason and skipped; the others are committed in batches.
/// </summary>
public sealed class ImportCommand(IServiceProvider services)
{
    public static readonly string[] Header =
        ["external_id", "birth_name", "first_names", "birth_date", "sex", "birth_place_code", "used_name", "used_first_name", "address", "postcode", "city", "phone"];

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
        var system = IdentifierSystems.Import(domain ?? Path.GetFileNameWithoutExtension(file.Name));
        var places = services.GetRequiredService<IBirthPlaceDirectory>();
        var today = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        var writer = new IdentityBatch(services, deferMatchKeys: true);
        var seen = await writer.ExistingExternalIdsAsync(system, cancellationToken);
        var actor = new Actor("cli:import", Guid.NewGuid().ToString("N"));
        var rejects = new List<string>();
        var imported = 0;
        var stopwatch = Stopwatch.StartNew();

        async Task Run(Action<long>? progress)
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
            var batch = new List<IdentityBatch.NewIdentity>(batchSize);
            while (await csv.ReadAsync(cancellationToken))
            {
                var line = csv.LineNumber;
                string? Field(string name) => columns[name] is var index and >= 0 && index < csv.FieldCount && !csv.IsEmpty(index)
                    ? csv.GetString(index)
                    : null;
                var externalId = Field("external_id");
                var input = new IdentityInput
                {
                    BirthName = Field("birth_name"), FirstNames = Field("first_names"), BirthDate = Field("birth_date"), Sex = Field("sex"),
                    BirthPlaceCode = Field("birth_place_code"), UsedName = Field("used_name"), UsedFirstName = Field("used_first_name"),
                    Address = Field("address"), Postcode = Field("postcode"), City = Field("city"), Phone = Field("phone"),
                };
                var traits = IdentityValidator.Validate(input, places, today);
                if (externalId is null)
                {
                    rejects.Add($"line {line}: external_id: required");
                }
                else if (TextPolicy.Check(externalId, "external_id") is { } refused)
                {
                    rejects.Add($"line {line}: external_id: {refused.Message}");
                }
                else if (!traits.IsSuccess)
                {
                    rejects.Add($"line {line}: " + string.Join("; ", traits.Errors.Select(e => $"{ColumnOf(e.Field)}: {e.Message}")));
                }
                else if (!seen.Add(externalId))
                {
                    rejects.Add($"line {line}: external_id: already imported in {system}");
                }
                else
                {
                    batch.Add(new IdentityBatch.NewIdentity(traits.Value, system, externalId));
                }
                if (batch.Count >= batchSize)
                {
                    await writer.WriteAsync(batch, actor, "identity.imported", cancellationToken);
                    imported += batch.Count;
                    batch.Clear();
                    progress?.Invoke(csv.ByteOffset);
                }
            }
            if (batch.Count > 0)
            {
                await writer.WriteAsync(batch, actor, "identity.imported", cancellationToken);
                imported += batch.Count;
            }
            progress?.Invoke(stream.Length);
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

        // Keys in one sorted pass, before the command reports success: check-before-create needs them.
        await writer.CompleteAsync(cancellationToken);
        foreach (var reject in rejects)
        {
            Console.Error.WriteLine(reject);
        }
        if (rejectsFile is not null)
        {
            await File.WriteAllLinesAsync(rejectsFile.FullName, rejects, cancellationToken);
        }
        Console.WriteLine($"imported {imported}, rejected {rejects.Count}, in {stopwatch.Elapsed.TotalSeconds:F1} s");
        services.GetRequiredService<ILogger<ImportCommand>>().ImportFinished(imported, rejects.Count, stopwatch.ElapsedMilliseconds);
        return rejects.Count > 0 && imported == 0 ? 1 : 0;
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
