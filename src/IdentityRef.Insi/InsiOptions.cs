namespace IdentityRef.Insi;

/// <summary>
/// Settings of the INSi adapter, bound from the configuration section <see cref="SectionName"/>
/// (environment: <c>Insi__Endpoint</c>, <c>Insi__CertificatePath</c>, <c>Insi__CertificatePassword</c>,
/// <c>Insi__TimeoutSeconds</c>, ...). Mutable only so that the configuration binder can fill it; call
/// <see cref="Validate"/> at start-up.
/// </summary>
public sealed class InsiOptions
{
    public const string SectionName = "Insi";

    /// <summary>Teleservice URL; the qualification platform is https://qualiflps-services-ps-tlsm.ameli.fr:443/lps.</summary>
    public string? Endpoint { get; set; }

    /// <summary>PKCS#12 file of the organisation certificate (CN INSI-AUTO or INSI-MANU). Empty: no mutual TLS.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Time allowed to one HTTP attempt (per try, not for the whole search).</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>Retries after a transient network failure (0 = none). Never applied to 01/02 or to SOAP faults.</summary>
    public int RetryCount { get; set; } = 2;

    /// <summary>Base delay of the exponential back-off between retries.</summary>
    public int RetryDelayMilliseconds { get; set; } = 500;

    /// <summary>Software authorisation number given by the CNAM (ContexteLPS/LPS/IDAM).</summary>
    public string? SoftwareAuthorisationNumber { get; set; }

    /// <summary>Value of the IDAM attribute R; "4" is what the clients known to pass the qualification send.</summary>
    public string SoftwareAuthorisationReference { get; set; } = "4";

    public string? SoftwareName { get; set; }

    public string? SoftwareVersion { get; set; }

    /// <summary>UUID of this installation (ContexteLPS/LPS/Instance): generate it once, never change it.</summary>
    public string? InstallationId { get; set; }

    /// <summary>Optional Emetteur of ContexteBAM and ContexteLPS (e.g. the organisation's identifier).</summary>
    public string? Emitter { get; set; }

    /// <summary>wsa:Action of the UNCONFIRMED verification operation (see InsiVerificationContract).</summary>
    public string VerificationAction { get; set; } = InsiVerificationContract.DefaultAction;

    /// <summary>Body namespace of the UNCONFIRMED verification operation (see InsiVerificationContract).</summary>
    public string VerificationNamespace { get; set; } = InsiVerificationContract.DefaultNamespace;

    /// <summary>
    /// Which platform this server talks to: <see cref="InsiEnvironment.Production"/> (the default) refuses the INS of the
    /// test and demonstration authorities (OIDs …4.10, …4.11) on every entry path; <see cref="InsiEnvironment.Qualification"/>
    /// (the CNAM qualification platform, the built-in simulator) accepts them.
    /// </summary>
    public InsiEnvironment Environment { get; set; } = InsiEnvironment.Production;

    /// <summary>
    /// siram:Erreur codes that mean "service temporarily unavailable": retried like a network failure, and left to the retry
    /// job when they persist. The INSi guide names <c>insi_102</c> and <c>siram_40</c>; a hospital may add the codes its
    /// platform returns (compared without case).
    /// </summary>
    public List<string> TransientFaultCodes { get; set; } = ["insi_102", "siram_40"];

    public bool IsTransientFault(string? code) =>
        code is not null && TransientFaultCodes.Any(c => string.Equals(c, code, StringComparison.OrdinalIgnoreCase));

    /// <summary>Largest answer body accepted; a bigger one is treated as a malformed answer.</summary>
    public int MaxAnswerBytes { get; set; } = 1024 * 1024;

    /// <summary>A copy, for a caller that resolves some settings (e.g. a relative endpoint) per use.</summary>
    public InsiOptions Clone() => (InsiOptions)MemberwiseClone();

    /// <summary>The configuration problems, empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Endpoint) || !Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add("Insi:Endpoint must be an absolute http(s) URL.");
        }
        else if (HasCertificate && endpoint.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add("Insi:Endpoint must use https when a client certificate is configured.");
        }

        if (HasCertificate && !File.Exists(CertificatePath))
        {
            problems.Add("Insi:CertificatePath does not name an existing file.");
        }

        if (double.IsNaN(TimeoutSeconds) || TimeoutSeconds <= 0 || TimeoutSeconds > 600)
        {
            problems.Add("Insi:TimeoutSeconds must be greater than 0 and at most 600.");
        }

        if (RetryCount is < 0 or > 10)
        {
            problems.Add("Insi:RetryCount must be between 0 and 10.");
        }

        if (RetryDelayMilliseconds is < 0 or > 60_000)
        {
            problems.Add("Insi:RetryDelayMilliseconds must be between 0 and 60000.");
        }

        if (MaxAnswerBytes < 1024)
        {
            problems.Add("Insi:MaxAnswerBytes must be at least 1024.");
        }

        RequireText(problems, SoftwareAuthorisationNumber, "SoftwareAuthorisationNumber");
        RequireText(problems, SoftwareName, "SoftwareName");
        RequireText(problems, SoftwareVersion, "SoftwareVersion");
        if (!Guid.TryParse(InstallationId, out _))
        {
            problems.Add("Insi:InstallationId must be a UUID.");
        }

        return problems;
    }

    public bool HasCertificate => !string.IsNullOrWhiteSpace(CertificatePath);

    private static void RequireText(List<string> problems, string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"Insi:{key} is required.");
        }
    }
}

/// <summary>The INSi platform a server talks to (setting <c>Insi:Environment</c>).</summary>
public enum InsiEnvironment
{
    Production,
    Qualification,
}
