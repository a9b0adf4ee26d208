namespace IdentityRef.Matching;

/// <summary>
/// The identity traits the engine compares. Callers pass values already normalised to the INS
/// character rules (upper-case A-Z, space/hyphen/apostrophe separators); the engine normalises again
/// defensively, so lower case, accents or stray punctuation never break a comparison.
/// </summary>
/// <param name="Sex">'M', 'F' or 'U' (unknown); anything else counts as unknown.</param>
public sealed record MatchRecord(
    string Id,
    string BirthName,
    IReadOnlyList<string> FirstNames,
    string? UsedName = null,
    string? UsedFirstName = null,
    DateOnly? BirthDate = null,
    char Sex = 'U',
    string? BirthPlaceCode = null,
    string? Ins = null,
    string? Postcode = null,
    string? City = null,
    string? Address = null);
