namespace IdentityRef.Insi.Simulator;

/// <summary>Settings of the simulator, bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class InsiSimulatorOptions
{
    public const string SectionName = "InsiSimulator";

    /// <summary>JSON file of identities (relative paths are resolved by the host, usually against its content root).</summary>
    public string DataPath { get; set; } = Path.Combine("data", "insi", "test-identities.json");

    /// <summary>Software authorisation numbers accepted in ContexteLPS/LPS/IDAM; empty = any non-empty number.</summary>
    public List<string> AcceptedSoftwareAuthorisationNumbers { get; set; } = [];

    /// <summary>Must match the client's Insi:VerificationAction (UNCONFIRMED operation).</summary>
    public string VerificationAction { get; set; } = InsiVerificationContract.DefaultAction;

    /// <summary>Must match the client's Insi:VerificationNamespace (UNCONFIRMED operation).</summary>
    public string VerificationNamespace { get; set; } = InsiVerificationContract.DefaultNamespace;

    /// <summary>
    /// The OID put on every INS-NIR the simulator answers, e.g. <c>1.2.250.1.213.1.4.10</c> (test authority) to exercise a
    /// production server's refusal of test INS. Empty: the OIDs of the data file, which are those the CNAM qualification
    /// platform answers (its recorded answers carry 1.2.250.1.213.1.4.8, see docs/insi.md).
    /// </summary>
    public string? AnswerOid { get; set; }

    /// <summary>
    /// Plays a technical fault: every request is answered with this siram:Erreur code (e.g. <c>insi_102</c>, service
    /// temporarily unavailable). Empty: the simulator answers normally.
    /// </summary>
    public string? FaultCode { get; set; }
}
