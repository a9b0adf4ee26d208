using IdentityRef.Domain.Common;

namespace IdentityRef.Domain.Traits;

/// <summary>Administrative sex. <see cref="Unknown"/> exists locally, but an INSi call with it fails.</summary>
public enum Sex
{
    Male = 'M',
    Female = 'F',
    Unknown = 'U',
}

public static class SexCodes
{
    public static Result<Sex> Parse(string? text, string field = "sex") => text?.Trim().ToUpperInvariant() switch
    {
        "M" => Sex.Male,
        "F" => Sex.Female,
        "U" => Sex.Unknown,
        null or "" => new FieldError(field, "required", "The sex is required (M, F or U)."),
        _ => new FieldError(field, "invalid-value", "The sex must be M, F or U."),
    };

    public static string Code(this Sex sex) => ((char)sex).ToString();
}
