using Bogus;
using IdentityRef.Matching;

namespace IdentityRef.Benchmarks.Matching;

/// <summary>The identity-vigilance errors a duplicate can carry (see docs/matching-engine.md).</summary>
public enum ErrorKind
{
    BirthNameTypo,
    FirstNameTypo,
    PhoneticSpelling,
    DayMonthInversion,
    BirthDateDigitTypo,
    BirthUsedNameConfusion,
    FirstNamesMissingOrReordered,
    CompoundNameCut,
    SeparatorVariant,
    FirstLastNameSwap,
}

public enum LookAlikeKind
{
    Twins,
    Homonyms,
    ParentChild,
}

public sealed record LookAlikePair(string IdA, string IdB, LookAlikeKind Kind);

/// <summary>A generated base: records, the person each record belongs to, and the look-alike pairs that must not be Probable.</summary>
public sealed record GeneratedBase(
    IReadOnlyList<MatchRecord> Records,
    IReadOnlyDictionary<string, int> PersonOf,
    IReadOnlyList<LookAlikePair> LookAlikes,
    IReadOnlyDictionary<ErrorKind, int> ErrorCounts);

/// <summary>
/// French identities from Bogus ("fr" locale) with a fixed seed. Half of the birth names come from Bogus,
/// half are built from French-sounding syllables: Bogus alone has a few hundred surnames, France has over
/// a million, and a base of a million people with three hundred surnames would measure nothing real.
/// </summary>
public sealed class FrenchIdentityGenerator
{
    private static readonly string[] Syllables =
    [
        "BER", "NAR", "DU", "PON", "MAR", "TIN", "LE", "ROUX", "GAR", "NIER", "FOU", "CHER", "BLAN", "CHARD", "MOR",
        "VIL", "LAR", "GUE", "RIN", "BOU", "CHET", "LA", "COMBE", "PER", "THI", "BAULT", "CHA", "VAN", "NE", "COL",
        "LIN", "RI", "VIERE", "DES", "CHAMPS", "MON", "TAI", "GNE", "BRU", "NET", "CAR", "PEN", "TIER", "SAU", "VAGE",
        "GI", "RAUD", "FAU", "CON", "MAS", "SON", "BAR", "THE", "LE", "MY", "POU", "LAIN", "QUE", "VAL", "LOIS", "JOU",
    ];

    private static readonly (string From, string To)[] PhoneticRules =
    [
        ("PH", "F"), ("F", "PH"), ("EAU", "O"), ("AU", "O"), ("AI", "E"), ("EI", "E"), ("Y", "I"), ("LL", "L"), ("TT", "T"),
        ("NN", "N"), ("SS", "S"), ("QU", "K"), ("CK", "K"), ("TH", "T"), ("EN", "AN"), ("AN", "EN"), ("C", "K"), ("OU", "OO"),
    ];

    private readonly Faker _faker;
    private readonly Randomizer _random;
    private int _nextPerson;
    private readonly Dictionary<ErrorKind, int> _errorCounts = Enum.GetValues<ErrorKind>().ToDictionary(k => k, _ => 0);

    public FrenchIdentityGenerator(int seed)
    {
        _random = new Randomizer(seed);
        _faker = new Faker("fr") { Random = _random };
    }

    /// <summary>A quality benchmark: originals, duplicates with 1-2 errors, and look-alike non-duplicates.</summary>
    public GeneratedBase GenerateBenchmark(int persons, double duplicateRate, int lookAlikesPerKind)
    {
        var records = new List<MatchRecord>();
        var personOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookAlikes = new List<LookAlikePair>();
        void Add(MatchRecord r, int person)
        {
            records.Add(r);
            personOf[r.Id] = person;
        }
        var originals = new List<(MatchRecord Record, int Person)>();
        for (var i = 0; i < persons; i++)
        {
            var person = _nextPerson++;
            var record = NewPerson($"P{person}-0");
            Add(record, person);
            originals.Add((record, person));
        }
        foreach (var (record, person) in originals)
        {
            if (!_random.Bool((float)duplicateRate))
            {
                continue;
            }
            var copies = _random.Bool(0.15f) ? 2 : 1;
            for (var k = 1; k <= copies; k++)
            {
                Add(Duplicate(record, $"P{person}-{k}"), person);
            }
        }
        for (var i = 0; i < lookAlikesPerKind * 3; i++)
        {
            var kind = (LookAlikeKind)(i % 3);
            var (source, _) = originals[_random.Number(0, originals.Count - 1)];
            var person = _nextPerson++;
            var other = LookAlike(source, $"P{person}-0", kind);
            Add(other, person);
            lookAlikes.Add(new LookAlikePair(source.Id, other.Id, kind));
        }
        return new GeneratedBase(records, personOf, lookAlikes, new Dictionary<ErrorKind, int>(_errorCounts));
    }

