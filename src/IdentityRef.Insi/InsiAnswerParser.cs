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

    /// <summary>Either an answer or an error; HTTP errors without a SOAP fault become transport errors.</summary>
    public static (InsiAnswer? Answer, InsiError? Error) Parse(int httpStatus, byte[] body)
    {
        var document = body.Length == 0 ? null : InsiXml.TryLoad(body);
        if (document is null)
        {
            return (null, httpStatus is >= 200 and < 300
                ? new InsiMalformedAnswerError(httpStatus, body.Length == 0 ? "empty body" : "the body is not well-formed XML")
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
    public static (InsiAnswer? Answer, InsiError? Error) ReadResultat(XElement resultat, int httpStatus)
    {
        var cr = resultat.Element(Res + "CR");
        var codeText = cr?.Text(Res + "CodeCR");
        var code = InsiResultCodeExtensions.FromWire(codeText);
        if (cr is null || code is null)
        {
            return (null, new InsiMalformedAnswerError(httpStatus, "CR/CodeCR missing or not 00, 01 or 02"));
        }

        var label = cr.Text(Res + "LibelleCR") ?? string.Empty;
        // INDIVIDU is 0..1 in INSi_RESULTAT_INS.xsd: an answer carrying two people is no answer for one, never "the first one".
        var (individualElement, individualProblem) = AtMostOne(resultat, "INDIVIDU", "RESULTAT");
        if (individualProblem is not null)
        {
            return (null, new InsiMalformedAnswerError(httpStatus, individualProblem));
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
        var (activeElement, activeCount) = AtMostOne(individual, "INSACTIF", "INDIVIDU");
        if (activeCount is not null)
        {
            return (null, activeCount);
        }

        if (activeElement is null)
        {
            return (null, "INDIVIDU without INSACTIF");
        }

        var (active, activeProblem) = ReadIns(activeElement, keyRequired: true);
        if (active is null)
        {
            return (null, "INSACTIF: " + activeProblem);
        }

        var history = new List<InsIdentifier>();
        foreach (var historyElement in individual.Elements(Res + "INSHISTO"))
        {
            var (former, problem) = ReadIns(historyElement, keyRequired: false);
            if (former is null)
            {
                return (null, "INSHISTO: " + problem);
            }

            history.Add(former);
        }

        var (tiq, tiqCount) = AtMostOne(individual, "TIQ", "INDIVIDU");
        if (tiqCount is not null)
        {
            return (null, tiqCount);
        }

        if (tiq is null)
        {
            return (null, "INDIVIDU without TIQ");
        }

        var (traits, traitsProblem) = ReadTraits(tiq);
        return traits is null ? (null, "TIQ: " + traitsProblem) : (new InsiIndividual(active, history, traits), null);
    }

    /// <summary>The only child of that name, or none; more than one is a problem (names of elements only: no patient data).</summary>
    private static (XElement? Element, string? Problem) AtMostOne(XElement parent, string name, string parentName)
    {
        using var children = parent.Elements(Res + name).GetEnumerator();
        if (!children.MoveNext())
        {
            return (null, null);
        }

        var first = children.Current;
        return children.MoveNext() ? (null, $"{parentName} with more than one {name}") : (first, null);
    }

    private static (InsIdentifier? Ins, string? Problem) ReadIns(XElement element, bool keyRequired)
    {
        var id = element.Element(Res + "IdIndividu");
        var number = id?.Text(Res + "NumIdentifiant");
        var key = id?.Text(Res + "Cle");
        var oid = element.Text(Res + "OID");
        if (!InsiFormats.IsMatricule13(number))
        {
            return (null, "NumIdentifiant missing or not 13 characters");
        }

        if ((keyRequired || key is not null) && !InsiFormats.IsKey(key))
        {
            return (null, "Cle missing or not 2 digits");
        }

        if (oid is null)
        {
            return (null, "OID missing");
        }

        if (!TryReadDate(element.Text(Res + "DateDeb"), out var from) || !TryReadDate(element.Text(Res + "DateFin"), out var to))
        {
            return (null, "DateDeb or DateFin is not a date");
        }

        return (new InsIdentifier(number!, key, oid, id!.Text(Res + "TypeMatricule"), from, to), null);
    }

    private static (InsTraits? Traits, string? Problem) ReadTraits(XElement tiq)
    {
        var birthName = tiq.Text(Res + "NomNaissance");
        var firstName = tiq.Text(Res + "Prenom");
        var list = tiq.Text(Res + "ListePrenom") ?? firstName;
        var sex = tiq.Text(Res + "Sexe");
        var birthDate = tiq.Text(Res + "DateNaissance");
        if (birthName is null || list is null)
        {
            return (null, "NomNaissance or first names missing");
        }

        if (sex is not { Length: 1 } || !char.IsAsciiLetterUpper(sex[0]))
        {
            return (null, "Sexe missing or not one upper-case letter");
        }

        if (!InsiFormats.IsLunarDate(birthDate))
        {
            return (null, "DateNaissance missing or not YYYY-MM-DD");
        }

        firstName ??= list.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return (new InsTraits(birthName, firstName, list, sex[0], birthDate!, tiq.Text(Res + "LieuNaissance")), null);
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
