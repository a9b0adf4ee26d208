using IdentityRef.Application.Jobs;
using IdentityRef.Persistence;

namespace IdentityRef.Server.Web.Pages.Operations;

/// <summary>French wording of the scheduled jobs; a job without a French text keeps its name and its English description.</summary>
public static class OperationsText
{
    public static string Name(string job) => job switch
    {
        InsReverifier.JobName => "Revérification des INS",
        InsiRetrier.JobName => "Nouvel appel INSi après erreur technique",
        "outbox-housekeeping" => "Entretien de la file des messages",
        _ => job,
    };

    public static string Description(string job, string english) => job switch
    {
        InsReverifier.JobName => "Interroge à nouveau INSi pour les identités récupérées ou qualifiées dont l'INS n'a pas été confirmé depuis trop longtemps.",
        InsiRetrier.JobName => "Rappelle INSi pour les identités dont le dernier appel a échoué pour une raison technique (transport, délai dépassé).",
        "outbox-housekeeping" => "Purge les messages acquittés après la durée de conservation ; signale les messages mis de côté et les systèmes en retard.",
        _ => english,
    };

    public static string Outcome(string outcome) => outcome switch
    {
        JobRun.Running => "en cours",
        JobRun.Succeeded => "réussie",
        JobRun.Failed => "en échec",
        JobRun.Cancelled => "annulée",
        _ => outcome,
    };

    public static string WorkItem(string kind) => kind switch
    {
        WorkItemKinds.ReverificationMismatch => "INS revérifié : traits différents",
        WorkItemKinds.ReverificationNotFound => "INS revérifié : introuvable",
        WorkItemKinds.TechnicalFailure => "Appels INSi en échec technique répété",
        WorkItemKinds.OutboxParked => "Messages mis de côté",
        WorkItemKinds.SubscriptionLagging => "Système abonné en retard",
        _ => kind,
    };

    public static string Counts(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "—" : string.Join(", ", counts.Select(c => $"{c.Key} : {c.Value}"));
}
