using IdentityRef.Application.Patients;

namespace IdentityRef.Application.Qualification;

/// <summary>Optional body of an INSi search: the carte Vitale data for a RECVITALE search instead of the traits.</summary>
public sealed record InsiSearchRequest(VitaleCardDto? Vitale);

public sealed record VitaleCardDto(string? BeneficiaryNumber, string? BeneficiaryKey, string? BirthRank, string? OpeningRightsHolderNumber, string? OpeningRightsHolderKey);

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
    IReadOnlyList<WarningDto>? Warnings);

public sealed record InsiAcceptRequest(long? CallId);

public sealed record DocumentRequest(string? Type, string? Number, string? Expires);

public sealed record WithdrawRequest(string? Reason);

public sealed record AttributesRequest(IReadOnlyList<string>? Attributes);
