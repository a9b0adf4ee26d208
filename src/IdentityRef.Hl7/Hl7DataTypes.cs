using System.Globalization;

namespace IdentityRef.Hl7;

/// <summary>Builds escaped wire text from plain values, dropping trailing empty parts as HL7 allows.</summary>
public static class Hl7Compose
{
    public static string Join(char separator, Hl7Delimiters d, bool escape, params ReadOnlySpan<string?> values)
    {
        int last = values.Length - 1;
        while (last >= 0 && string.IsNullOrEmpty(values[last]))
        {
            last--;
        }
        if (last < 0)
        {
            return string.Empty;
        }
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i <= last; i++)
        {
            if (i > 0)
            {
                sb.Append(separator);
            }
            var v = values[i] ?? string.Empty;
            sb.Append(escape ? Hl7Escaping.Escape(v, d) : v);
        }
        return sb.ToString();
    }

    /// <summary>Components from plain values.</summary>
    public static string Components(Hl7Delimiters d, params ReadOnlySpan<string?> values) => Join(d.Component, d, true, values);

    /// <summary>Subcomponents from plain values.</summary>
    public static string Subcomponents(Hl7Delimiters d, params ReadOnlySpan<string?> values) => Join(d.Subcomponent, d, true, values);

    /// <summary>Repetitions from already-composed wire text.</summary>
    public static string Repetitions(Hl7Delimiters d, IEnumerable<string> raws) => string.Join(d.Repetition, raws);
}

/// <summary>HD: hierarchic designator (namespace, universal id, universal id type).</summary>
public sealed record Hd(string NamespaceId, string UniversalId = "", string UniversalIdType = "")
{
    public bool IsEmpty => NamespaceId.Length == 0 && UniversalId.Length == 0 && UniversalIdType.Length == 0;

    /// <summary>An HD nested in a component (CX-4): its parts are subcomponents.</summary>
    public static Hd FromComponent(Hl7Component c) => new(c.Subcomponent(1), c.Subcomponent(2), c.Subcomponent(3));

    /// <summary>An HD that is a whole field (MSH-3): its parts are components.</summary>
    public static Hd FromRepetition(Hl7Repetition r) => new(r[1], r[2], r[3]);

    public string ToSubcomponents(Hl7Delimiters d) => Hl7Compose.Subcomponents(d, NamespaceId, UniversalId, UniversalIdType);

    public string ToComponents(Hl7Delimiters d) => Hl7Compose.Components(d, NamespaceId, UniversalId, UniversalIdType);
}

/// <summary>CX: an identifier with its assigning authority and type (PI, INS, AN, VN...).</summary>
public sealed record Cx(string Id, Hd AssigningAuthority, string IdentifierTypeCode, string EffectiveDate = "", string ExpirationDate = "")
{
    /// <summary>CX-1 is HL7 null (<c>""</c>): the identifier of that type is to be erased.</summary>
    public bool IsNullId => Id == "\"\"";

    public static Cx Parse(Hl7Repetition r) => new(r[1], Hd.FromComponent(r.Component(4)), r[5], r[7], r[8]);

    public string ToRaw(Hl7Delimiters d)
    {
        // "" in CX-1 is HL7 null and must reach the wire unchanged.
        var id = IsNullId ? Id : Hl7Escaping.Escape(Id, d);
        var rest = Hl7Compose.Join(d.Component, d, false, string.Empty, string.Empty, string.Empty, AssigningAuthority.ToSubcomponents(d), Hl7Escaping.Escape(IdentifierTypeCode, d), string.Empty, Hl7Escaping.Escape(EffectiveDate, d), Hl7Escaping.Escape(ExpirationDate, d));
        return id + rest;
    }
}

/// <summary>XPN: a person name. PAM FR: 1 family, 2 first given name, 3 all given names, 5 prefix, 7 type (L, D, S).</summary>
public sealed record Xpn(string FamilyName, string GivenName = "", string SecondAndFurtherGivenNames = "", string Suffix = "", string Prefix = "", string Degree = "", string NameTypeCode = "")
{
    public static Xpn Parse(Hl7Repetition r) => new(r[1], r[2], r[3], r[4], r[5], r[6], r[7]);

