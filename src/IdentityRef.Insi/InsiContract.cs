namespace IdentityRef.Insi;

/// <summary>
/// Names fixed by the CNAM contract (WSDL DESIR_ICIR_EXP_1.5.0 and its XSDs). Shared by the client and the
/// simulator so that both speak exactly the same wire format.
/// </summary>
public static class InsiContract
{
    public const string SoapEnvelopeNamespace = "http://www.w3.org/2003/05/soap-envelope";
    public const string AddressingNamespace = "http://www.w3.org/2005/08/addressing";
    public const string ContexteBamNamespace = "urn:siram:bam:ctxbam";
    public const string ContexteLpsNamespace = "urn:siram:lps:ctxlps";
    public const string SiramNamespace = "urn:siram";
    public const string WsSecurityNamespace = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    public const string RecSansNamespace = "http://www.cnamts.fr/INSiRecSans";
    public const string RecVitaleNamespace = "http://www.cnamts.fr/INSiRecVit";
    public const string ResultatNamespace = "http://www.cnamts.fr/INSiResultat";

    public const string SearchByTraitsAction = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite";
    public const string SearchWithVitaleAction = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale";

    public const string ContexteBamVersion = "01_02";
    public const string ContexteLpsVersion = "01_00";
    public const string ContexteLpsNature = "CTXLPS";

    /// <summary>SOAP 1.2 media type (RFC 3902).</summary>
    public const string SoapMediaType = "application/soap+xml";

    public const string OidNir = "1.2.250.1.213.1.4.8";
    public const string OidNia = "1.2.250.1.213.1.4.9";
    public const string OidTestNir = "1.2.250.1.213.1.4.10";
    public const string OidDemoNir = "1.2.250.1.213.1.4.11";

    public const string CodeFound = "00";
    public const string CodeNotFound = "01";
    public const string CodeSeveral = "02";
}
