namespace IdentityRef.Matching;

/// <summary>A record with every comparison input computed once: compact names, parts, phonetic keys, date as an int.</summary>
internal sealed class PreparedRecord
{
    // Particles shared by unrelated names; a shared "DE" is no evidence.
    private static readonly HashSet<string> Particles = new(StringComparer.Ordinal)
    {
        "DE", "DU", "DES", "LA", "LE", "LES", "D", "L", "VAN", "VON", "DI", "DA", "EL", "AL", "BEN", "DEL", "DOS", "MAC", "MC",
    };

    public PreparedRecord(MatchRecord source)
    {
        Source = source;
        Birth = NameText.Compact(source.BirthName);
        BirthSdx = Soundex2.Encode(Birth);
        Used = NameText.Compact(source.UsedName);
        UsedSdx = Soundex2.Encode(Used);
        UsedSdxAlt = AlternativeKey(Used, UsedSdx);
        NameParts = SignificantParts(source.BirthName).Concat(SignificantParts(source.UsedName)).Distinct(StringComparer.Ordinal).ToArray();
        Firsts = (source.FirstNames ?? []).Select(NameText.Compact).Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        First0 = Firsts.Length > 0 ? Firsts[0] : string.Empty;
        First0Tokens = source.FirstNames is { Count: > 0 } ? NameText.Parts(source.FirstNames[0]) : [];
        First0Sdx = Soundex2.Encode(First0);
        BirthSdxAlt = AlternativeKey(Birth, BirthSdx);
        FirstSdx = Firsts.Select(Soundex2.Encode).ToArray();
        FirstSdxAlt = Firsts.Select((f, i) => AlternativeKey(f, FirstSdx[i])).ToArray();
        First0SdxAlt = AlternativeKey(First0, First0Sdx);
        UsedFirst = NameText.Compact(source.UsedFirstName);
        UsedFirstSdx = Soundex2.Encode(UsedFirst);
        UsedFirstSdxAlt = AlternativeKey(UsedFirst, UsedFirstSdx);
        Date = source.BirthDate is { } d ? (d.Year * 10000) + (d.Month * 100) + d.Day : 0;
        Sex = source.Sex is 'M' or 'F' or 'm' or 'f' ? char.ToUpperInvariant(source.Sex) : 'U';
        var place = NameText.Canonical(source.BirthPlaceCode, keepDigits: true).Replace(" ", string.Empty, StringComparison.Ordinal);
        Place = place == "99999" ? string.Empty : place;
        Ins = NameText.Canonical(source.Ins, keepDigits: true).Replace(" ", string.Empty, StringComparison.Ordinal);
        Postcode = NameText.Canonical(source.Postcode, keepDigits: true).Replace(" ", string.Empty, StringComparison.Ordinal);
        City = NameText.Compact(source.City);
        Address = NameText.Canonical(source.Address, keepDigits: true);
    }

    public MatchRecord Source { get; }
    public string Birth { get; }
    public string BirthSdx { get; }
    public string Used { get; }
    public string UsedSdx { get; }
    public string UsedSdxAlt { get; }
    public string[] NameParts { get; }
    public string[] Firsts { get; }
    public string First0 { get; }
    public string[] First0Tokens { get; }
    public string First0Sdx { get; }
    public string UsedFirst { get; }

    /// <summary>Soundex2 after PH → F anywhere (Soundex2 only knows a leading PH): OPHELIE meets OFELIE.</summary>
    public string BirthSdxAlt { get; }

    public string First0SdxAlt { get; }

    /// <summary>Soundex2 (and PH-aware Soundex2) of each first name, aligned with <see cref="Firsts"/>.</summary>
    public string[] FirstSdx { get; }

    public string[] FirstSdxAlt { get; }

    public string UsedFirstSdx { get; }

    public string UsedFirstSdxAlt { get; }
    public int Date { get; }
    public char Sex { get; }
    public string Place { get; }
    public string Ins { get; }
    public string Postcode { get; }
    public string City { get; }
    public string Address { get; }

    public bool HasFirstName => First0.Length > 0 || UsedFirst.Length > 0;

    internal static string AlternativeKey(string compact, string soundex) =>
        compact.Contains("PH", StringComparison.Ordinal) ? Soundex2.Encode(compact.Replace("PH", "F", StringComparison.Ordinal)) : soundex;

    private static IEnumerable<string> SignificantParts(string? name)
    {
        var parts = NameText.Parts(name);
        return parts.Length < 2 ? [] : parts.Where(p => p.Length >= 2 && !Particles.Contains(p));
    }
}
