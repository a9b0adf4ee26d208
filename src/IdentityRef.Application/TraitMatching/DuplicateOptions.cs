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
    /// A full detection's threads run at the system's lowest priority (Linux: nice 19 for threads in the server, SCHED_IDLE for a run in its own process): they use a core only while requests
    /// leave it idle. Keep on: off, a run competes with check-before-create as an equal.
    /// </summary>
    public bool DetectionLowPriority { get; init; } = true;

    /// <summary>
    /// Where the server runs a full detection (the nightly job, <c>POST /api/duplicates/detect?full=true</c>).
    /// <see cref="FullRunIsolation.Process"/> (default): in a separate process of the same program (<c>dedupe --full</c>)
    /// at the lowest priority. A run at a million identities fills 2–3 GB of memory, and in the server the garbage
    /// collector's pauses for that memory stop every request thread too (about 10 s of pauses in a run's first minute,
    /// 150 ms each, measured with <c>scripts/bench-admission.sh</c>); in its own process they stop only the run.
    /// <see cref="FullRunIsolation.None"/>: in the server's process (the tests' default: no process to start per test).
    /// </summary>
    public FullRunIsolation FullRunIsolation { get; init; } = FullRunIsolation.Process;

    /// <summary>
    /// How often (seconds) a server looks for weights newer than its own in <c>match_weights</c>, learnt by another server
    /// on the same database (one indexed query): until then the two may class a pair differently. 0: at every use.
    /// </summary>
    public int WeightsRefreshSeconds { get; init; } = 60;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (DetectionThreads is < 1 or > 64)
        {
            errors.Add("DetectionThreads must be from 1 to 64.");
        }
        if (WeightsRefreshSeconds is < 0 or > 86_400)
        {
            errors.Add("WeightsRefreshSeconds must be from 0 to 86400.");
        }
        if (!Enum.IsDefined(FullRunIsolation))
        {
            errors.Add("FullRunIsolation must be Process or None.");
        }
        if (WeightsFile is { Length: > 0 } && !File.Exists(WeightsFile))
        {
            errors.Add("WeightsFile names no file.");
        }
        if (MinRecordsToTrain < 2)
        {
            errors.Add("MinRecordsToTrain must be at least 2.");
        }
        if (MaxCandidatesShown is < 1 or > 100)
        {
            errors.Add("MaxCandidatesShown must be from 1 to 100.");
        }
        return errors;
    }
}

/// <summary>Where a full detection runs (<see cref="DuplicateOptions.FullRunIsolation"/>).</summary>
public enum FullRunIsolation
{
    /// <summary>A separate process of the same program, at the lowest priority.</summary>
    Process,

    /// <summary>The server's own process.</summary>
    None,
}

/// <summary>Start-up validation of both sections, with the matcher's own messages.</summary>
public sealed class DuplicateOptionsValidation : IValidateOptions<MatchingOptions>, IValidateOptions<DuplicateOptions>
{
    public ValidateOptionsResult Validate(string? name, MatchingOptions options) => Result("Matching", options.Validate());

    public ValidateOptionsResult Validate(string? name, DuplicateOptions options) => Result(DuplicateOptions.Section, options.Validate());

    // Each failure names its setting by its full key ("Duplicates:DetectionThreads must be …").
    private static ValidateOptionsResult Result(string section, IReadOnlyList<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => $"{section}:{e}"));
}
