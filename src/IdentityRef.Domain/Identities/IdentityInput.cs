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

    /// <summary>The date of death, <c>YYYY-MM-DD</c>; empty while the person is alive (or to cancel a death recorded by mistake).</summary>
    public string? DeathDate { get; init; }

    public string? InsValue { get; init; }
    public string? InsOid { get; init; }
}

/// <summary>Traits that passed every rule, normalised, with the remarks that did not block them.</summary>
public sealed record ValidatedTraits(StrictTraits Strict, ComplementaryTraits Complementary, InsNumber? DeclaredIns, IReadOnlyList<FieldWarning> Warnings);

/// <summary>Applies the INS trait rules (shared doc §1) to a whole input, reporting every bad field at once.</summary>
public static partial class IdentityValidator
{
    public const int MaxFreeTextLength = 200;

    /// <param name="acceptTestIns">
    /// Whether INS of the test and demonstration authorities (OIDs …4.10 and …4.11) may be stored: only on a server that
    /// talks to the INSi qualification platform (<c>Insi:Environment</c>). In production they are refused: a test INS
    /// in a patient base is another person's data waiting to be shared.
    /// </param>
    public static Result<ValidatedTraits> Validate(IdentityInput input, IBirthPlaceDirectory places, DateOnly today, bool acceptTestIns = false)
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
        if (email is not null && email.Length > MaxFreeTextLength)
        {
            // the pattern bounds the local part only; the column holds 200 characters
            errors.Add("email", "too-long", $"An e-mail address has at most {MaxFreeTextLength} characters.");
            email = null;
        }

        var deathDate = DeathDate(input.DeathDate, birthDate, today, errors);

        InsNumber? ins = null;
        if (!string.IsNullOrWhiteSpace(input.InsValue) || !string.IsNullOrWhiteSpace(input.InsOid))
        {
            ins = errors.Take(ParseIns(input.InsValue, input.InsOid, acceptTestIns));
        }

        if (errors.HasErrors)
        {
            return Result<ValidatedTraits>.Failure(errors.Errors);
        }
        var strict = new StrictTraits(birthName!, firstNames!, firstName!, birthDate, sex, birthPlace);
        var complementary = new ComplementaryTraits(usedName, usedFirstName, address, postcode?.ToUpperInvariant(), city, phone, email, deathDate);
        return new ValidatedTraits(strict, complementary, ins, warnings);
    }

    /// <summary>A date of death: a full date (<c>YYYY-MM-DD</c>), not in the future, not before the birth date.</summary>
    private static DateOnly? DeathDate(string? text, BirthDate? birthDate, DateOnly today, ErrorCollector errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
        {
            errors.Add("deathDate", "invalid-date", "The date of death is a full date, YYYY-MM-DD.");
            return null;
        }
        if (date > today)
        {
            errors.Add("deathDate", "future-date", "The date of death cannot be in the future.");
            return null;
        }
        if (birthDate is { } birth && date < birth.Value)
        {
            errors.Add("deathDate", "before-birth", "The date of death cannot be before the birth date.");
            return null;
        }
        return date;
    }

    /// <summary>
    /// An INS as received from outside (API, inbound feed, INSi answer): the OID is required — NIR and NIA are told apart by
    /// the OID only, so an INS without one cannot be stored as anything — and a test or demonstration INS is refused unless
    /// <paramref name="acceptTestIns"/>.
    /// </summary>
    public static Result<InsNumber> ParseIns(string? value, string? oid, bool acceptTestIns, string field = "ins")
    {
        if (!string.IsNullOrWhiteSpace(value) && string.IsNullOrWhiteSpace(oid))
        {
            return new FieldError($"{field}.oid", "required",
                $"The OID of the INS is required: {InsOids.Nir} (INS-NIR) or {InsOids.Nia} (INS-NIA); the digits do not tell them apart.");
        }
        var ins = InsNumber.Parse(value, oid, field);
        if (ins.IsSuccess && ins.Value.IsForTesting && !acceptTestIns)
        {
            return new FieldError($"{field}.oid", "test-ins-refused",
                "This INS belongs to the test or demonstration authority: refused on a production server (Insi:Environment).");
        }
        return ins;
    }

    /// <summary>
    /// The first birth first name is the first complete first name of the list, or several of its first names taken whole
    /// (hyphens and apostrophes counting as spaces): <c>JEAN-CHRISTOPHE</c> fits <c>JEAN CHRISTOPHE PIERRE</c> and
    /// <c>JEAN-CHRISTOPHE PIERRE</c>; <c>CHRISTOPHE</c> fits neither, and <c>JEAN</c> is a fragment of <c>JEAN-CHRISTOPHE
    /// PIERRE</c> (a hyphenated first name is one name). Typed with spaces where the list has a hyphen or an apostrophe, it
    /// is stored as the list writes it. Defaults to the first name of the list.
    /// </summary>
    private static string? FirstBirthFirstName(string? given, string firstNames, ErrorCollector errors)
    {
        var names = firstNames.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (string.IsNullOrWhiteSpace(given))
        {
            return names[0];
        }
        var firstName = errors.Take(InsText.Normalize(given, "firstName", NameKind.FirstName));
        if (firstName is null)
        {
            return null;
        }
        var words = InsText.Words(firstName);
        // The list's first names taken whole, one after the other, until they hold as many words as the first name.
        var taken = 0;
        var takenWords = new List<string>();
        while (takenWords.Count < words.Length && taken < names.Length)
        {
            takenWords.AddRange(InsText.Words(names[taken++]));
        }
        if (!words.SequenceEqual(takenWords))
        {
            var fragment = takenWords.Count > words.Length && words.SequenceEqual(takenWords.Take(words.Length));
            errors.Add("firstName", fragment ? "first-name-fragment" : "not-first-of-list", fragment
                ? $"The first birth first name must be a whole first name of the list: '{firstName}' is only a part of '{string.Join(' ', names.Take(taken))}'."
                : "The first birth first name must be the start of the list of birth first names.");
            return null;
        }
        var asListed = string.Join(' ', names.Take(taken));
        // The user's hyphen is kept where the list has spaces (JEAN-CHRISTOPHE for JEAN CHRISTOPHE); spaces typed where
        // the list joins the names take the list's spelling.
        return firstName.Count(c => c is '-' or '\'') < asListed.Count(c => c is '-' or '\'') ? asListed : firstName;
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
