using IdentityRef.Domain.Common;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Identities;

/// <summary>The official identity (traits stricts), already normalised to the INS rules.</summary>
/// <param name="FirstNames">The list of birth first names, space-separated as INSi gives it.</param>
/// <param name="FirstName">The first birth first name: the start of the list, hyphens counting as spaces.</param>
/// <param name="BirthPlaceCode">INSEE COG code; <c>null</c> when not yet known.</param>
public sealed record StrictTraits(string BirthName, string FirstNames, string FirstName, BirthDate BirthDate, Sex Sex, string? BirthPlaceCode);

/// <summary>Traits complémentaires: never auto-filled from the birth traits.</summary>
/// <param name="DeathDate">The date of death when the person died (PID-29, PID-30 Y); null when alive or unknown.</param>
public sealed record ComplementaryTraits(
    string? UsedName,
    string? UsedFirstName,
    string? Address,
    string? Postcode,
    string? City,
    string? Phone,
    string? Email,
    DateOnly? DeathDate = null)
{
    public static ComplementaryTraits None { get; } = new(null, null, null, null, null, null, null);
}

/// <summary>How the INS held by an identity was obtained. Only an INSi answer makes an identity "récupérée".</summary>
public enum InsSource
{
    /// <summary>Returned by the INSi teleservice and accepted by staff after comparing the traits.</summary>
    Insi,

    /// <summary>Given by a caller or another system, not yet confirmed by the teleservice.</summary>
    Declared,
}

/// <summary>A high-trust identity document seen by a member of staff (RNIV: who, when, which, until when).</summary>
public sealed record DocumentCheck(string Type, string? Number, DateOnly? Expires, string CheckedBy, DateTimeOffset CheckedAt)
{
    public const int MaxNumberLength = 64;

    /// <summary>The document number as every entry path takes it (API, web form): an identifier under the text policy, 64 characters at most.</summary>
    public static void ValidateNumber(string? number, ErrorCollector errors)
    {
        if (TextPolicy.Check(number, "number") is { } refused)
        {
            errors.Add(refused);
        }
        else if (number is { Length: > MaxNumberLength })
        {
            errors.Add("number", "too-long", $"At most {MaxNumberLength} characters.");
        }
    }
}
