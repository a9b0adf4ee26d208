using System.Globalization;
using System.Xml.Linq;

namespace IdentityRef.Insi;

/// <summary>
/// Reads one HTTP answer of the teleservice into a RESULTAT or a typed error. Children are read by name,
/// not by position: the real service sends INSHISTO children out of the XSD order.
/// </summary>
public static class InsiAnswerParser
{
    private static readonly XNamespace Soap = InsiContract.SoapEnvelopeNamespace;
    private static readonly XNamespace Res = InsiContract.ResultatNamespace;
    private static readonly XNamespace Siram = InsiContract.SiramNamespace;

    /// <summary>Either an answer or an error; HTTP errors without a SOAP fault, and redirects, become transport errors.</summary>
    public static (InsiAnswer? Answer, InsiError? Error) Parse(int httpStatus, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (httpStatus is >= 300 and < 400)
        {
            // The client follows no redirect (InsiHttpHandlerFactory): the request is not resent to another host.
            return (null, new InsiTransportError(httpStatus, "redirect not followed"));
        }

        var document = body.Length == 0 ? null : InsiXml.TryLoad(body);
        if (document is null)
        {
            return (null, httpStatus is >= 200 and < 300
                ? new InsiMalformedAnswerError(httpStatus, body.Length == 0 ? "empty body" : $"the body is not well-formed XML or nests more than {InsiXml.MaxDepth} levels")
                : new InsiTransportError(httpStatus, "HTTP error without a SOAP answer"));
        }

        var (payload, problem) = InsiXml.BodyPayload(document);
        if (payload is null)
        {
            return (null, httpStatus is >= 200 and < 300
                ? new InsiMalformedAnswerError(httpStatus, problem!)
                : new InsiTransportError(httpStatus, "HTTP error without a SOAP answer"));
        }

        if (payload.Name == Soap + "Fault")
        {
            return (null, ReadFault(payload, httpStatus));
        }

        if (httpStatus is < 200 or >= 300)
        {
            // A RESULTAT with an HTTP error status is outside the contract.
            return (null, new InsiTransportError(httpStatus, "HTTP error status with a non-fault body"));
        }

        if (payload.Name != Res + "RESULTAT")
        {
            return (null, new InsiMalformedAnswerError(httpStatus, $"unexpected body element {payload.Name.LocalName}"));
        }

        return ReadResultat(payload, httpStatus);
    }

    /// <summary>Reads a RESULTAT element (also used for the verification answer, see <see cref="InsiVerificationContract"/>).</summary>
    /// <remarks>
    /// Cardinalities are those of INSi_RESULTAT_INS.xsd: every element is read through <see cref="InsiXml.Only"/>, so a
    /// single-valued element sent twice (two INDIVIDU, a second NumIdentifiant, Sexe or CodeCR) is a malformed answer, never
    /// "the first one". Only INSHISTO is 0..n.
    /// </remarks>
    public static (InsiAnswer? Answer, InsiError? Error) ReadResultat(XElement resultat, int httpStatus)
    {
        ArgumentNullException.ThrowIfNull(resultat);
        string? repeated = null;
        var cr = resultat.Only(Res + "CR", ref repeated);
        var codeText = cr?.OnlyText(Res + "CodeCR", ref repeated);
        var label = cr?.OnlyText(Res + "LibelleCR", ref repeated) ?? string.Empty;
        // INDIVIDU is 0..1: an answer carrying two people is no answer for one, whatever its CodeCR.
        var individualElement = resultat.Only(Res + "INDIVIDU", ref repeated);
        if (repeated is not null)
        {
            return (null, new InsiMalformedAnswerError(httpStatus, repeated));
        }

        var code = InsiResultCodeExtensions.FromWire(codeText);
        if (cr is null || code is null)
        {
            return (null, new InsiMalformedAnswerError(httpStatus, "CR/CodeCR missing or not 00, 01 or 02"));
        }

        if (code != InsiResultCode.Found)
        {
            return (new InsiAnswer(code.Value, label, null), null);
        }

        if (individualElement is null)
        {
            return (null, new InsiMalformedAnswerError(httpStatus, "CodeCR 00 without INDIVIDU"));
        }

        var (individual, problem) = ReadIndividual(individualElement);
        return individual is null
            ? (null, new InsiMalformedAnswerError(httpStatus, problem!))
            : (new InsiAnswer(InsiResultCode.Found, label, individual), null);
    }

