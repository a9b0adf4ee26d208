using IdentityRef.Application.Audit;
using IdentityRef.Domain.Identities;

namespace IdentityRef.Application.Patients;

/// <summary>A check made before an identity is created (duplicate detection plugs in here).</summary>
public interface IAdmissionDuplicateCheck
{
    Task<AdmissionVerdict> CheckAsync(ValidatedTraits traits, CancellationToken cancellationToken);

    /// <summary>
    /// The keys of the block of candidates the check reads for these traits: two admissions that share one of
    /// them could each find the other, so <see cref="Admission"/> serialises them on these keys.
    /// </summary>
    IReadOnlyCollection<long> BlockKeys(ValidatedTraits traits);
}

/// <summary>
/// The admission check's answer: whether it blocks the creation, the candidates' IPPs and the body shown to the caller.
/// <see cref="StageForced"/> adds to the creation's unit of work what a creation forced past the block leaves behind
/// (the pairs in the vigilance cell's queue, with who forced them), so that nothing waits for the next detection run.
/// </summary>
public sealed record AdmissionVerdict(bool Blocking, IReadOnlyList<string> CandidateIpps, object? Body,
    Action<Identity, Actor, DateTimeOffset>? StageForced = null);