    public string ToRaw(Hl7Delimiters d)
    {
        var family = FamilyName == "\"\"" ? FamilyName : Hl7Escaping.Escape(FamilyName, d);
        return Hl7Compose.Join(d.Component, d, false, family, Hl7Escaping.Escape(GivenName, d), Hl7Escaping.Escape(SecondAndFurtherGivenNames, d), Hl7Escaping.Escape(Suffix, d), Hl7Escaping.Escape(Prefix, d), Hl7Escaping.Escape(Degree, d), Hl7Escaping.Escape(NameTypeCode, d));
    }
}

/// <summary>XAD: an address. PAM FR birth place: 6 country, 7 type BDL, 9 COG code (county/parish).</summary>
public sealed record Xad(string Street = "", string OtherDesignation = "", string City = "", string State = "", string PostalCode = "", string Country = "", string AddressType = "", string OtherGeographic = "", string CountyParishCode = "")
{
    public static Xad Parse(Hl7Repetition r) => new(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]);

    public string ToRaw(Hl7Delimiters d) => Hl7Compose.Components(d, Street, OtherDesignation, City, State, PostalCode, Country, AddressType, OtherGeographic, CountyParishCode);
}

/// <summary>XTN: a telephone number or e-mail. 2 use (PRN, WPN, NET), 3 equipment (PH, CP, Internet), 4 e-mail, 12 number.</summary>
public sealed record Xtn(string Use, string EquipmentType, string Email = "", string UnformattedNumber = "")
{
    public static Xtn Parse(Hl7Repetition r) => new(r[2], r[3], r[4], r[12].Length > 0 ? r[12] : r[1]);

    public string ToRaw(Hl7Delimiters d) =>
        Hl7Compose.Components(d, string.Empty, Use, EquipmentType, Email, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, UnformattedNumber);
}

/// <summary>DT / DTM / TS text.</summary>
public static class Hl7DateTime
{
    /// <summary>A DT (YYYYMMDD), or the date part of a DTM/TS. False when not a valid date.</summary>
    public static bool TryParseDate(string value, out DateOnly date)
    {
        date = default;
        if (value.Length < 8)
        {
            return false;
        }
        for (int i = 0; i < 8; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                return false;
            }
        }
        return DateOnly.TryParseExact(value.AsSpan(0, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
            && (value.Length == 8 || IsTimeTail(value.AsSpan(8)));
    }

    private static bool IsTimeTail(ReadOnlySpan<char> tail)
    {
        foreach (char c in tail)
        {
            if (!char.IsAsciiDigit(c) && c is not '.' and not '+' and not '-')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A DTM to the second (YYYYMMDDHHMMSS) without time zone, as PAM FR senders write it.</summary>
    public static bool TryParseDateTime(string value, out DateTime dateTime)
    {
        dateTime = default;
        var main = value.AsSpan();
        int zone = main.IndexOfAny('+', '-');
        if (zone >= 0)
        {
            main = main[..zone];
        }
        int dot = main.IndexOf('.');
        if (dot >= 0)
        {
            main = main[..dot];
        }
        string[] formats = ["yyyyMMddHHmmss", "yyyyMMddHHmm", "yyyyMMddHH", "yyyyMMdd"];
        return DateTime.TryParseExact(main, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out dateTime);
    }

    public static string FormatDate(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string FormatDateTime(DateTime dateTime) => dateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    /// <summary>
    /// A DTM to the second with its offset (YYYYMMDDHHMMSS+ZZZZ), as the PAM FR data-type annex wants a time
    /// stamp: the local time of the sender and its offset, so that no receiver mistakes UTC for local time.
    /// </summary>
    public static string FormatDateTimeWithOffset(DateTimeOffset value)
    {
        var offset = value.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return value.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + sign
            + offset.Hours.ToString("00", CultureInfo.InvariantCulture) + offset.Minutes.ToString("00", CultureInfo.InvariantCulture);
    }
}
