using System.Text.RegularExpressions;
using IdentityRef.Domain.Common;

namespace IdentityRef.Domain.Traits;

/// <summary>
/// The INSEE COG code of the birth commune at the date of birth (département 2 characters, <c>2A</c>/<c>2B</c>
/// for Corsica, then commune 3 digits), or <c>99</c> + country code for a birth abroad; <c>99999</c> is unknown.
/// </summary>
public static partial class BirthPlaceCode
{
    public const string Unknown = "99999";

    public static bool IsAbroad(string code) => code.StartsWith("99", StringComparison.Ordinal);

    /// <summary>Checks the form; a well-formed code missing from the reference data gives a warning, not an error.</summary>
    public static Result<string> Parse(string? text, IBirthPlaceDirectory directory, ICollection<FieldWarning> warnings, string field = "birthPlaceCode")
    {
        var code = text?.Trim().ToUpperInvariant() ?? "";
        if (!Pattern().IsMatch(code))
        {
            return new FieldError(field, "invalid-format",
                "Expected a 5-character INSEE code: département (2 digits, 2A or 2B) and commune, or 99 and a country code.");
        }
        if (code != Unknown && !directory.Contains(code))
        {
            warnings.Add(new FieldWarning(field, "unknown-code",
                "This code is not in the reference data (it may be a former commune): check it."));
        }
        return code;
    }

    [GeneratedRegex(@"^([0-9]{2}|2A|2B)[0-9]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>The reference list of birth places (communes and countries) shipped in <c>data/cog</c>.</summary>
public interface IBirthPlaceDirectory
{
    bool Contains(string code);

    /// <summary>The label of a code, or <c>null</c> when the code is not in the reference data.</summary>
    string? NameOf(string code);
}
