using System.Globalization;
using System.Text.RegularExpressions;
using IdentityRef.Domain.Common;

namespace IdentityRef.Domain.Traits;

/// <summary>
/// A full birth date, and whether it was completed from an incomplete one. INS implementation guide rule:
/// unknown day → 01; unknown month → 01; both unknown → 31/12. A corrected date forbids the statuses RECUP
/// and QUAL and its INS is not transmitted (PAM FR §6.6.4).
/// </summary>
public readonly partial record struct BirthDate(DateOnly Value, bool Corrected)
{
    /// <summary>The oldest year accepted; anything earlier is a keying error.</summary>
    public const int MinYear = 1850;

    public override string ToString() => Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Parses <c>YYYY-MM-DD</c>, where <c>00</c> marks an unknown day or month.</summary>
    public static Result<BirthDate> Parse(string? text, DateOnly today, string field = "birthDate")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new FieldError(field, "required", "The birth date is required.");
        }
        var match = IsoDate().Match(text.Trim());
        if (!match.Success)
        {
            return new FieldError(field, "invalid-format", "Expected a date as YYYY-MM-DD.");
        }
        var year = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var month = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        var day = int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);

        var corrected = month == 0 || day == 0;
        (month, day) = (month, day) switch
        {
            (0, 0) => (12, 31),
            (0, _) => (1, day),
            (_, 0) => (month, 1),
            _ => (month, day),
        };
        if (month > 12 || day > DateTime.DaysInMonth(Math.Max(year, 1), month))
        {
            return new FieldError(field, "invalid-date", "This day does not exist in this month.");
        }
        if (year < MinYear) // before building the date: year 0000 is not representable
        {
            return new FieldError(field, "implausible-date", $"The birth year must be {MinYear} or later.");
        }
        var value = new DateOnly(year, month, day);
        if (value > today)
        {
            return new FieldError(field, "future-date", "The birth date cannot be in the future.");
        }
        return new BirthDate(value, corrected);
    }

    [GeneratedRegex(@"^([0-9]{4})-([0-9]{2})-([0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();
}