    private static (InsiIndividual? Individual, string? Problem) ReadIndividual(XElement individual)
    {
        // INSACTIF and TIQ are 1..1 in the XSD: two of either is malformed, not "the first one".
        string? repeated = null;
        var activeElement = individual.Only(Res + "INSACTIF", ref repeated);
        var tiq = individual.Only(Res + "TIQ", ref repeated);
        if (repeated is not null)
        {
            return (null, repeated);
        }

        if (activeElement is null)
        {
            return (null, "INDIVIDU without INSACTIF");
        }

        var (active, activeProblem) = ReadIns(activeElement, keyRequired: true);
        if (active is null)
        {
            return (null, activeProblem);
        }

        var history = new List<InsIdentifier>();
        foreach (var historyElement in individual.Elements(Res + "INSHISTO"))
        {
            var (former, problem) = ReadIns(historyElement, keyRequired: false);
            if (former is null)
            {
                return (null, problem);
            }

            history.Add(former);
        }

        if (tiq is null)
        {
            return (null, "INDIVIDU without TIQ");
        }

        var (traits, traitsProblem) = ReadTraits(tiq);
        return traits is null ? (null, traitsProblem) : (new InsiIndividual(active, history, traits), null);
    }

    /// <summary>An INSACTIF or INSHISTO; every problem is prefixed with that name (names of elements only: no patient data).</summary>
    private static (InsIdentifier? Ins, string? Problem) ReadIns(XElement element, bool keyRequired)
    {
        var name = element.Name.LocalName;
        string? repeated = null;
        var id = element.Only(Res + "IdIndividu", ref repeated);
        var idName = name + "/IdIndividu";
        var number = id?.OnlyText(Res + "NumIdentifiant", ref repeated, idName);
        var key = id?.OnlyText(Res + "Cle", ref repeated, idName);
        var type = id?.OnlyText(Res + "TypeMatricule", ref repeated, idName);
        var oid = element.OnlyText(Res + "OID", ref repeated);
        var fromText = element.OnlyText(Res + "DateDeb", ref repeated);
        var toText = element.OnlyText(Res + "DateFin", ref repeated);
        if (repeated is not null)
        {
            return (null, repeated);
        }

        if (!InsiFormats.IsMatricule13(number))
        {
            return (null, name + ": NumIdentifiant missing or not 13 characters");
        }

        if ((keyRequired || key is not null) && !InsiFormats.IsKey(key))
        {
            return (null, name + ": Cle missing or not 2 digits");
        }

        if (oid is null)
        {
            return (null, name + ": OID missing");
        }

        if (!TryReadDate(fromText, out var from) || !TryReadDate(toText, out var to))
        {
            return (null, name + ": DateDeb or DateFin is not a date");
        }

        return (new InsIdentifier(number!, key, oid, type, from, to), null);
    }

    private static (InsTraits? Traits, string? Problem) ReadTraits(XElement tiq)
    {
        string? repeated = null;
        var birthName = tiq.OnlyText(Res + "NomNaissance", ref repeated);
        var firstName = tiq.OnlyText(Res + "Prenom", ref repeated);
        var listText = tiq.OnlyText(Res + "ListePrenom", ref repeated);
        var sex = tiq.OnlyText(Res + "Sexe", ref repeated);
        var birthDate = tiq.OnlyText(Res + "DateNaissance", ref repeated);
        var birthPlace = tiq.OnlyText(Res + "LieuNaissance", ref repeated);
        if (repeated is not null)
        {
            return (null, repeated);
        }

        var list = listText ?? firstName;
        if (birthName is null || list is null)
        {
            return (null, "TIQ: NomNaissance or first names missing");
        }

        if (sex is not { Length: 1 } || !char.IsAsciiLetterUpper(sex[0]))
        {
            return (null, "TIQ: Sexe missing or not one upper-case letter");
        }

        if (!InsiFormats.IsLunarDate(birthDate))
        {
            return (null, "TIQ: DateNaissance missing or not YYYY-MM-DD");
        }

        firstName ??= list.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return (new InsTraits(birthName, firstName, list, sex[0], birthDate!, birthPlace), null);
    }

    private static InsiFaultError ReadFault(XElement fault, int httpStatus)
    {
        var code = fault.Element(Soap + "Code");
        var erreur = fault.Element(Soap + "Detail")?.Element(Siram + "Erreur");
        return new InsiFaultError(
            SoapCode: code?.Text(Soap + "Value") ?? "unknown",
            SoapSubcode: code?.Element(Soap + "Subcode")?.Text(Soap + "Value"),
            Code: erreur?.Attribute("code")?.Value,
            Severity: erreur?.Attribute("severite")?.Value,
            Label: erreur?.Value.Trim(),
            Reason: fault.Element(Soap + "Reason")?.Text(Soap + "Text"),
            HttpStatus: httpStatus);
    }

    private static bool TryReadDate(string? text, out DateOnly? date)
    {
        date = null;
        if (text is null)
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            date = parsed;
            return true;
        }

        return false;
    }
}
