using System.Globalization;
using System.Text;
using System.Xml;

namespace IdentityRef.Insi;

/// <summary>
/// Writes request envelopes: SOAP 1.2, headers ContexteBAM (01_02), ContexteLPS (01_00), wsa:Action,
/// wsa:MessageID, and optionally wsse:Security; element names and order follow the XSDs.
/// </summary>
internal static class InsiEnvelopeWriter
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        OmitXmlDeclaration = false,
    };

    public static byte[] Write(
        InsiOptions options,
        string action,
        Guid messageId,
        DateTimeOffset now,
        Action<XmlWriter> writeBody,
        InsiCardCoverage? coverage = null,
        string? securityXml = null)
    {
        using var stream = new MemoryStream();
        using (var xml = XmlWriter.Create(stream, Settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("soap", "Envelope", InsiContract.SoapEnvelopeNamespace);
            xml.WriteAttributeString("xmlns", "ctxbam", null, InsiContract.ContexteBamNamespace);
            xml.WriteAttributeString("xmlns", "ctxlps", null, InsiContract.ContexteLpsNamespace);
            xml.WriteAttributeString("xmlns", "wsa", null, InsiContract.AddressingNamespace);
            xml.WriteStartElement("soap", "Header", InsiContract.SoapEnvelopeNamespace);

            if (securityXml is not null)
            {
                xml.WriteStartElement("wsse", "Security", InsiContract.WsSecurityNamespace);
                xml.WriteRaw(securityXml);
                xml.WriteEndElement();
            }

            var time = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            WriteContexteBam(xml, options, time, coverage);
            WriteContexteLps(xml, options, time);
            xml.WriteElementString("wsa", "Action", InsiContract.AddressingNamespace, action);
            xml.WriteElementString("wsa", "MessageID", InsiContract.AddressingNamespace, "uuid:" + messageId.ToString("D"));
            xml.WriteEndElement();

            xml.WriteStartElement("soap", "Body", InsiContract.SoapEnvelopeNamespace);
            writeBody(xml);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return stream.ToArray();
    }

    /// <summary>RECSANSVITALE: NomNaissance, Prenom*, Sexe, DateNaissance, LieuNaissance?</summary>
    public static Action<XmlWriter> TraitsBody(string birthName, string? firstNames, char sex, string birthDate, string? birthPlace) => xml =>
    {
        const string ns = InsiContract.RecSansNamespace;
        xml.WriteStartElement("insi_recsans_ins", "RECSANSVITALE", ns);
        xml.WriteElementString("insi_recsans_ins", "NomNaissance", ns, birthName);
        if (firstNames is not null)
        {
            xml.WriteElementString("insi_recsans_ins", "Prenom", ns, firstNames);
        }

        xml.WriteElementString("insi_recsans_ins", "Sexe", ns, sex.ToString());
        xml.WriteElementString("insi_recsans_ins", "DateNaissance", ns, birthDate);
        if (birthPlace is not null)
        {
            xml.WriteElementString("insi_recsans_ins", "LieuNaissance", ns, birthPlace);
        }

        xml.WriteEndElement();
    };

    /// <summary>RECVITALE: MatriculeIndividu, MatriculeOD?, NomNaissance?, DateNaissance, RangNaissance.</summary>
    public static Action<XmlWriter> VitaleBody(InsiVitaleQuery query) => xml =>
    {
        const string ns = InsiContract.RecVitaleNamespace;
        xml.WriteStartElement("insi_recvit_ins", "RECVITALE", ns);
        WriteMatricule(xml, "MatriculeIndividu", query.Beneficiary);
        if (query.OpeningRightsHolder is not null)
        {
            WriteMatricule(xml, "MatriculeOD", query.OpeningRightsHolder);
        }

        if (query.BirthName is not null)
        {
            xml.WriteElementString("insi_recvit_ins", "NomNaissance", ns, query.BirthName);
        }

        xml.WriteElementString("insi_recvit_ins", "DateNaissance", ns, query.BirthDate);
        xml.WriteElementString("insi_recvit_ins", "RangNaissance", ns, query.BirthRank);
        xml.WriteEndElement();

        static void WriteMatricule(XmlWriter xml, string name, InsiMatricule matricule)
        {
            xml.WriteStartElement("insi_recvit_ins", name, ns);
            xml.WriteElementString("insi_recvit_ins", "NumIdentifiant", ns, matricule.Number);
            xml.WriteElementString("insi_recvit_ins", "Cle", ns, matricule.Key);
            xml.WriteEndElement();
        }
    };

    // ContexteBAM: Id, Temps, Emetteur?, DateRef?, COUVERTURE (required, empty outside card mode).
    private static void WriteContexteBam(XmlWriter xml, InsiOptions options, string time, InsiCardCoverage? coverage)
    {
        const string ns = InsiContract.ContexteBamNamespace;
        xml.WriteStartElement("ctxbam", "ContexteBAM", ns);
        xml.WriteAttributeString("Version", InsiContract.ContexteBamVersion);
        xml.WriteElementString("ctxbam", "Id", ns, Guid.NewGuid().ToString("D"));
        xml.WriteElementString("ctxbam", "Temps", ns, time);
        if (!string.IsNullOrWhiteSpace(options.Emitter))
        {
            xml.WriteElementString("ctxbam", "Emetteur", ns, options.Emitter);
        }

        xml.WriteStartElement("ctxbam", "COUVERTURE", ns);
        if (coverage is not null)
        {
            WriteOptional(xml, "GrandRegime", coverage.GrandRegime);
            WriteOptional(xml, "Organisme", coverage.Organisme);
            WriteOptional(xml, "CodeCentre", coverage.CodeCentre);
            if (coverage.InsuredNir is not null)
            {
                xml.WriteStartElement("ctxbam", "ASSURE", ns);
                xml.WriteStartElement("ctxbam", "Id", ns);
                xml.WriteElementString("ctxbam", "Num", ns, coverage.InsuredNir.Number);
                xml.WriteElementString("ctxbam", "Cle", ns, coverage.InsuredNir.Key);
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            if (coverage.BeneficiaryNir is not null || coverage.BeneficiaryBirthDate is not null || coverage.BeneficiaryRank is not null)
            {
                xml.WriteStartElement("ctxbam", "BENEFICIAIRE", ns);
                if (coverage.BeneficiaryNir is not null)
                {
                    xml.WriteStartElement("ctxbam", "Nir", ns);
                    xml.WriteElementString("ctxbam", "Num", ns, coverage.BeneficiaryNir.Number);
                    xml.WriteElementString("ctxbam", "Cle", ns, coverage.BeneficiaryNir.Key);
                    xml.WriteEndElement();
                }

                WriteOptional(xml, "DateNai", coverage.BeneficiaryBirthDate);
                WriteOptional(xml, "Rang", coverage.BeneficiaryRank?.ToString(CultureInfo.InvariantCulture));
                xml.WriteEndElement();
            }
        }

        xml.WriteEndElement();
        xml.WriteEndElement();

        static void WriteOptional(XmlWriter xml, string name, string? value)
        {
            if (value is not null)
            {
                xml.WriteElementString("ctxbam", name, ns, value);
            }
        }
    }

    // ContexteLPS: Id, Temps, Emetteur?, LPS { IDAM (attribute R), Version, Instance, Nom }.
    private static void WriteContexteLps(XmlWriter xml, InsiOptions options, string time)
    {
        const string ns = InsiContract.ContexteLpsNamespace;
        xml.WriteStartElement("ctxlps", "ContexteLPS", ns);
        xml.WriteAttributeString("Nature", InsiContract.ContexteLpsNature);
        xml.WriteAttributeString("Version", InsiContract.ContexteLpsVersion);
        xml.WriteElementString("ctxlps", "Id", ns, Guid.NewGuid().ToString("D"));
        xml.WriteElementString("ctxlps", "Temps", ns, time);
        if (!string.IsNullOrWhiteSpace(options.Emitter))
        {
            xml.WriteElementString("ctxlps", "Emetteur", ns, options.Emitter);
        }

        xml.WriteStartElement("ctxlps", "LPS", ns);
        xml.WriteStartElement("ctxlps", "IDAM", ns);
        xml.WriteAttributeString("R", options.SoftwareAuthorisationReference);
        xml.WriteString(options.SoftwareAuthorisationNumber ?? string.Empty);
        xml.WriteEndElement();
        xml.WriteElementString("ctxlps", "Version", ns, options.SoftwareVersion ?? string.Empty);
        xml.WriteElementString("ctxlps", "Instance", ns, options.InstallationId ?? string.Empty);
        xml.WriteElementString("ctxlps", "Nom", ns, options.SoftwareName ?? string.Empty);
        xml.WriteEndElement();
        xml.WriteEndElement();
    }
}
