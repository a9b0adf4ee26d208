using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Application.Patients;

/// <summary>An INS on the API: the 15-character matricule with its key, and the OID of its authority.</summary>
public sealed record InsDto(string? Value, string? Oid);

/// <summary>The traits of a person to create or correct (POST and PUT /api/patients).</summary>
public sealed record PatientRequest
{
    public string? BirthName { get; init; }

    /// <summary>The list of birth first names, space-separated as INSi gives it.</summary>
    public string? FirstNames { get; init; }

    /// <summary>The first birth first name; defaults to the first of the list.</summary>
    public string? FirstName { get; init; }

    /// <summary><c>YYYY-MM-DD</c>; <c>00</c> for an unknown day or month (completed and flagged as corrected).</summary>
    public string? BirthDate { get; init; }

    public string? Sex { get; init; }
    public string? BirthPlaceCode { get; init; }
    public string? UsedName { get; init; }
    public string? UsedFirstName { get; init; }
    public string? Address { get; init; }
    public string? Postcode { get; init; }
    public string? City { get; init; }
    public string? Phone { get; init; }
    public string? Email { get; init; }

    /// <summary>The date of death, <c>YYYY-MM-DD</c> (sent as PID-29 with PID-30 Y); null or absent while alive — a PUT without it cancels a recorded death.</summary>
    public string? DeathDate { get; init; }

    /// <summary>An INS declared by the caller: stored, but it counts only once an INSi answer confirms it.</summary>
    public InsDto? Ins { get; init; }

    /// <summary>Create even though a probable duplicate exists (the confirmation is audited).</summary>
    public bool ConfirmDuplicate { get; init; }

    public IdentityInput ToInput() => new()
    {
        BirthName = BirthName, FirstNames = FirstNames, FirstName = FirstName, BirthDate = BirthDate, Sex = Sex,
        BirthPlaceCode = BirthPlaceCode, UsedName = UsedName, UsedFirstName = UsedFirstName, Address = Address,
        Postcode = Postcode, City = City, Phone = Phone, Email = Email, DeathDate = DeathDate, InsValue = Ins?.Value, InsOid = Ins?.Oid,
    };
}

public sealed record DocumentDto(string Type, DateOnly? Expires, string CheckedBy, DateTimeOffset CheckedAt);

/// <summary>What the identity source that fed the identity said of its collection (PAM FR ZFD-5, ZFD-7, ZFD-8): its word, not a check made here.</summary>
public sealed record ReceivedCollectionDto(string? ObtainingMode, string? DocumentType, DateOnly? DocumentExpires);

public sealed record WarningDto(string Field, string Code, string Message);

/// <summary>An identity as the API shows it. The INS is present only when the status is QUAL (RNIV EXI SI 08).</summary>
public sealed record PatientResponse(
    string Ipp,
    string BirthName,
    string FirstNames,
    string FirstName,
    string BirthDate,
    bool BirthDateCorrected,
    string Sex,
    string? BirthPlaceCode,
    string? BirthPlaceName,
    string? UsedName,
    string? UsedFirstName,
    string? Address,
    string? Postcode,
    string? City,
    string? Phone,
    string? Email,
    string? DeathDate,
    string Status,
    string StatusLabel,
    IReadOnlyList<string> Attributes,
    InsDto? Ins,
    string? ObtainingMode,
    DateTimeOffset? InsiCheckedAt,
    DocumentDto? Document,
    ReceivedCollectionDto? Received,
    bool Active,
    string? MergedInto,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<WarningDto>? Warnings)
{
    public static PatientResponse From(Identity identity, IBirthPlaceDirectory places, string? mergedIntoIpp = null, IEnumerable<Domain.Common.FieldWarning>? warnings = null)
    {
        var shareable = identity.ShareableIns;
        var warningList = warnings?.Select(w => new WarningDto(w.Field, w.Code, w.Message)).ToList();
        return new PatientResponse(
            identity.Ipp, identity.BirthName, identity.FirstNames, identity.FirstName,
            identity.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), identity.BirthDateCorrected,
            identity.Sex.Code(), identity.BirthPlaceCode, identity.BirthPlaceCode is { } code ? places.NameOf(code) : null,
            identity.UsedName, identity.UsedFirstName, identity.Address, identity.Postcode, identity.City, identity.Phone, identity.Email,
            identity.DeathDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            identity.Status.Code(), identity.Status.Label(), identity.Attributes.Codes(),
            shareable is null ? null : new InsDto(shareable.Value, shareable.Oid),
            shareable is null ? null : identity.ObtainingMode,
            identity.InsiCheckedAt,
            identity.Document is { } d ? new DocumentDto(d.Type, d.Expires, d.CheckedBy, d.CheckedAt) : null,
            identity.ReceivedObtainingMode is null && identity.ReceivedDocumentType is null && identity.ReceivedDocumentExpires is null
                ? null
                : new ReceivedCollectionDto(identity.ReceivedObtainingMode, identity.ReceivedDocumentType, identity.ReceivedDocumentExpires),
            identity.IsActive, mergedIntoIpp, identity.Version, identity.CreatedAt, identity.UpdatedAt,
            warningList is { Count: > 0 } ? warningList : null);
    }
}

public sealed record HistoryEntryResponse(long Id, string Action, string Actor, DateTimeOffset At, string CorrelationId,
    IReadOnlyDictionary<string, string?>? Before, IReadOnlyDictionary<string, string?>? After, System.Text.Json.JsonElement? Details);

public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);
