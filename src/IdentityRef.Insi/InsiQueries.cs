using System.Text.RegularExpressions;

namespace IdentityRef.Insi;

/// <summary>
/// Traits sent to the search by traits (RECSANSVITALE). Values are sent as given: normalising them to the
/// INS character rules is the caller's job. <see cref="BirthDate"/> is "YYYY-MM-DD" and may hold 00 for an
/// unknown day or month. <see cref="BirthPlaceCode"/> is only sent when the service answers 02.
/// </summary>
public sealed record InsiTraitsQuery(
    string BirthName,
    IReadOnlyList<string> FirstNames,
    char Sex,
    string BirthDate,
    string? BirthPlaceCode = null)
{
    /// <summary>Why the query cannot be sent, or null when it can.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(BirthName))
        {
            return "The birth name is required.";
        }

        if (FirstNames.Any(string.IsNullOrWhiteSpace))
        {
            return "A first name is empty.";
        }

        if (!InsiFormats.AreXmlText([BirthName, .. FirstNames]))
        {
            return "A name holds a character that XML cannot carry.";
        }

        if (!InsiFormats.IsLunarDate(BirthDate))
        {
            return "The birth date must be YYYY-MM-DD (00 allowed for an unknown day or month).";
        }

        return BirthPlaceCode is not null && !InsiFormats.IsBirthPlaceCode(BirthPlaceCode)
            ? "The birth place code must have 5 characters."
            : null;
    }
}

/// <summary>A matricule as the RECVITALE body carries it (13 characters + 2-digit key).</summary>
public sealed record InsiMatricule(string Number, string Key);

/// <summary>
/// Card data read from a carte Vitale, carried in ContexteBAM/COUVERTURE in card mode. Every part is
/// optional in the XSD; send what the card holds.
/// </summary>
public sealed record InsiCardCoverage(
    string? GrandRegime = null,
    string? Organisme = null,
    string? CodeCentre = null,
    InsiMatricule? InsuredNir = null,
    InsiMatricule? BeneficiaryNir = null,
    string? BeneficiaryBirthDate = null,
    int? BeneficiaryRank = null);

/// <summary>
/// Search with carte Vitale data (RECVITALE). The real service also wants a signed SAML "Vitale" assertion
/// in wsse:Security: the caller signs it (CPS or organisation key) and passes the XML in
/// <see cref="SignedAssertionXml"/>; this adapter inserts it as is.
/// </summary>
public sealed record InsiVitaleQuery(
    InsiMatricule Beneficiary,
    InsiMatricule? OpeningRightsHolder,
    string? BirthName,
    string BirthDate,
    string BirthRank,
    InsiCardCoverage? Coverage = null,
    string? SignedAssertionXml = null)
{
    public string? Problem()
    {
        if (!InsiFormats.IsMatricule13(Beneficiary.Number) || !InsiFormats.IsKey(Beneficiary.Key))
        {
            return "The beneficiary matricule must have 13 characters and a 2-digit key.";
        }

        if (!InsiFormats.IsLunarDate(BirthDate))
        {
            return "The birth date must be YYYY-MM-DD.";
        }

        if (string.IsNullOrWhiteSpace(BirthRank))
        {
            return "The birth rank is required.";
        }

        // Card mode: the service reads the card's data in ContexteBAM/COUVERTURE; without them it is no card search.
        if (Coverage is not { InsuredNir: not null } || (Coverage.BeneficiaryNir is null && Coverage.BeneficiaryRank is null))
        {
            return "The carte Vitale data are required: the insured's matricule and the beneficiary (matricule or rank) read on the card.";
        }

        return InsiFormats.AreXmlText([BirthName, BirthRank, OpeningRightsHolder?.Number, OpeningRightsHolder?.Key])
            ? null
            : "A value holds a character that XML cannot carry.";
    }
}

/// <summary>Patterns of the contract, in one place.</summary>
public static partial class InsiFormats
{
    /// <summary>True when every value can be written in an XML document (no control characters, no lone surrogates).</summary>
    public static bool AreXmlText(IEnumerable<string?> values) => values.All(value => value is null || IsXmlText(value));

    private static bool IsXmlText(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (System.Xml.XmlConvert.IsXmlChar(value[i]))
            {
                continue;
            }

            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && System.Xml.XmlConvert.IsXmlSurrogatePair(value[i + 1], value[i]))
            {
                i++;
                continue;
            }

            return false;
        }

        return true;
    }

    public static bool IsLunarDate(string? value) => value is not null && LunarDate().IsMatch(value);

    public static bool IsMatricule13(string? value) => value is not null && Matricule13().IsMatch(value);

    public static bool IsKey(string? value) => value is not null && Key().IsMatch(value);

    public static bool IsBirthPlaceCode(string? value) => value is not null && BirthPlace().IsMatch(value);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex LunarDate();

    // INSi_RESULTAT_INS.xsd NIR pattern: the 7th character is alphanumeric for Corsica (2A/2B).
    [GeneratedRegex(@"^[0-9]{6}[A-Za-z0-9][0-9]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex Matricule13();

    [GeneratedRegex(@"^[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Key();

    [GeneratedRegex(@"^[A-Za-z0-9]{5}$", RegexOptions.CultureInvariant)]
    private static partial Regex BirthPlace();
}
