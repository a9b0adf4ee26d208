namespace IdentityRef.Matching;

/// <summary>
/// Blocking passes. Each key is "pass|values", stable across versions of the runtime, so a server can
/// store them in an indexed table and fetch candidates with one query. Passes:
/// NY  phonetic key of the birth name, of the used name, or of a part of a compound name + birth year
///     (one namespace, so a birth name meets the other's used name);
/// DF  birth date with day and month sorted (so an inverted date meets the right one) + the initial of a
///     first or last name (one namespace, so swapped names meet);
/// DP  exact birth date + postcode (both names mistyped or replaced);
/// NF  the phonetic keys of last and first name as an unordered pair (no date: year typos; first/last swapped);
/// PN, PF  postcode + phonetic key of the last name, postcode + phonetic key of the first name;
/// CN, CF  city + phonetic key of the last name + first-name initial, and the other way round (postcode typos);
/// TT, TD  the first three letters of last and first name as an unordered pair + birth decade, or + day and
///     month (typos that change a phonetic key together with a date error);
/// PA  postcode + house number;
/// I   the INS.
/// </summary>
public static class Blocking
{
    public static IEnumerable<string> Keys(MatchRecord record) => Keys(new PreparedRecord(record));

    internal static List<string> Keys(PreparedRecord p)
    {
        var keys = new List<string>(12);
        var nameKeys = new List<string>(4);
        AddDistinct(nameKeys, p.BirthSdx);
        AddDistinct(nameKeys, p.UsedSdx);
        foreach (var part in p.NameParts)
        {
            AddDistinct(nameKeys, Soundex2.Encode(part));
        }
        var firstKeys = new List<string>(3);
        AddDistinct(firstKeys, p.First0Sdx);
        AddDistinct(firstKeys, Soundex2.Encode(p.UsedFirst));
        // Further first names too (at most two more), so a reordered or dropped first name still meets.
        foreach (var other in p.Firsts.Skip(1).Take(2))
        {
            AddDistinct(firstKeys, Soundex2.Encode(other));
        }

        if (p.Date != 0)
        {
            var year = p.Date / 10000;
            foreach (var name in nameKeys)
            {
                AddDistinct(keys, $"NY|{name}|{year}");
            }
            int month = p.Date / 100 % 100, day = p.Date % 100;
            var sortedDate = $"{year:D4}{Math.Min(month, day):D2}{Math.Max(month, day):D2}";
            // Initials of first and last names in one namespace: swapped names still meet.
            foreach (var initialOf in firstKeys.Concat(new[] { p.BirthSdx, p.UsedSdx }))
            {
                if (initialOf.Length > 0)
                {
                    AddDistinct(keys, $"DF|{sortedDate}|{initialOf[0]}");
                }
            }
            if (p.Postcode.Length > 0)
            {
                AddDistinct(keys, $"DP|{p.Date}|{p.Postcode}");
            }
        }
        foreach (var name in new[] { p.BirthSdx, p.UsedSdx })
        {
            if (name.Length == 0)
            {
                continue;
            }
            foreach (var first in firstKeys)
            {
                var ordered = string.CompareOrdinal(name, first) <= 0;
                AddDistinct(keys, ordered ? $"NF|{name}|{first}" : $"NF|{first}|{name}");
            }
        }
        if (p.Postcode.Length > 0)
        {
            foreach (var name in new[] { p.BirthSdx, p.UsedSdx })
            {
                if (name.Length > 0)
                {
                    AddDistinct(keys, $"PN|{p.Postcode}|{name}");
                }
            }
            foreach (var first in firstKeys)
            {
                AddDistinct(keys, $"PF|{p.Postcode}|{first}");
            }
        }
        if (p.Postcode.Length > 0 && HouseNumber(p.Address) is { } number)
        {
            // Same door: both names replaced or badly mistyped, the address still meets.
            AddDistinct(keys, $"PA|{p.Postcode}|{number}");
        }
        if (p.City.Length > 0 && p.BirthSdx.Length > 0 && p.First0Sdx.Length > 0)
        {
            // The city survives a mistyped postcode.
            AddDistinct(keys, $"CN|{p.City}|{p.BirthSdx}|{p.First0Sdx[0]}");
            AddDistinct(keys, $"CF|{p.City}|{p.First0Sdx}|{p.BirthSdx[0]}");
        }
        if (p.Birth.Length >= 3 && p.First0.Length >= 3 && p.Date != 0)
        {
            // Spelling, not sound: the first three letters of both names (an unordered pair) survive a late
            // typo that changes a phonetic key; the birth decade keeps the block small at a million records.
            var name = p.Birth[..3];
            var first = p.First0[..3];
            var decade = p.Date / 100000;
            var pair = string.CompareOrdinal(name, first) <= 0 ? $"{name}|{first}" : $"{first}|{name}";
            int month = p.Date / 100 % 100, day = p.Date % 100;
            AddDistinct(keys, $"TT|{pair}|{decade}");
            AddDistinct(keys, $"TD|{pair}|{Math.Min(month, day):D2}{Math.Max(month, day):D2}");
        }
        if (p.Ins.Length > 0)
        {
            keys.Add($"I|{p.Ins}");
        }
        return keys;
    }

    /// <summary>A stable 64-bit FNV-1a hash of a key (collisions only add candidates, never lose any).</summary>
    internal static ulong Hash(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    private static string? HouseNumber(string address)
    {
        var end = 0;
        while (end < address.Length && char.IsAsciiDigit(address[end]))
        {
            end++;
        }
        return end > 0 ? address[..end] : null;
    }

    private static void AddDistinct(List<string> list, string value)
    {
        if (value.Length > 0 && !list.Contains(value))
        {
            list.Add(value);
        }
    }
}
