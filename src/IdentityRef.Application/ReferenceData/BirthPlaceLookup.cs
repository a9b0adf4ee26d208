using System.Text.RegularExpressions;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Traits;
using IdentityRef.Matching;

namespace IdentityRef.Application.ReferenceData;

/// <summary>A birth place as the desk picks it: its INSEE code and its name.</summary>
public sealed record BirthPlaceChoice(string Code, string Name)
{
    /// <summary>How the form shows it and reads it back: <c>Lyon (69123)</c>.</summary>
    public string Label => $"{Name} ({Code})";
}

/// <summary>
/// Birth places by name over the shipped COG data (current communes, municipal arrondissements, countries): the
/// look-up of the creation form, and the reading of what the desk typed in the birth-place field — a code
/// (<c>69123</c>), a choice of the list (<c>Lyon (69123)</c>) or a name (<c>lyon</c>, <c>Saint Étienne</c>: accents,
/// case, hyphens and apostrophes ignored). A name that several places bear is not guessed: the desk chooses.
/// </summary>
public sealed partial class BirthPlaceLookup
{
    private readonly (string Key, BirthPlaceChoice Place)[] _byKey;
    private readonly IBirthPlaceDirectory _directory;

    public BirthPlaceLookup(IBirthPlaceDirectory directory)
    {
        _directory = directory;
        var places = directory is CogBirthPlaceDirectory cog ? cog.Places : [];
        _byKey = [.. places.Select(p => (NameText.Compact(p.Name), new BirthPlaceChoice(p.Code, p.Name)))
            .OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2.Code, StringComparer.Ordinal)];
    }

    /// <summary>The places whose name is, or starts with, the text (the same name first), or whose code starts with it.</summary>
    public IReadOnlyList<BirthPlaceChoice> Search(string? text, int max = 12)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length < 2)
        {
            return [];
        }
        if (CodeStart().IsMatch(trimmed))
        {
            var code = trimmed.ToUpperInvariant();
            return [.. _byKey.Where(p => p.Place.Code.StartsWith(code, StringComparison.Ordinal)).Select(p => p.Place).OrderBy(p => p.Code, StringComparer.Ordinal).Take(max)];
        }
        var key = NameText.Compact(trimmed);
        if (key.Length == 0)
        {
            return [];
        }
        var start = LowerBound(key);
        var found = new List<BirthPlaceChoice>();
        for (var i = start; i < _byKey.Length && found.Count < max && _byKey[i].Key.StartsWith(key, StringComparison.Ordinal); i++)
        {
            found.Add(_byKey[i].Place);
        }
        // The same name first, then the shorter names (the town before its suburbs).
        return [.. found.OrderBy(p => NameText.Compact(p.Name) == key ? 0 : 1).ThenBy(p => p.Name.Length).ThenBy(p => p.Code, StringComparer.Ordinal)];
    }

    /// <summary>The name of a code, or null when the reference data does not know it.</summary>
    public string? NameOf(string code) => _directory.NameOf(code);

    /// <summary>
    /// The INSEE code the desk meant: the code itself, the code of a list choice, or the code of the one place of
    /// that name. Empty stays empty (the validation decides); an unknown or shared name is an error on the field.
    /// </summary>
    public Result<string?> Resolve(string? text, string field = "birthPlaceCode")
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return Result<string?>.Success(null);
        }
        if (Choice().Match(trimmed) is { Success: true } choice)
        {
            return choice.Groups[1].Value.ToUpperInvariant();
        }
        if (trimmed.Any(char.IsAsciiDigit))
        {
            return trimmed; // a code, checked by the validation
        }
        var key = NameText.Compact(trimmed);
        var same = key.Length == 0 ? [] : _byKey.Skip(LowerBound(key)).TakeWhile(p => p.Key == key).Select(p => p.Place).ToList();
        return same.Count switch
        {
            1 => same[0].Code,
            0 => new FieldError(field, "unknown-place", "No commune or country of this name: type its INSEE code or choose one in the list."),
            _ => new FieldError(field, "ambiguous-place",
                "Several places have this name: " + string.Join(", ", same.Take(6).Select(p => p.Label)) + (same.Count > 6 ? "…" : "") + "."),
        };
    }

    private int LowerBound(string key)
    {
        int low = 0, high = _byKey.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (string.CompareOrdinal(_byKey[mid].Key, key) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    [GeneratedRegex(@"\(\s*((?:[0-9]{2}|2A|2B|2a|2b)[0-9]{3})\s*\)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Choice();

    [GeneratedRegex(@"^([0-9]|2A|2B|2a|2b)[0-9]{0,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodeStart();
}
