using FuzzySharp;
using FuzzySharp.PreProcess;

namespace IdentityRef.Matching;

/// <summary>One comparator per trait; each returns a discrete level (see <see cref="TraitLevels"/>).</summary>
public static class TraitComparers
{
    public const int TraitCount = 9;

    /// <summary>Levels of every trait, packed 4 bits per trait (level + 1, 0 = missing).</summary>
    internal static ulong ComparePattern(PreparedRecord a, PreparedRecord b, MatchingOptions options, out bool namesSwapped) =>
        WithAddress(ComparePatternWithoutAddress(a, b, options, out namesSwapped), a, b, options);

    /// <summary>The address level added to a pattern computed without it (FuzzySharp is the costliest comparator).</summary>
    internal static ulong WithAddress(ulong pattern, PreparedRecord a, PreparedRecord b, MatchingOptions options) =>
        Pack(pattern, Trait.Address, AddressLevel(a.Address, b.Address, options));

    /// <summary>Every level but the address one (left at 0, which decodes as missing).</summary>
    internal static ulong ComparePatternWithoutAddress(PreparedRecord a, PreparedRecord b, MatchingOptions options, out bool namesSwapped)
    {
        var name = NameLevel(a, b, options);
        var first = FirstNameLevel(a, b, options);
        namesSwapped = false;
        if ((name <= TraitLevels.BirthName.Phonetic || first <= TraitLevels.FirstNames.Phonetic)
            && a.Birth.Length > 0 && b.Birth.Length > 0 && a.First0.Length > 0 && b.First0.Length > 0)
        {
            // First and last names keyed in each other's field: compare crosswise. The last name (birth or used, or
            // a part of a compound one) keyed as any first name of the other, and one of the first names as the last name.
            var swappedName = CrossedLevel(a, b, options);
            var swappedFirst = CrossedLevel(b, a, options);
            if (swappedName >= NameAgreement.Phonetic && swappedFirst >= NameAgreement.Phonetic && swappedName + swappedFirst >= NameAgreement.Close + NameAgreement.Phonetic)
            {
                name = AsBirthNameLevel(swappedName);
                first = AsFirstNameLevel(swappedFirst);
                namesSwapped = true;
            }
        }
        ulong pattern = 0;
        pattern = Pack(pattern, Trait.BirthName, name);
        pattern = Pack(pattern, Trait.FirstNames, first);
        pattern = Pack(pattern, Trait.BirthDate, BirthDateLevel(a.Date, b.Date));
        pattern = Pack(pattern, Trait.Sex, a.Sex == 'U' || b.Sex == 'U' ? TraitLevels.Missing : a.Sex == b.Sex ? 1 : 0);
        pattern = Pack(pattern, Trait.BirthPlace, BirthPlaceLevel(a.Place, b.Place));
        pattern = Pack(pattern, Trait.Ins, a.Ins.Length == 0 || b.Ins.Length == 0 ? TraitLevels.Missing : a.Ins == b.Ins ? 1 : 0);
        pattern = Pack(pattern, Trait.Postcode, PostcodeLevel(a.Postcode, b.Postcode));
        pattern = Pack(pattern, Trait.City, CityLevel(a.City, b.City));
        return pattern;
    }

    /// <summary>
    /// The best agreement between the last name of <paramref name="last"/> (birth name, used name, or a part of a
    /// compound one, which counts as a typo-level agreement) and any first name of <paramref name="first"/>.
    /// </summary>
    private static int CrossedLevel(PreparedRecord last, PreparedRecord first, MatchingOptions options)
    {
        var level = TraitLevels.Missing;
        for (var i = 0; i < first.Firsts.Length && level < NameAgreement.Exact; i++)
        {
            var name = first.Firsts[i];
            level = Math.Max(level, SingleNameLevel(last.Birth, last.BirthSdx, last.BirthSdxAlt, name, first.FirstSdx[i], first.FirstSdxAlt[i], options));
            if (last.Used.Length > 0)
            {
                level = Math.Max(level, SingleNameLevel(last.Used, last.UsedSdx, last.UsedSdxAlt, name, first.FirstSdx[i], first.FirstSdxAlt[i], options));
            }
            if (Array.IndexOf(last.NameParts, name) >= 0)
            {
                level = Math.Max(level, NameAgreement.Close);
            }
        }
        return level;
    }

