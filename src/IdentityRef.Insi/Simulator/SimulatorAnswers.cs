using System.Text;
using System.Xml;

namespace IdentityRef.Insi.Simulator;

/// <summary>RESULTAT answers written as the qualification platform writes them (same prefixes and namespaces).</summary>
internal static class SimulatorAnswers
{
    public const string ContentType = InsiContract.SoapMediaType + "; charset=utf-8";

    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false) };

    public static InsiSimulatorResponse Resultat(IReadOnlyList<SimulatedIdentity> hits) => hits.Count switch
    {
        0 => Write(InsiContract.CodeNotFound, "Aucune identite trouvee", null),
        1 => Write(InsiContract.CodeFound, "OK", hits[0]),
        _ => Write(InsiContract.CodeSeveral, "Plusieurs identites trouvees", null),
    };

    private static InsiSimulatorResponse Write(string code, string label, SimulatedIdentity? identity)
    {
        const string ns = InsiContract.ResultatNamespace;
        using var stream = new MemoryStream();
        using (var xml = XmlWriter.Create(stream, Settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("soap", "Envelope", InsiContract.SoapEnvelopeNamespace);
            xml.WriteStartElement("S", "Body", InsiContract.SoapEnvelopeNamespace);
            xml.WriteStartElement(null, "RESULTAT", ns);
            xml.WriteAttributeString("xmlns", "ns3", null, InsiContract.RecVitaleNamespace);
            xml.WriteAttributeString("xmlns", "ns2", null, InsiContract.RecSansNamespace);
            xml.WriteStartElement("CR", ns);
            xml.WriteElementString("CodeCR", ns, code);
            xml.WriteElementString("LibelleCR", ns, label);
            xml.WriteEndElement();
            if (identity is not null)
            {
                xml.WriteStartElement("INDIVIDU", ns);
                WriteIns(xml, "INSACTIF", identity.Ins);
                foreach (var former in identity.History)
                {
                    WriteIns(xml, "INSHISTO", former);
                }

                xml.WriteStartElement("TIQ", ns);
                xml.WriteElementString("NomNaissance", ns, identity.BirthName);
                xml.WriteElementString("Prenom", ns, identity.FirstFirstName);
                xml.WriteElementString("ListePrenom", ns, identity.FirstNames);
                xml.WriteElementString("Sexe", ns, identity.Sex.ToString());
                xml.WriteElementString("DateNaissance", ns, identity.BirthDate);
                xml.WriteElementString("LieuNaissance", ns, identity.BirthPlace);
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return new InsiSimulatorResponse(200, ContentType, stream.ToArray());
    }

    // IdentifiantNationalSante in the XSD order: IdIndividu, OID, DateDeb?, DateFin?.
    private static void WriteIns(XmlWriter xml, string name, SimulatedIns ins)
    {
        const string ns = InsiContract.ResultatNamespace;
        xml.WriteStartElement(name, ns);
        xml.WriteStartElement("IdIndividu", ns);
        xml.WriteElementString("NumIdentifiant", ns, ins.Matricule);
        xml.WriteElementString("Cle", ns, ins.Key);
        xml.WriteEndElement();
        xml.WriteElementString("OID", ns, ins.Oid);
        if (ins.ValidFrom is not null)
        {
            xml.WriteElementString("DateDeb", ns, ins.ValidFrom);
        }

        if (ins.ValidTo is not null)
        {
            xml.WriteElementString("DateFin", ns, ins.ValidTo);
        }

        xml.WriteEndElement();
    }
}

/// <summary>
/// SOAP 1.2 faults with a siram:Erreur detail, shaped like the real desir_550 fault (HTTP 500, Sender).
/// desir_550 copies the real fault word for word; insi_24 uses the code documented for a bad sex with our own
/// wording; codes starting with "simulateur_" are the simulator's own (the real texts are not public).
/// </summary>
internal static class SimulatorFaults
{
    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false) };

    public static InsiSimulatorResponse UnknownSoftware(string? messageId) => Write(
        "soap:siram_100",
        "L'accès par ce progiciel au service n'est pas autorisé. Contactez l'éditeur du progiciel ou votre responsable informatique.",
        "desir_550",
        "Numéro d'autorisation du logiciel inconnu.",
        messageId);

    public static InsiSimulatorResponse BadSex(string? messageId) => Write(
        null, "Les traits d'identité transmis sont incorrects.", "insi_24", "Le format du sexe est incorrect (M ou F attendu).", messageId);

    public static InsiSimulatorResponse BadTraits(string? messageId) => Write(
        null, "Les traits d'identité transmis sont incorrects.", "simulateur_traits", "Trait d'identité absent ou mal formé.", messageId);

    public static InsiSimulatorResponse MissingCardData(string? messageId) => Write(
        null, "Les données de la carte Vitale sont absentes.", "simulateur_carte",
        "Une recherche avec la carte Vitale doit transmettre les données de la carte (ContexteBAM/COUVERTURE : ASSURE et BENEFICIAIRE).", messageId);

    /// <summary>A fault that means "come back later" (insi_102, siram_40 in the INSi guide).</summary>
    public static InsiSimulatorResponse Unavailable(string? messageId, string code) => Write(
        null, "Le service est momentanément indisponible.", code, "Service indisponible, veuillez réessayer ultérieurement.", messageId);

    public static InsiSimulatorResponse Malformed(string? messageId, string label) => Write(
        null, "La requête n'est pas conforme au contrat du service.", "simulateur_requete", label, messageId);

    private static InsiSimulatorResponse Write(string? subcode, string reason, string code, string label, string? messageId)
    {
        var soap = InsiContract.SoapEnvelopeNamespace;
        using var stream = new MemoryStream();
        using (var xml = XmlWriter.Create(stream, Settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("soap", "Envelope", soap);
            xml.WriteStartElement("env", "Body", soap);
            xml.WriteStartElement("soap", "Fault", soap);
            xml.WriteStartElement("soap", "Code", soap);
            xml.WriteElementString("soap", "Value", soap, "soap:Sender");
            if (subcode is not null)
            {
                xml.WriteStartElement("soap", "Subcode", soap);
                xml.WriteElementString("soap", "Value", soap, subcode);
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            xml.WriteStartElement("soap", "Reason", soap);
            xml.WriteStartElement("soap", "Text", soap);
            xml.WriteAttributeString("xml", "lang", null, "fr");
            xml.WriteString(reason);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteStartElement("soap", "Detail", soap);
            xml.WriteStartElement("siram", "Erreur", InsiContract.SiramNamespace);
            xml.WriteAttributeString("code", code);
            if (messageId is not null)
            {
                xml.WriteAttributeString("messageID", messageId);
            }

            xml.WriteAttributeString("severite", "erreur");
            xml.WriteString(label);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return new InsiSimulatorResponse(500, SimulatorAnswers.ContentType, stream.ToArray());
    }
}
