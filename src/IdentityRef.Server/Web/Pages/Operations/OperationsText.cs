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
        "duplicates-incremental" => "Détection des doublons (identités modifiées)",
        "duplicates-full" => "Détection des doublons (toute la base)",
        _ => job,
    };

    public static string Description(string job, string english) => job switch
    {
        InsReverifier.JobName => "Interroge à nouveau INSi pour les identités récupérées ou qualifiées dont l'INS n'a pas été confirmé depuis trop longtemps.",
        InsiRetrier.JobName => "Rappelle INSi pour les identités dont le dernier appel a échoué pour une raison technique (transport, délai dépassé).",
        "outbox-housekeeping" => "Purge les messages acquittés après la durée de conservation ; signale les messages mis de côté et les systèmes en retard.",
        "duplicates-incremental" => "Cherche les doublons et les collisions des identités créées ou modifiées depuis la dernière exécution, dans toute la base.",
        "duplicates-full" => "Cherche les doublons et les collisions dans toute la base.",
        _ => "Tâche sans description en français.",
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
        WorkItemKinds.InboundMergeRefused => "Fusion reçue d'un autre système, refusée",
        WorkItemKinds.OutboxParked => "Messages mis de côté",
        WorkItemKinds.SubscriptionLagging => "Système abonné en retard",
        _ => kind,
    };

    public static string Counts(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "—" : string.Join(" ; ", counts.Select(c => $"{Counter(c.Key)} : {FrenchFormat.Count(c.Value)}"));

    /// <summary>A job's counter in words; an unknown one is named as such, never shown raw.</summary>
    public static string Counter(string name) => name switch
    {
        "identities" => "identités examinées",
        "candidatePairs" => "paires comparées",
        "probable" => "doublons probables",
        "possible" => "doublons possibles",
        "collisions" => "collisions",
        "created" => "nouveaux éléments dans la file",
        "reopened" => "éléments rouverts",
        "oversizedBlocks" => "blocs trop grands ignorés",
        "purged" => "messages purgés",
        "parked" => "messages mis de côté",
        "lagging" => "systèmes en retard",
        "alerts" => "alertes levées",
        "due" => "INS à revérifier",
        "deferred-daily-cap" => "reportés (plafond quotidien)",
        "no-longer-due" => "plus à revérifier",
        "requests" => "requêtes INSi",
        "concurrent-change" => "modifiées entre-temps",
        "refused-by-rule" => "refusées par une règle",
        "stopped-teleservice-failing" => "arrêt : INSi en échec",
        "insi-contradiction" => "contradictions INSi",
        "same-ins-collision" => "collisions sur l'INS",
        "gave-up" => "abandons (trop d'essais)",
        "answered" => "réponses obtenues",
        "failed-again" => "nouveaux échecs",
        "not-allowed" => "appels non permis",
        "confirmed" => "INS confirmés",
        "ins-held-elsewhere" => "INS confirmés, détenus aussi par une autre identité",
        "replaced" => "INS remplacés",
        "mismatch" => "traits différents",
        "not-found" => "INS introuvables",
        "technical-error" => "erreurs techniques",
        "downgraded" => "identités rétrogradées",
        _ => "autre compteur",
    };

    /// <summary>A Quartz cron expression (seconds first) in words: "chaque jour à 02:30", "toutes les 15 minutes"…</summary>
    public static string Schedule(string cron)
    {
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length == 7 && f[0] == "0" && f[5] == "?" && int.TryParse(f[1], out var onceMinute) && int.TryParse(f[2], out var onceHour)
            && int.TryParse(f[3], out var onceDay) && int.TryParse(f[4], out var onceMonth) && int.TryParse(f[6], out var onceYear)
            && onceMinute is >= 0 and < 60 && onceHour is >= 0 and < 24 && onceMonth is >= 1 and <= 12 && onceYear is >= 1970 and <= 9999
            && onceDay >= 1 && onceDay <= DateTime.DaysInMonth(onceYear, onceMonth))
        {
            return string.Create(FrenchFormat.Culture, $"une seule fois, le {FrenchFormat.Date(new DateOnly(onceYear, onceMonth, onceDay))} à {onceHour:00}:{onceMinute:00}");
        }
        if (f.Length is < 6 or > 7 || f[0] != "0" || f[4] != "*" || (f.Length == 7 && f[6] != "*"))
        {
            return $"planification particulière (expression cron {cron})";
        }
        var (minute, hour, dayOfMonth, dayOfWeek) = (f[1], f[2], f[3], f[5]);
        var everyDay = dayOfMonth is "*" or "?" && dayOfWeek is "*" or "?";
        if (everyDay && hour == "*" && minute.StartsWith("0/", StringComparison.Ordinal) && int.TryParse(minute[2..], out var step))
        {
            return step == 1 ? "chaque minute" : string.Create(FrenchFormat.Culture, $"toutes les {step} minutes");
        }
        if (everyDay && hour == "*" && int.TryParse(minute, out var atMinute))
        {
            return string.Create(FrenchFormat.Culture, $"toutes les heures, à la minute {atMinute:00}");
        }
        if (int.TryParse(minute, out var m) && int.TryParse(hour, out var h))
        {
            var at = string.Create(FrenchFormat.Culture, $"{h:00}:{m:00}");
            if (everyDay)
            {
                return $"chaque jour à {at}";
            }
            if (dayOfMonth == "?" && Day(dayOfWeek) is { } day)
            {
                return $"chaque {day} à {at}";
            }
            if (dayOfWeek == "?" && int.TryParse(dayOfMonth, out var d))
            {
                return string.Create(FrenchFormat.Culture, $"le {d} de chaque mois à {at}");
            }
        }
        return $"planification particulière (expression cron {cron})";
    }

    private static string? Day(string day) => day.ToUpperInvariant() switch
    {
        "MON" or "2" => "lundi",
        "TUE" or "3" => "mardi",
        "WED" or "4" => "mercredi",
        "THU" or "5" => "jeudi",
        "FRI" or "6" => "vendredi",
        "SAT" or "7" => "samedi",
        "SUN" or "1" => "dimanche",
        _ => null,
    };
}