    internal static int Level(ulong pattern, Trait trait) => (int)((pattern >> ((int)trait * 4)) & 0xF) - 1;

    private static ulong Pack(ulong pattern, Trait trait, int level) => pattern | ((ulong)(level + 1) << ((int)trait * 4));

    /// <summary>Birth name, with the used name crossing both ways and the parts of compound names.</summary>
    internal static int NameLevel(PreparedRecord a, PreparedRecord b, MatchingOptions options)
    {
        if (a.Birth.Length == 0 || b.Birth.Length == 0)
        {
            return TraitLevels.Missing;
        }
        if (a.Birth == b.Birth)
        {
            return TraitLevels.BirthName.Exact;
        }
        if ((b.Used.Length > 0 && a.Birth == b.Used) || (a.Used.Length > 0 && a.Used == b.Birth))
        {
            return TraitLevels.BirthName.Crossed;
        }
        if (SharesPart(a, b))
        {
            return TraitLevels.BirthName.CompoundPart;
        }
        if (JaroWinkler.IsOneEditApart(a.Birth, b.Birth) && a.Birth.Length >= 4)
        {
            return TraitLevels.BirthName.Close;
        }
        var similarity = JaroWinkler.Similarity(a.Birth, b.Birth);
        if (b.Used.Length > 0)
        {
            similarity = Math.Max(similarity, JaroWinkler.Similarity(a.Birth, b.Used));
        }
        if (a.Used.Length > 0)
        {
            similarity = Math.Max(similarity, JaroWinkler.Similarity(a.Used, b.Birth));
        }
        if (similarity >= options.NameCloseSimilarity)
        {
            return TraitLevels.BirthName.Close;
        }
        var phonetic = a.BirthSdx == b.BirthSdx || a.BirthSdxAlt == b.BirthSdxAlt
            || (b.UsedSdx.Length > 0 && a.BirthSdx == b.UsedSdx)
            || (a.UsedSdx.Length > 0 && a.UsedSdx == b.BirthSdx);
        return phonetic || similarity >= options.NamePhoneticSimilarity ? TraitLevels.BirthName.Phonetic : TraitLevels.BirthName.Different;
    }

    /// <summary>First-name lists: the first of one found in the other's list (reordered, missing ones), compound parts, used first name.</summary>
    internal static int FirstNameLevel(PreparedRecord a, PreparedRecord b, MatchingOptions options)
    {
        if (!a.HasFirstName || !b.HasFirstName)
        {
            return TraitLevels.Missing;
        }
        if (a.First0.Length > 0 && a.First0 == b.First0)
        {
            return TraitLevels.FirstNames.Exact;
        }
        if (Contains(b, a.First0) || Contains(a, b.First0) || Contains(b, a.UsedFirst) || Contains(a, b.UsedFirst)
            || TokensWithin(a.First0Tokens, b.First0Tokens) || TokensWithin(b.First0Tokens, a.First0Tokens))
        {
            return TraitLevels.FirstNames.Contained;
        }
        var level = a.First0.Length > 0
            ? (b.First0.Length > 0
                ? SingleNameLevel(a.First0, a.First0Sdx, a.First0SdxAlt, b.First0, b.First0Sdx, b.First0SdxAlt, options)
                : SingleNameLevel(a.First0, a.First0Sdx, a.First0SdxAlt, b.UsedFirst, b.UsedFirstSdx, b.UsedFirstSdxAlt, options))
            : (b.First0.Length > 0
                ? SingleNameLevel(a.UsedFirst, a.UsedFirstSdx, a.UsedFirstSdxAlt, b.First0, b.First0Sdx, b.First0SdxAlt, options)
                : SingleNameLevel(a.UsedFirst, a.UsedFirstSdx, a.UsedFirstSdxAlt, b.UsedFirst, b.UsedFirstSdx, b.UsedFirstSdxAlt, options));
        return AsFirstNameLevel(level);
    }

