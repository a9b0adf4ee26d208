using IdentityRef.Matching;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.TraitMatching;

/// <summary>How the server uses the matcher (section <c>Duplicates</c>); the matcher's own settings are in section <c>Matching</c>.</summary>
public sealed class DuplicateOptions
{
    public const string Section = "Duplicates";

    /// <summary>
    /// A JSON file of m/u weights (the format of <see cref="MatchWeights.ToJson"/>) pinned by the vigilance cell: when
    /// set, it is always used and never retrained. Otherwise the latest weights learnt from the base
    /// (table <c>match_weights</c>) are used, or the matcher's hand-set defaults until the base was learnt.
    /// </summary>
    public string? WeightsFile { get; init; }

    /// <summary>
    /// The first full detection learns the weights by EM when none were learnt yet (later, only on demand: scores stay stable).
    /// Off by default: on a base with few true duplicates EM learns what is merely common (measured on 100,000 seeded
    /// identities: 447,000 "possible" pairs against 14 with the hand-set weights); learn on demand and read the EM report.
    /// </summary>
    public bool TrainAtFirstFullRun { get; init; }

    /// <summary>EM needs a base of some size; below it the defaults are kept.</summary>
    public int MinRecordsToTrain { get; init; } = 1_000;

    /// <summary>Candidates shown at admission and by <c>/api/patients/match</c>, best first.</summary>
    public int MaxCandidatesShown { get; init; } = 10;

    /// <summary>POST /api/patients refuses a probable duplicate unless confirmed (identity-vigilance rule; keep on).</summary>
    public bool AdmissionCheckEnabled { get; init; } = true;

    /// <summary>
    /// Threads of a full detection in the server (and the command line): at most this many cores, whatever
    /// <c>Matching:MaxDegreeOfParallelism</c> says. One by default, so that a 2-core server keeps a core for admission
    /// checks while the run lasts (a full run at a million identities takes a few minutes on one core).
    /// </summary>
    public int DetectionThreads { get; init; } = 1;

    /// <summary>
    /// A full detection's threads run at the system's lowest priority (Linux nice 19): they use a core only while requests
    /// leave it idle. Keep on: off, a run competes with check-before-create as an equal.
    /// </summary>
    public bool DetectionLowPriority { get; init; } = true;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (DetectionThreads is < 1 or > 64)
        {
            errors.Add($"{Section}:DetectionThreads must be from 1 to 64.");
        }
        if (WeightsFile is { Length: > 0 } && !File.Exists(WeightsFile))
        {
            errors.Add($"{Section}:WeightsFile names no file.");
        }
        if (MinRecordsToTrain < 2)
        {
            errors.Add($"{Section}:MinRecordsToTrain must be at least 2.");
        }
        if (MaxCandidatesShown is < 1 or > 100)
        {
            errors.Add($"{Section}:MaxCandidatesShown must be from 1 to 100.");
        }
        return errors;
    }
}

/// <summary>Start-up validation of both sections, with the matcher's own messages.</summary>
public sealed class DuplicateOptionsValidation : IValidateOptions<MatchingOptions>, IValidateOptions<DuplicateOptions>
{
    public ValidateOptionsResult Validate(string? name, MatchingOptions options) => Result("Matching", options.Validate());

    public ValidateOptionsResult Validate(string? name, DuplicateOptions options) => Result(DuplicateOptions.Section, options.Validate());

    private static ValidateOptionsResult Result(string section, IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => $"{section}: {e}"));
}
