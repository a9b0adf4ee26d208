using System.Xml;
using System.Xml.Linq;

namespace IdentityRef.Insi;

/// <summary>
/// An INS to check against the national base, with the local traits it is held with.
/// UNCONFIRMED operation: see <see cref="InsiVerificationContract"/>.
/// </summary>
public sealed record InsiVerificationQuery(
    string Matricule13,
    string Key,
    string Oid,
    string BirthName,
    IReadOnlyList<string> FirstNames,
    char Sex,
    string BirthDate,
    string? BirthPlaceCode = null)
{
    public string? Problem()
    {
        if (!InsiFormats.IsMatricule13(Matricule13) || !InsiFormats.IsKey(Key))
        {
            return "The INS must have 13 characters and a 2-digit key.";
        }

        if (string.IsNullOrWhiteSpace(Oid) || string.IsNullOrWhiteSpace(BirthName) || FirstNames.Count == 0
            || FirstNames.Any(string.IsNullOrWhiteSpace))
        {
            return "OID, birth name and first names are required.";
        }

        if (!InsiFormats.AreXmlText([Oid, BirthName, .. FirstNames]))
        {
            return "A value holds a character that XML cannot carry.";
        }

        if (!InsiFormats.IsLunarDate(BirthDate))
        {
            return "The birth date must be YYYY-MM-DD.";
        }

        return BirthPlaceCode is not null && !InsiFormats.IsBirthPlaceCode(BirthPlaceCode)
            ? "The birth place code must have 5 characters."
            : null;
    }
}

/// <summary>Verified = the service answered 00 for this INS and these traits.</summary>
public sealed record InsiVerificationOutcome(bool Verified, InsiResultCode Code, string Label, InsiIndividual? Individual);

/// <summary>
/// The INS verification operation, in the shape known today. UNCONFIRMED: the WSDL we have
/// (DESIR_ICIR_EXP_1.5.0) has no such operation; public notes describe a third operation of the newer
/// integration guide with an <c>IndividuVerifie</c> body holding <c>INSFourni</c> (NumIdentifiant, Cle, OID)
/// and the traits. Everything guessed lives here and nowhere else:
/// <list type="bullet">
/// <item>the wsa:Action (<see cref="DefaultAction"/>, overridable by <c>Insi:VerificationAction</c>);</item>
/// <item>the body namespace (<see cref="DefaultNamespace"/>, overridable by <c>Insi:VerificationNamespace</c>);</item>
/// <item>element names and order of the body (<see cref="WriteBody"/>, <see cref="ReadBody"/>);</item>
/// <item>the answer, assumed to be a RESULTAT: 00 = verified (with INDIVIDU), 01 = not verified (<see cref="ReadAnswer"/>).</item>
/// </list>
/// The headers (ContexteBAM, ContexteLPS, WS-Addressing) and the SOAP faults are those of the confirmed operations.
/// When the official contract is published, change this class and the simulator follows.
/// </summary>
public static class InsiVerificationContract
{
    public const string DefaultAction = "urn:ServiceIdentiteCertifiee:1.0.0:verifierIdentite";
    public const string DefaultNamespace = "http://www.cnamts.fr/INSiVerif";
    public const string BodyElement = "IndividuVerifie";
    public const string InsElement = "INSFourni";

    public static Action<XmlWriter> WriteBody(InsiVerificationQuery query, string bodyNamespace) => xml =>
    {
        xml.WriteStartElement("insi_verif", BodyElement, bodyNamespace);
        xml.WriteStartElement("insi_verif", InsElement, bodyNamespace);
        xml.WriteElementString("insi_verif", "NumIdentifiant", bodyNamespace, query.Matricule13);
        xml.WriteElementString("insi_verif", "Cle", bodyNamespace, query.Key);
        xml.WriteElementString("insi_verif", "OID", bodyNamespace, query.Oid);
        xml.WriteEndElement();
        xml.WriteElementString("insi_verif", "NomNaissance", bodyNamespace, query.BirthName);
        foreach (var firstName in query.FirstNames)
        {
            xml.WriteElementString("insi_verif", "Prenom", bodyNamespace, firstName);
        }

        xml.WriteElementString("insi_verif", "Sexe", bodyNamespace, query.Sex.ToString());
        xml.WriteElementString("insi_verif", "DateNaissance", bodyNamespace, query.BirthDate);
        if (query.BirthPlaceCode is not null)
        {
            xml.WriteElementString("insi_verif", "LieuNaissance", bodyNamespace, query.BirthPlaceCode);
        }

        xml.WriteEndElement();
    };

    /// <summary>Simulator side: the request body back into a query, or null when it does not have the shape.</summary>
    public static InsiVerificationQuery? ReadBody(XElement body, string bodyNamespace)
    {
        XNamespace ns = bodyNamespace;
        var ins = body.Element(ns + InsElement);
        if (body.Name != ns + BodyElement || ins is null)
        {
            return null;
        }

        var sex = body.Text(ns + "Sexe");
        return new InsiVerificationQuery(
            ins.Text(ns + "NumIdentifiant") ?? string.Empty,
            ins.Text(ns + "Cle") ?? string.Empty,
            ins.Text(ns + "OID") ?? string.Empty,
            body.Text(ns + "NomNaissance") ?? string.Empty,
            body.Elements(ns + "Prenom").Select(p => p.Value.Trim()).ToList(),
            sex is { Length: 1 } ? sex[0] : '?',
            body.Text(ns + "DateNaissance") ?? string.Empty,
            body.Text(ns + "LieuNaissance"));
    }

    /// <summary>Assumed answer: a RESULTAT, 00 meaning verified.</summary>
    public static InsiVerificationOutcome ReadAnswer(InsiAnswer answer) =>
        new(answer.Code == InsiResultCode.Found, answer.Code, answer.Label, answer.Individual);
}