    /// <summary>Agreement of two single names, before it is mapped onto a trait's levels.</summary>
    internal static class NameAgreement
    {
        public const int Different = 0, Similar = 1, Phonetic = 2, Close = 3, Exact = 4;
    }

    /// <summary>Two single names: exact, typing error (Jaro–Winkler), same Soundex2 key, loosely similar, different.</summary>
    internal static int SingleNameLevel(string x, string y, MatchingOptions options)
    {
        var sdxX = Soundex2.Encode(x);
        var sdxY = Soundex2.Encode(y);
        return SingleNameLevel(x, sdxX, PreparedRecord.AlternativeKey(x, sdxX), y, sdxY, PreparedRecord.AlternativeKey(y, sdxY), options);
    }

    /// <summary>The same with the phonetic keys already computed (the hot path of full detection).</summary>
    internal static int SingleNameLevel(string x, string sdxX, string altX, string y, string sdxY, string altY, MatchingOptions options)
    {
        if (x.Length == 0 || y.Length == 0)
        {
            return TraitLevels.Missing;
        }
        if (x == y)
        {
            return NameAgreement.Exact;
        }
        var similarity = JaroWinkler.Similarity(x, y);
        // A typo changes a length by one at most; Jaro–Winkler alone rates a shared prefix highly, and twins are
        // given names that share one (CAROLINE, CARINE).
        if ((similarity >= options.NameCloseSimilarity && Math.Abs(x.Length - y.Length) <= 1) || (x.Length >= 3 && JaroWinkler.IsOneEditApart(x, y)))
        {
            return NameAgreement.Close;
        }
        if (sdxX == sdxY || altX == altY)
        {
            return NameAgreement.Phonetic;
        }
        return similarity >= options.NamePhoneticSimilarity ? NameAgreement.Similar : NameAgreement.Different;
    }

    private static int AsBirthNameLevel(int agreement) => agreement switch
    {
        NameAgreement.Exact => TraitLevels.BirthName.Exact,
        NameAgreement.Close => TraitLevels.BirthName.Close,
        NameAgreement.Phonetic or NameAgreement.Similar => TraitLevels.BirthName.Phonetic,
        _ => agreement < 0 ? TraitLevels.Missing : TraitLevels.BirthName.Different,
    };

    private static int AsFirstNameLevel(int agreement) => agreement switch
    {
        NameAgreement.Exact => TraitLevels.FirstNames.Exact,
        NameAgreement.Close => TraitLevels.FirstNames.Close,
        NameAgreement.Phonetic => TraitLevels.FirstNames.Phonetic,
        NameAgreement.Similar => TraitLevels.FirstNames.Similar,
        _ => agreement < 0 ? TraitLevels.Missing : TraitLevels.FirstNames.Different,
    };

    /// <summary>Birth dates as yyyymmdd ints; knows day/month inversion and one-digit keying errors (also after an inversion).</summary>
    public static int BirthDateLevel(int a, int b)
    {
        if (a == 0 || b == 0)
        {
            return TraitLevels.Missing;
        }
        if (a == b)
        {
            return TraitLevels.BirthDate.Exact;
        }
        int ya = a / 10000, ma = a / 100 % 100, da = a % 100;
        int yb = b / 10000, mb = b / 100 % 100, db = b % 100;
        if (ya == yb && ma == db && da == mb)
        {
            return TraitLevels.BirthDate.DayMonthSwapped;
        }
        // One keying error, or one on top of a day/month inversion (two errors in one date, both classic).
        if (IsOneDigitError(a, b) || IsOneDigitError(a, (yb * 10000) + (db * 100) + mb))
        {
            return TraitLevels.BirthDate.OneDigit;
        }
        var same = (ya == yb ? 1 : 0) + (ma == mb ? 1 : 0) + (da == db ? 1 : 0);
        return same >= 2 ? TraitLevels.BirthDate.TwoOfThree : TraitLevels.BirthDate.Different;
    }

    public static int BirthDateLevel(DateOnly? a, DateOnly? b) =>
        BirthDateLevel(a is { } x ? (x.Year * 10000) + (x.Month * 100) + x.Day : 0, b is { } y ? (y.Year * 10000) + (y.Month * 100) + y.Day : 0);

