using IdentityRef.Application.Patients;
using IdentityRef.Domain.Identities;
using IdentityRef.Server.Patients;

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

    /// <summary>The date of death (correction form only).</summary>
    public string? DeathDate { get; set; }

    public PatientRequest ToRequest() => new()
    {
        BirthName = BirthName, FirstNames = FirstNames, FirstName = FirstName, BirthDate = BirthDate, Sex = Sex, BirthPlaceCode = BirthPlaceCode,
        UsedName = UsedName, UsedFirstName = UsedFirstName, Address = Address, Postcode = Postcode, City = City, Phone = Phone, Email = Email, DeathDate = DeathDate,
    };

    /// <summary>The stored traits, for the correction form. A completed birth date (unknown day or month) is shown with its 00.</summary>
    public static TraitsInput From(Identity identity) => new()
    {
        BirthName = identity.BirthName, FirstNames = identity.FirstNames, FirstName = identity.FirstName,
        BirthDate = KeyedBirthDate(identity.BirthDate, identity.BirthDateCorrected), Sex = ((char)identity.Sex).ToString(), BirthPlaceCode = identity.BirthPlaceCode,
        UsedName = identity.UsedName, UsedFirstName = identity.UsedFirstName, Address = identity.Address, Postcode = identity.Postcode,
        City = identity.City, Phone = identity.Phone, Email = identity.Email,
        DeathDate = identity.DeathDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The birth date as it was keyed: a corrected date was completed from 00 (00-00 → 12-31, 00 month → January,
    /// 00 day → the 1st), so the form gives the 00 back rather than a made-up day. A corrected 1 January is read
    /// as an unknown day, the more frequent case.
    /// </summary>
    public static string KeyedBirthDate(DateOnly date, bool corrected) => (corrected, date.Month, date.Day) switch
    {
        (false, _, _) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        (true, 12, 31) => $"{date.Year:D4}-00-00",
        (true, _, 1) => $"{date.Year:D4}-{date.Month:D2}-00",
        (true, 1, _) => $"{date.Year:D4}-00-{date.Day:D2}",
        _ => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };
}

public sealed record TraitsForm(TraitsInput Input, WebMessages Messages);
