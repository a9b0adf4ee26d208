using System.Text.RegularExpressions;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Identities;

/// <summary>The traits of a person as typed or received, before any rule is applied. Field names are the API's.</summary>
public sealed record IdentityInput
{
    public string? BirthName { get; init; }
    public string? FirstNames { get; init; }
    public string? FirstName { get; init; }
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
    public string? InsValue { get; init; }
    public string? InsOid { get; init; }
}

/// <summary>Traits that passed every rule, normalised, with the remarks that did not block them.</summary>
public sealed record ValidatedTraits(StrictTraits Strict, ComplementaryTraits Complementary, InsNumber? DeclaredIns, IReadOnlyList<FieldWarning> Warnings);

/// <summary>Applies the INS trait rules (shared doc §1) to a whole input, reporting every bad field at once.</summary>
public static partial class IdentityValidator
{
    public const int MaxFreeTextLength = 200;

    public static Result<ValidatedTraits> Validate(IdentityInput input, IBirthPlaceDirectory places, DateOnly today)
    {
        var errors = new ErrorCollector();
        var warnings = new List<FieldWarning>();

        var birthName = errors.Take(InsText.Normalize(input.BirthName, "birthName", NameKind.Name));
        var firstNames = errors.Take(InsText.Normalize(input.FirstNames, "firstNames", NameKind.FirstName));
        var firstName = firstNames is null ? null : FirstBirthFirstName(input.FirstName, firstNames, errors);
        var birthDate = errors.Take(BirthDate.Parse(input.BirthDate, today));
        var sex = errors.Take(SexCodes.Parse(input.Sex));
        var birthPlace = string.IsNullOrWhiteSpace(input.BirthPlaceCode)
            ? null
            : errors.Take(BirthPlaceCode.Parse(input.BirthPlaceCode, places, warnings));

        var usedName = Optional(input.UsedName, "usedName", NameKind.Name, errors);
        var usedFirstName = Optional(input.UsedFirstName, "usedFirstName", NameKind.FirstName, errors);
        var address = FreeText(input.Address, "address", MaxFreeTextLength, errors);
        var city = FreeText(input.City, "city", MaxFreeTextLength, errors);
        var postcode = Matching(input.Postcode, "postcode", PostcodePattern(), "A postcode has 2 to 10 letters or digits.", errors);
        var phone = Matching(input.Phone, "phone", PhonePattern(), "A phone number has 6 to 20 digits, optionally with +, spaces, dots or hyphens.", errors);
        var email = Matching(input.Email, "email", EmailPattern(), "This is not an e-mail address.", errors);

        InsNumber? ins = null;
        if (!string.IsNullOrWhiteSpace(input.InsValue) || !string.IsNullOrWhiteSpace(input.InsOid))
        {
            ins = errors.Take(InsNumber.Parse(input.InsValue, input.InsOid ?? InsOids.Nir));
        }

        if (errors.HasErrors)
        {
            return Result<ValidatedTraits>.Failure(errors.Errors);
        }
        var strict = new StrictTraits(birthName!, firstNames!, firstName!, birthDate, sex, birthPlace);
        var complementary = new ComplementaryTraits(usedName, usedFirstName, address, postcode?.ToUpperInvariant(), city, phone, email);
        return new ValidatedTraits(strict, complementary, ins, warnings);
    }

    /// <summary>
    /// The first birth first name must be the start of the list, hyphens and apostrophes counting as spaces:
    /// <c>JEAN-CHRISTOPHE</c> fits <c>JEAN CHRISTOPHE PIERRE</c>, <c>CHRISTOPHE</c> does not. Defaults to the first
    /// name of the list.
    /// </summary>
    private static string? FirstBirthFirstName(string? given, string firstNames, ErrorCollector errors)
    {
        if (string.IsNullOrWhiteSpace(given))
        {
            return firstNames.Split(' ')[0];
        }
        var firstName = errors.Take(InsText.Normalize(given, "firstName", NameKind.FirstName));
        if (firstName is null)
        {
            return null;
        }
        var listWords = InsText.Words(firstNames);
        var words = InsText.Words(firstName);
        if (words.Length > listWords.Length || !words.SequenceEqual(listWords.Take(words.Length)))
        {
            errors.Add("firstName", "not-first-of-list", "The first birth first name must be the start of the list of birth first names.");
            return null;
        }
        return firstName;
    }

    private static string? Optional(string? value, string field, NameKind kind, ErrorCollector errors) =>
        string.IsNullOrWhiteSpace(value) ? null : errors.Take(InsText.Normalize(value, field, kind));

    private static string? FreeText(string? value, string field, int maxLength, ErrorCollector errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var text = value.Trim();
        if (TextPolicy.Check(text, field) is { } refused)
        {
            errors.Add(refused);
            return null;
        }
        if (text.Length > maxLength)
        {
            errors.Add(field, "too-long", $"At most {maxLength} characters.");
            return null;
        }
        return text;
    }

    private static string? Matching(string? value, string field, Regex pattern, string message, ErrorCollector errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var text = value.Trim();
        if (TextPolicy.Check(text, field) is { } refused)
        {
            errors.Add(refused);
            return null;
        }
        if (!pattern.IsMatch(text))
        {
            errors.Add(field, "invalid-format", message);
            return null;
        }
        return text;
    }

    [GeneratedRegex(@"^[A-Za-z0-9]{2,10}$", RegexOptions.CultureInvariant)]
    private static partial Regex PostcodePattern();

    [GeneratedRegex(@"^\+?[0-9][0-9 .\-]{4,22}[0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
