namespace IdentityRef.Application.Security;

/// <summary>
/// The authorisation matrix: one policy per kind of action, and the roles allowed to take it. The API and the
/// web interface use the same policies, so this table is the whole of who may do what. Endpoints declare
/// their action with <c>.RequireAuthorization(Policies.X)</c> (minimal APIs) or <c>[Authorize(Policy = Policies.X)]</c>
/// (pages); anything that declares nothing still needs an authenticated user (the fallback policy).
/// </summary>
public static class Policies
{
    public const string PatientsRead = "patients.read";
    public const string PatientsWrite = "patients.write";
    public const string Qualification = "qualification";
    public const string Duplicates = "duplicates";
    public const string Subscriptions = "subscriptions";
    public const string Messages = "messages";
    public const string Jobs = "jobs";
    public const string Accounts = "accounts";
    public const string WorkItems = "work-items";
    public const string PatientsQuery = "patients.query";

    /// <summary>One row per action: the policy, what it covers, who may.</summary>
    public static IReadOnlyList<PolicyRule> Matrix { get; } =
    [
        //       policy          what it covers                                            Accueil  Identitovig.  Intégrateur  Administrateur
        new(PatientsRead,  "Search and read identities, their history; the dashboard", [Roles.Accueil, Roles.Identitovigilance, Roles.Integrateur, Roles.Administrateur]),
        new(PatientsWrite, "Create and correct identities",                             [Roles.Accueil, Roles.Identitovigilance, Roles.Administrateur]),
        new(Qualification, "INSi calls, accept/reject, documents, attributes, INS withdrawal", [Roles.Accueil, Roles.Identitovigilance, Roles.Administrateur]),
        new(Duplicates,    "The duplicate work queue: review, merge, unmerge, INSi contradictions", [Roles.Identitovigilance, Roles.Administrateur]),
        new(Subscriptions, "Subscriptions of connected systems",                        [Roles.Integrateur, Roles.Administrateur]),
        new(Messages,      "Outgoing and incoming messages, replays",                   [Roles.Integrateur, Roles.Administrateur]),
        new(Jobs,          "Background jobs",                                           [Roles.Integrateur, Roles.Administrateur]),
        new(Accounts,      "Accounts and roles",                                        [Roles.Administrateur]),
        // The query transactions for other systems (PDQm, PIXm under /fhir): read-only, the only door of Consultation.
        new(PatientsQuery, "Identity queries: PDQm, PIXm, $match (FHIR)",                [Roles.Accueil, Roles.Identitovigilance, Roles.Integrateur, Roles.Administrateur, Roles.Consultation]),
        // The door to the work items raised by jobs; each item also needs the policy of its kind (WorkItemKinds.PolicyOf:
        // Duplicates or Messages), so these roles are exactly those of the two (a test holds them equal).
        new(WorkItems,     "Work items raised by jobs: list, take, resolve (each kind: its cell's policy)", [Roles.Identitovigilance, Roles.Integrateur, Roles.Administrateur]),
    ];

    public static bool Allows(string policy, string role) =>
        Matrix.Single(r => r.Policy == policy).Roles.Contains(role);
}

/// <summary>One row of the matrix.</summary>
public sealed record PolicyRule(string Policy, string Description, IReadOnlyList<string> Roles);
