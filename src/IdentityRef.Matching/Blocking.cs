namespace IdentityRef.Matching;

/// <summary>
/// Blocking passes. Each key is "pass|values", stable across versions of the runtime, so a server can
/// store them in an indexed table and fetch candidates with one query. Passes:
/// NY  phonetic key of the birth name, of the used name, or of a part of a compound name + birth year + the
///     initial of a first name (one namespace, so a birth name meets the other's used name);
/// DF  birth date with day and month sorted (so an inverted date meets the right one) + the initials of the
///     last name and of a first name as an unordered pair (so swapped names meet);
/// DN  the same sorted date + the phonetic key of any one name (last, used, compound part or first name, one
///     namespace): the other name replaced altogether;
/// DP  exact birth date + postcode (both names mistyped or replaced);
/// FD  the phonetic key of a first name + the first two letters of the last name + sorted day and month (a last
///     name's sound changed by a typo, with a year typo);
/// FM  the phonetic key of one name + the initial of the other (both orientations) + year and month (+ day typo);
/// NF  the phonetic keys of last and first name as an unordered pair + birth decade (month, day and last-digit
///     typos; first/last swapped); an undated record is filed under every decade;
/// PN, PF  postcode + phonetic key of the last name, postcode + phonetic key of the first name;
/// CN, CF  city + phonetic key of the last name + first-name initial, and the other way round (postcode typos);
/// TT, TD  the first three letters of last and first name as an unordered pair + birth decade, or + day and
///     month (typos that change a phonetic key together with a date error);
/// PA  postcode + house number;
/// I   the INS.
/// With <see cref="MatchingOptions.WideBlocking"/>: NW (NF without the decade), NYW (NY without the initial), DI (DF
/// with a single initial of a first or last name): the coarser keys of the first version, for FEBRL-like data.
/// </summary>
public static class Blocking
{
    /// <summary>
    /// The version of the keys above. Bump it with any change of a key's text (a test pins the keys of fixed records):
    /// a server that stores keys computes them all again when the version it wrote them with differs.
    /// </summary>
    public const int Version = 3;

    // Decades an undated record is filed under in the NF pass (1900s to 2030s).
    private const int FirstDecade = 190, LastDecade = 203;

    public static IEnumerable<string> Keys(MatchRecord record) => Keys(new PreparedRecord(record), wide: false);

    /// <summary>The keys under the given options (<see cref="MatchingOptions.WideBlocking"/> adds three coarse passes).</summary>
    public static IEnumerable<string> Keys(MatchRecord record, MatchingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Keys(new PreparedRecord(record), options.WideBlocking);
    }

    internal static List<string> Keys(PreparedRecord p, bool wide)
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
            // The initial of a first name narrows the block: at a million records, name sound + year alone made
            // blocks of hundreds for common names (28 M of the 50 M candidate pairs). Every first name (and the
            // used first name) gives its initial, so a reordered or dropped first name still meets; a whole first
            // name replaced is left to DF, DP and PN, which do not need it.
            foreach (var name in nameKeys)
            {
                if (firstKeys.Count == 0)
                {
                    // No first name: file the record under every initial, so it still meets those that have one.
                    for (var initial = 'A'; initial <= 'Z'; initial++)
                    {
                        AddDistinct(keys, $"NY|{name}|{year}|{initial}");
                    }
                }
                if (wide)
                {
                    AddDistinct(keys, $"NYW|{name}|{year}");
                }
                foreach (var first in firstKeys)
                {
                    AddDistinct(keys, $"NY|{name}|{year}|{first[0]}");
                }
            }
            int month = p.Date / 100 % 100, day = p.Date % 100;
            var sortedDate = $"{year:D4}{Math.Min(month, day):D2}{Math.Max(month, day):D2}";
            // Initials of the last and a first name as an unordered pair: swapped names still meet. (A single
            // initial made blocks of ~50 at a million records, 10 M pairs.)
            foreach (var last in new[] { p.BirthSdx, p.UsedSdx })
            {
                if (last.Length == 0)
                {
                    continue;
                }
                foreach (var first in firstKeys)
                {
                    var (x, y) = last[0] <= first[0] ? (last[0], first[0]) : (first[0], last[0]);
                    AddDistinct(keys, $"DF|{sortedDate}|{x}{y}");
                }
            }
            if (wide)
            {
                foreach (var initialOf in firstKeys.Concat(new[] { p.BirthSdx, p.UsedSdx }))
                {
                    if (initialOf.Length > 0)
                    {
                        AddDistinct(keys, $"DI|{sortedDate}|{initialOf[0]}");
                    }
                }
            }
            // The sound of any one name (last, used, compound part or first, one namespace) with the date: the other
            // name may be replaced altogether (a first name changed, a last name keyed as a first name).
            foreach (var name in nameKeys.Concat(firstKeys))
            {
                AddDistinct(keys, $"DN|{sortedDate}|{name}");
            }
            if (p.Postcode.Length > 0)
            {
                AddDistinct(keys, $"DP|{p.Date}|{p.Postcode}");
            }
            // A typo that changes a last name's sound (after its second letter) together with a year typo, after a
            // move (FD: a first name's sound + the last name's first two letters + sorted day and month; one letter
            // made blocks of ~50 at a million records), or with a day typo (FM: the sound of one name + the initial
            // of the other, both orientations so swapped names meet, + year and month).
            foreach (var last in new[] { p.Birth, p.Used })
            {
                if (last.Length < 2)
                {
                    continue;
                }
                foreach (var first in firstKeys)
                {
                    AddDistinct(keys, $"FD|{first}|{last[..2]}|{Math.Min(month, day):D2}{Math.Max(month, day):D2}");
                }
            }
            foreach (var last in new[] { p.BirthSdx, p.UsedSdx })
            {
                if (last.Length == 0)
                {
                    continue;
                }
                foreach (var first in firstKeys)
                {
                    AddDistinct(keys, $"FM|{first}|{last[0]}|{p.Date / 100}");
                    AddDistinct(keys, $"FM|{last}|{first[0]}|{p.Date / 100}");
                }
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
                var pair = string.CompareOrdinal(name, first) <= 0 ? $"{name}|{first}" : $"{first}|{name}";
                if (wide)
                {
                    AddDistinct(keys, $"NW|{pair}");
                }
                if (p.Date != 0)
                {
                    AddDistinct(keys, $"NF|{pair}|{p.Date / 100000}");
                }
                else
                {
                    // No date: join every decade's block, so an undated record still meets the dated ones.
                    for (var decade = FirstDecade; decade <= LastDecade; decade++)
                    {
                        AddDistinct(keys, $"NF|{pair}|{decade}");
                    }
                }
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
    public static ulong Hash(string key)
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
