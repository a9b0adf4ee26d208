using IdentityRef.Application.Patients;

namespace IdentityRef.Application.Qualification;

/// <summary>Optional body of an INSi search: the carte Vitale data for a RECVITALE search instead of the traits.</summary>
public sealed record InsiSearchRequest(VitaleCardDto? Vitale);

/// <summary>
/// What the card reader gives for the beneficiary the agent selected: matricule, birth rank, birth date and name as the card
/// holds them (the identity's own when not given), the insured's ("ouvrant droit") matricule when the beneficiary is not the
/// insured, and the card's coverage (grand régime, organisme, centre) when read. Selecting the wrong line of a family card
/// is the classic error the verdict catches.
/// </summary>
public sealed record VitaleCardDto(string? BeneficiaryNumber, string? BeneficiaryKey, string? BirthRank, string? OpeningRightsHolderNumber, string? OpeningRightsHolderKey,
    string? GrandRegime = null, string? Organisme = null, string? CodeCentre = null, string? BeneficiaryBirthDate = null, string? BeneficiaryBirthName = null);

/// <summary>The INS traits the teleservice returned (TIQ).</summary>
public sealed record InsiTraitsDto(string BirthName, string FirstName, string FirstNames, string Sex, string BirthDate, string? BirthPlaceCode);

/// <summary>A trait where the teleservice and the local identity disagree.</summary>
public sealed record TraitDifference(string Field, string? Local, string? Insi);

public sealed record InsiSearchResponse(
    long CallId,
    string Code,
    string Label,
    int Calls,
    InsDto? Ins,
    IReadOnlyList<InsDto>? History,
    InsiTraitsDto? Traits,
    IReadOnlyList<TraitDifference> Differences,
    IReadOnlyList<WarningDto>? Warnings,
    InsiVerdictDto? Verdict = null);

/// <summary>
/// The verdict on the answer: <c>kind</c> is <c>same-person</c>, <c>spelling-only</c> (accepting voids the document check),
/// <c>different-person</c>, <c>ins-held-elsewhere</c> or <c>answer-invalid</c>; <c>rule</c> the rule that decided.
/// </summary>
public sealed record InsiVerdictDto(string Kind, string Rule, string Message, bool MayBeAccepted, IReadOnlyList<string> Differing)
{
    public static InsiVerdictDto From(Domain.Ins.InsiVerdict verdict) => new(KindCode(verdict.Kind), verdict.Rule, verdict.Message, verdict.MayBeAcceptedAtTheDesk, verdict.Differing);

    public static string KindCode(Domain.Ins.InsiVerdictKind kind) => kind switch
    {
        Domain.Ins.InsiVerdictKind.SamePerson => "same-person",
        Domain.Ins.InsiVerdictKind.SpellingOnly => "spelling-only",
        Domain.Ins.InsiVerdictKind.DifferentPerson => "different-person",
        Domain.Ins.InsiVerdictKind.InsHeldElsewhere => "ins-held-elsewhere",
        _ => "answer-invalid",
    };
}

public sealed record InsiAcceptRequest(long? CallId);

public sealed record DocumentRequest(string? Type, string? Number, string? Expires);

public sealed record WithdrawRequest(string? Reason);

public sealed record AttributesRequest(IReadOnlyList<string>? Attributes);