    public MatchRecord NewPerson(string id)
    {
        var male = _random.Bool();
        var gender = male ? Bogus.DataSets.Name.Gender.Male : Bogus.DataSets.Name.Gender.Female;
        var birthName = Surname();
        var firstNames = Enumerable.Range(0, _random.WeightedRandom([1, 2, 3], [0.45f, 0.4f, 0.15f]))
            .Select(_ => FirstName(gender)).Distinct(StringComparer.Ordinal).ToList();
        var birthDate = DateOnly.FromDateTime(new DateTime(1930, 1, 1).AddDays(_random.Number(0, 34_000)));
        string? usedName = !male && birthDate.Year < 2002 && _random.Bool(0.4f) ? Surname() : null;
        string? usedFirstName = _random.Bool(0.03f) ? FirstName(gender) : null;
        var department = _random.Number(1, 95);
        var birthPlace = _random.Bool(0.06f) ? $"99{_random.Number(100, 450)}" : $"{department:D2}{_random.Number(1, 700):D3}";
        var (address, postcode, city) = Address();
        return new MatchRecord(id, birthName, firstNames, usedName, usedFirstName, birthDate, male ? 'M' : 'F', birthPlace, null, postcode, city, address);
    }

    private MatchRecord LookAlike(MatchRecord source, string id, LookAlikeKind kind)
    {
        switch (kind)
        {
            case LookAlikeKind.Twins:
            {
                var male = _random.Bool();
                var gender = male ? Bogus.DataSets.Name.Gender.Male : Bogus.DataSets.Name.Gender.Female;
                string first;
                do
                {
                    first = FirstName(gender);
                }
                while (source.FirstNames.Contains(first));
                var firstNames = _random.Bool(0.3f) ? new List<string> { first, FirstName(gender) } : [first];
                return source with { Id = id, FirstNames = firstNames, Sex = male ? 'M' : 'F', UsedName = null, UsedFirstName = null };
            }
            case LookAlikeKind.Homonyms:
            {
                var other = NewPerson(id);
                return other with { BirthName = source.BirthName, FirstNames = source.FirstNames, Sex = source.Sex, UsedName = source.UsedName };
            }
            default:
            {
                // A child named after the parent, living at the same address.
                var years = _random.Number(18, 40);
                var childBirth = source.BirthDate!.Value.AddYears(years).AddDays(_random.Number(-150, 150));
                return source with { Id = id, BirthDate = childBirth, UsedName = null, UsedFirstName = null, BirthPlaceCode = _random.Bool() ? source.BirthPlaceCode : $"{_random.Number(1, 95):D2}{_random.Number(1, 700):D3}" };
            }
        }
    }

    /// <summary>A second record of the same person with one or two errors, sometimes a new address.</summary>
    public MatchRecord Duplicate(MatchRecord source, string id)
    {
        var record = source with { Id = id };
        var errors = _random.Bool(0.65f) ? 1 : 2;
        for (var e = 0; e < errors; e++)
        {
            var applicable = Enum.GetValues<ErrorKind>().Where(k => Applies(k, record)).ToList();
            var kind = applicable[_random.Number(0, applicable.Count - 1)];
            _errorCounts[kind]++;
            record = Apply(kind, record);
        }
        if (_random.Bool(0.25f))
        {
            var (address, postcode, city) = Address();
            record = record with { Address = address, Postcode = postcode, City = city };
        }
        if (_random.Bool(0.1f))
        {
            record = record with { BirthPlaceCode = null };
        }
        return record;
    }

    private static bool Applies(ErrorKind kind, MatchRecord r) => kind switch
    {
        ErrorKind.DayMonthInversion => r.BirthDate is { } d && d.Day <= 12 && d.Day != d.Month,
        ErrorKind.BirthUsedNameConfusion => r.UsedName is not null,
        ErrorKind.FirstNamesMissingOrReordered => r.FirstNames.Count >= 2,
        ErrorKind.CompoundNameCut => r.BirthName.Contains(' ', StringComparison.Ordinal) || r.BirthName.Contains('-', StringComparison.Ordinal),
        ErrorKind.SeparatorVariant => HasSeparator(r.BirthName) || r.FirstNames.Any(HasSeparator),
        ErrorKind.FirstLastNameSwap => r.FirstNames.Count >= 1,
        ErrorKind.BirthDateDigitTypo => r.BirthDate is not null,
        _ => true,
    };

