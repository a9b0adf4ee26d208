using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Application.Patients;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Duplicates;

/// <summary>A candidate shown at admission: who it is, how it scored, why (A = the person being admitted, B = the candidate).</summary>
public sealed record CandidateView(
    string Ipp,
    string Status,
    string BirthName,
    string FirstNames,
    string? UsedName,
    string BirthDate,
    string Sex,
    double Score,
    string Class,
    PairExplanation Explanation)
{
    public static CandidateView From(RankedCandidate c)
    {
        var explanation = IdentityMatching.Explain(c.Result, c.Result.IdA, showInsA: c.Row.Status == IdentityStatus.Qual,
            showInsB: c.Row.Status == IdentityStatus.Qual);
        var i = c.Row;
        return new CandidateView(i.Ipp, i.Status.Code(), i.BirthName, i.FirstNames, i.UsedName, i.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            i.Sex.Code(), explanation.Score, explanation.Class, explanation);
    }
}

/// <summary>The answer of <c>POST /api/patients/match</c>: nothing is created.</summary>
public sealed record MatchResponse(bool ProbableDuplicate, int Compared, IReadOnlyList<CandidateView> Candidates);

/// <summary>A work item of the vigilance cell's queue; <see cref="IppB"/> is null for an INSi contradiction (one identity against INSi).</summary>
public sealed record DuplicateItemView(
    long Id,
    string Kind,
    string Class,
    double Score,
    string State,
    string IppA,
    string? IppB,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Resolution,
    string? ResolvedBy,
    DateTimeOffset? ResolvedAt,
    long? MergeId,
    long? InsiCallId,
    string? AssignedTo = null);

/// <summary>One decision recorded on a work item.</summary>
public sealed record DuplicateDecision(DateTimeOffset At, string By, string Action, string? Detail);

/// <summary>
/// A work item with both identities side by side and the explanation of the pair; for an INSi contradiction, the
/// identity (<see cref="IdentityA"/>) and the teleservice's answer (<see cref="Insi"/>) side by side, the explanation
/// comparing them (A = local, B = INSi).
/// </summary>
/// <param name="ETag">The pair as shown: the versions of its two identities (<see cref="DuplicateQueries.PairTag"/>); sent back in
/// <c>If-Match</c> (the API) or by the pair page's merge form, a merge is refused when either identity changed since.</param>
public sealed record DuplicateDetailView(
    DuplicateItemView Item,
    PatientResponse IdentityA,
    PatientResponse? IdentityB,
    PairExplanation? Explanation,
    IReadOnlyList<DuplicateDecision> Decisions,
    InsiAnswerView? Insi = null,
    string? ETag = null);

/// <summary>
/// The INSi answer of a contradiction: the call, the INS and traits returned, each strict trait next to the local one,
/// and the traits that still contradict today (empty: <c>traits-corrected</c> will be accepted).
/// </summary>
public sealed record InsiAnswerView(
    long CallId,
    DateTimeOffset CalledAt,
    string Operation,
    string CalledBy,
    string Code,
    string? Decision,
    InsDto? Ins,
    Qualification.InsiTraitsDto Traits,
    IReadOnlyList<InsiTraitRow> Rows,
    IReadOnlyList<string> ContradictingNow);

/// <summary>One strict trait, local and INSi, and whether they differ as written.</summary>
public sealed record InsiTraitRow(string Field, string? Local, string? Insi, bool Differs);

public sealed record MergeDuplicateRequest(string? SurvivorIpp);

public sealed record DecisionRequest(string? Comment);

/// <summary>What a detection run did: the scheduler and the command line print it.</summary>
public sealed record DetectionSummary(
    string Kind,
    int Identities,
    long CandidatePairs,
    int Found,
    int Probable,
    int Possible,
    int Collisions,
    int Created,
    int Updated,
    int Reopened,
    int Obsolete,
    int OversizedBlocks,
    string WeightsSource,
    bool Trained,
    long ElapsedMs);

internal static class DuplicateViews
{
    public static DuplicateItemView From(DuplicateItem d, IReadOnlyDictionary<Guid, string> ipps) => new(
        d.Id, d.Kind, d.Class, d.Score, d.State, ipps.GetValueOrDefault(d.IdentityA, "?"), d.IdentityB is { } b ? ipps.GetValueOrDefault(b, "?") : null,
        d.CreatedAt, d.UpdatedAt, d.Resolution, d.ResolvedBy, d.ResolvedAt, d.MergeId, d.InsiCallId, d.AssignedTo);
}