    /// <summary>One digit substituted, or two adjacent digits transposed, in the eight digits yyyymmdd (or in <paramref name="digits"/> digits).</summary>
    internal static bool IsOneDigitError(int a, int b, int digits = 8)
    {
        Span<int> da = stackalloc int[digits];
        Span<int> db = stackalloc int[digits];
        for (var i = digits - 1; i >= 0; i--)
        {
            da[i] = a % 10;
            db[i] = b % 10;
            a /= 10;
            b /= 10;
        }
        int first = -1, count = 0;
        for (var i = 0; i < digits; i++)
        {
            if (da[i] != db[i])
            {
                if (count == 0)
                {
                    first = i;
                }
                count++;
            }
        }
        if (count == 1)
        {
            return true;
        }
        return count == 2 && first < digits - 1 && da[first] == db[first + 1] && da[first + 1] == db[first];
    }

    /// <summary>Two yyyymmdd dates that differ in at most two of their eight digits, directly or after a day/month inversion.</summary>
    internal static bool AreTwoDigitErrorsApart(int a, int b)
    {
        var inverted = (b / 10000 * 10000) + (b % 100 * 100) + (b / 100 % 100);
        return DigitsDiffering(a, b) <= 2 || DigitsDiffering(a, inverted) <= 1;
    }

    private static int DigitsDiffering(int a, int b)
    {
        var count = 0;
        for (var i = 0; i < 8; i++, a /= 10, b /= 10)
        {
            count += a % 10 != b % 10 ? 1 : 0;
        }
        return count;
    }

    public static int BirthPlaceLevel(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return TraitLevels.Missing;
        }
        if (a == b)
        {
            return 2;
        }
        // Same département (but "99" only says "abroad", not where).
        return a.Length >= 2 && b.Length >= 2 && a[0] == b[0] && a[1] == b[1] && !a.StartsWith("99", StringComparison.Ordinal) ? 1 : 0;
    }

    public static int PostcodeLevel(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return TraitLevels.Missing;
        }
        if (a == b)
        {
            return 2;
        }
        return a.Length >= 3 && b.Length >= 3 && a.AsSpan(0, 3).SequenceEqual(b.AsSpan(0, 3)) ? 1 : 0;
    }

    public static int CityLevel(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return TraitLevels.Missing;
        }
        if (a == b)
        {
            return 2;
        }
        return JaroWinkler.Similarity(a, b) >= 0.9 ? 1 : 0;
    }

    /// <summary>Addresses through FuzzySharp's token-set ratio: word order and extra words do not matter.</summary>
    internal static int AddressLevel(string a, string b, MatchingOptions options)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return TraitLevels.Missing;
        }
        if (a == b)
        {
            return 3;
        }
        var ratio = Fuzz.TokenSetRatio(a, b, PreprocessMode.None);
        return ratio >= options.AddressCloseRatio ? 2 : ratio >= options.AddressSimilarRatio ? 1 : 0;
    }

    private static bool Contains(PreparedRecord record, string firstName)
    {
        if (firstName.Length == 0)
        {
            return false;
        }
        if (record.UsedFirst == firstName)
        {
            return true;
        }
        foreach (var f in record.Firsts)
        {
            if (f == firstName)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Every word of a compound first name found in the other (MARIE within MARIE-CLAIRE, not MARIE-LOUISE within MARIE-CLAIRE).</summary>
    private static bool TokensWithin(string[] inner, string[] outer)
    {
        if (inner.Length == 0 || inner.Length >= outer.Length)
        {
            return false;
        }
        foreach (var token in inner)
        {
            if (Array.IndexOf(outer, token) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static bool SharesPart(PreparedRecord a, PreparedRecord b)
    {
        if (a.NameParts.Length == 0 && b.NameParts.Length == 0)
        {
            return false;
        }
        // A part of one compound name equals the other's whole name or one of its parts.
        foreach (var part in a.NameParts)
        {
            if (part == b.Birth || part == b.Used || Array.IndexOf(b.NameParts, part) >= 0)
            {
                return true;
            }
        }
        foreach (var part in b.NameParts)
        {
            if (part == a.Birth || part == a.Used)
            {
                return true;
            }
        }
        return false;
    }
}