    private MatchRecord Apply(ErrorKind kind, MatchRecord r)
    {
        switch (kind)
        {
            case ErrorKind.BirthNameTypo:
                return r with { BirthName = Typo(r.BirthName) };
            case ErrorKind.FirstNameTypo:
                return r with { FirstNames = [Typo(r.FirstNames[0]), .. r.FirstNames.Skip(1)] };
            case ErrorKind.PhoneticSpelling:
                return _random.Bool(0.7f)
                    ? r with { BirthName = Phonetic(r.BirthName) }
                    : r with { FirstNames = [Phonetic(r.FirstNames[0]), .. r.FirstNames.Skip(1)] };
            case ErrorKind.DayMonthInversion:
            {
                var d = r.BirthDate!.Value;
                return r with { BirthDate = new DateOnly(d.Year, d.Day, d.Month) };
            }
            case ErrorKind.BirthDateDigitTypo:
                return r with { BirthDate = DigitTypo(r.BirthDate!.Value) };
            case ErrorKind.BirthUsedNameConfusion:
                // The used name keyed as the birth name; sometimes the birth name then lands in the used-name field.
                return r with { BirthName = r.UsedName!, UsedName = _random.Bool() ? r.BirthName : null };
            case ErrorKind.FirstNamesMissingOrReordered:
                return _random.Number(0, 2) switch
                {
                    0 => r with { FirstNames = [r.FirstNames[0]] },
                    1 => r with { FirstNames = [.. r.FirstNames.Skip(1), r.FirstNames[0]] },
                    _ => r with { FirstNames = [.. r.FirstNames.Skip(1)] },
                };
            case ErrorKind.CompoundNameCut:
            {
                var parts = r.BirthName.Split([' ', '-'], StringSplitOptions.RemoveEmptyEntries);
                var kept = parts.Where(p => p.Length > 2).ToArray();
                return r with { BirthName = kept.Length > 0 ? kept[_random.Number(0, kept.Length - 1)] : parts[0] };
            }
            case ErrorKind.SeparatorVariant:
                return HasSeparator(r.BirthName)
                    ? r with { BirthName = SeparatorVariant(r.BirthName) }
                    : r with { FirstNames = r.FirstNames.Select(f => HasSeparator(f) ? SeparatorVariant(f) : f).ToList() };
            case ErrorKind.FirstLastNameSwap:
                return r with { BirthName = r.FirstNames[0], FirstNames = [r.BirthName] };
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static bool HasSeparator(string value) => value.IndexOfAny([' ', '-', '\'']) > 0;

    private string SeparatorVariant(string value)
    {
        var options = new List<string>
        {
            value.Replace('-', ' ').Replace('\'', ' '),
            value.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).Replace("'", string.Empty, StringComparison.Ordinal),
            value.Replace(' ', '-'),
        };
        var changed = options.Where(o => o != value).ToList();
        return changed.Count == 0 ? value : changed[_random.Number(0, changed.Count - 1)];
    }

    private string Typo(string value)
    {
        if (value.Length < 3)
        {
            return value + (char)('A' + _random.Number(0, 25));
        }
        var chars = value.ToList();
        var position = _random.Number(1, chars.Count - 1);
        switch (_random.Number(0, 3))
        {
            case 0:
                chars[position] = (char)('A' + _random.Number(0, 25));
                break;
            case 1:
                chars.RemoveAt(position);
                break;
            case 2:
                chars.Insert(position, (char)('A' + _random.Number(0, 25)));
                break;
            default:
                (chars[position - 1], chars[position]) = (chars[position], chars[position - 1]);
                break;
        }
        return NameText.Canonical(new string(chars.ToArray()));
    }

    private string Phonetic(string value)
    {
        var applicable = PhoneticRules.Where(r => value.IndexOf(r.From, 1, StringComparison.Ordinal) > 0).ToList();
        if (applicable.Count == 0)
        {
            return value.EndsWith('E') ? value[..^1] : value + "E";
        }
        var (from, to) = applicable[_random.Number(0, applicable.Count - 1)];
        var index = value.IndexOf(from, 1, StringComparison.Ordinal);
        return value[..index] + to + value[(index + from.Length)..];
    }

    private DateOnly DigitTypo(DateOnly date)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var digits = date.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture).ToCharArray();
            var position = _random.Number(2, 7);
            digits[position] = (char)('0' + _random.Number(0, 9));
            if (DateOnly.TryParseExact(new string(digits), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var typed) && typed != date && typed.Year <= 2025)
            {
                return typed;
            }
        }
        return date.AddDays(1);
    }

    private string Surname()
    {
        string name;
        if (_random.Bool())
        {
            name = NameText.Canonical(_faker.Name.LastName());
        }
        else
        {
            var count = _random.Number(2, 3);
            name = string.Concat(Enumerable.Range(0, count).Select(_ => Syllables[_random.Number(0, Syllables.Length - 1)]));
        }
        var roll = _random.Number(0, 99);
        return roll switch
        {
            < 8 => name + (_random.Bool() ? "-" : " ") + NameText.Canonical(_faker.Name.LastName()),
            < 10 => "D'" + name,
            < 12 => "LE " + name,
            _ => name,
        };
    }

    private string FirstName(Bogus.DataSets.Name.Gender gender)
    {
        var first = NameText.Canonical(_faker.Name.FirstName(gender)).Replace(' ', '-');
        return _random.Bool(0.08f) ? first + "-" + NameText.Canonical(_faker.Name.FirstName(gender)).Replace(' ', '-') : first;
    }

    private (string Address, string Postcode, string City) Address() =>
        (NameText.Canonical(_faker.Address.StreetAddress(), keepDigits: true), _faker.Address.ZipCode("#####"), NameText.Canonical(_faker.Address.City()));
}
