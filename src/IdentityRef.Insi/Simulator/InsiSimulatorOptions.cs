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
}
