using IdentityRef.Application.Patients;
using IdentityRef.Application.ReferenceData;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Server.Patients;
using IdentityRef.Application.Queries;

namespace IdentityRef.Server.Web;

/// <summary>The traits form's fields, named as the API's (so that field errors point at them). The binder ignores case.</summary>
public sealed class TraitsInput
{
    public string? BirthName { get; set; }
    public string? FirstNames { get; set; }
    public string? FirstName { get; set; }
    public string? BirthDate { get; set; }
    public string? Sex { get; set; }
    public string? BirthPlaceCode { get; set; }
    public string? UsedName { get; set; }
    public string? UsedFirstName { get; set; }
    public string? Address { get; set; }
    public string? Postcode { get; set; }
    public string? City { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }

    /// <summary>The date of death (correction form only), typed as the birth date is.</summary>
    public string? DeathDate { get; set; }

    /// <summary>The API's request: the date as the desk typed it (<c>JJ/MM/AAAA</c> or <c>AAAA-MM-JJ</c>), the birth place as given.</summary>
    public PatientRequest ToRequest() => new()
    {
        BirthName = BirthName, FirstNames = FirstNames, FirstName = FirstName, BirthDate = DeskDates.ToIso(BirthDate), Sex = Sex, BirthPlaceCode = BirthPlaceCode,
        UsedName = UsedName, UsedFirstName = UsedFirstName, Address = Address, Postcode = Postcode, City = City, Phone = Phone, Email = Email,
        DeathDate = DeskDates.ToIso(DeathDate),
    };

    /// <summary>
    /// The traits validated as the API validates them, the birth place read first (a code, a choice of the list or a
    /// commune's name): every error at once, the birth place's own error instead of the code's format error.
    /// </summary>
    public Result<ValidatedTraits> Validate(PatientService patients, BirthPlaceLookup places)
    {
        var place = places.Resolve(BirthPlaceCode);
        var request = ToRequest() with { BirthPlaceCode = place.IsSuccess ? place.Value : null };
        var traits = patients.Validate(request.ToInput());
        if (place.IsSuccess)
        {
            return traits;
        }
        var errors = (traits.IsSuccess ? [] : traits.Errors.Where(e => e.Field != "birthPlaceCode")).Concat(place.Errors).ToList();
        return Result<ValidatedTraits>.Failure(errors);
    }

    /// <summary>The stored traits, for the correction form. A completed birth date (unknown day or month) is shown with its 00.</summary>
    public static TraitsInput From(Identity identity, BirthPlaceLookup? places = null) => new()
    {
        BirthName = identity.BirthName, FirstNames = identity.FirstNames, FirstName = identity.FirstName,
        BirthDate = KeyedBirthDate(identity.BirthDate, identity.BirthDateCorrected), Sex = ((char)identity.Sex).ToString(),
        BirthPlaceCode = identity.BirthPlaceCode is { } code && places?.NameOf(code) is { } name && !name.StartsWith('(') ? new BirthPlaceChoice(code, name).Label : identity.BirthPlaceCode,
        UsedName = identity.UsedName, UsedFirstName = identity.UsedFirstName, Address = identity.Address, Postcode = identity.Postcode,
        City = identity.City, Phone = identity.Phone, Email = identity.Email,
        DeathDate = identity.DeathDate is { } died ? DeskDates.ToFrench(died) : null,
    };

    /// <summary>
    /// The birth date as it was keyed, in the desk's form <c>JJ/MM/AAAA</c>: a corrected date was completed from 00
    /// (00-00 → 12-31, 00 month → January, 00 day → the 1st), so the form gives the 00 back rather than a made-up day.
    /// A corrected 1 January is read as an unknown day, the more frequent case.
    /// </summary>
    public static string KeyedBirthDate(DateOnly date, bool corrected) => (corrected, date.Month, date.Day) switch
    {
        (false, _, _) => DeskDates.ToFrench(date),
        (true, 12, 31) => $"00/00/{date.Year:D4}",
        (true, _, 1) => $"00/{date.Month:D2}/{date.Year:D4}",
        (true, 1, _) => $"{date.Day:D2}/00/{date.Year:D4}",
        _ => DeskDates.ToFrench(date),
    };
}

public sealed record TraitsForm(TraitsInput Input, WebMessages Messages);
