using IdentityRef.Application.Jobs;
using System.Globalization;
using System.Text.Json;
using IdentityRef.Persistence;
using IdentityRef.Server.Jobs;

namespace IdentityRef.Server.Web.Pages.Operations;

/// <summary>French wording of the work items: states and a readable summary of each kind's details (unknown ones shown as they are).</summary>
public static class WorkItemText
{
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    public static string State(string state) => state switch
    {
        WorkItem.Open => "ouvert",
        WorkItem.InReview => "pris en charge",
        WorkItem.Resolved => "traité",
        _ => state,
    };

    /// <summary>Why the re-verification failed (<see cref="InsReverifier"/>'s reasons).</summary>
    public static string Reason(string? reason) => reason switch
    {
        "not-verified" => "INSi ne confirme plus cet INS",
        "no-identity-for-these-traits" => "INSi ne trouve plus d'identité pour ces traits",
        "several-identities" => "INSi renvoie plusieurs identités pour ces traits",
        "query-invalid" => "les traits de l'identité ne peuvent pas être envoyés à INSi",
        "answer-without-individual" => "la réponse d'INSi ne contient pas d'identité",
        "answer-ins-invalid" => "l'INS renvoyé par INSi n'est pas valide",
        "answer-traits-invalid" => "les traits renvoyés par INSi ne respectent pas les règles de l'INS",
        "traits-changed" => "les traits renvoyés par INSi diffèrent de ceux de l'identité",
        "different-ins" => "INSi renvoie un autre INS",
        "nia-after-nir" => "INSi renvoie un NIA pour une identité qui détient un NIR",
        "ins-collision" => "le nouvel INS appartient déjà à une autre identité",
        null => "motif non précisé",
        _ => reason,
    };

    /// <summary>Why a merge received from another system was refused.</summary>
    public static string MergeRule(string? rule) => rule switch
    {
        "ins-collision" => "les deux identités portent des INS différents",
        "identities-linked" => "les deux identités sont liées : gardées séparées volontairement",
        null => "motif non précisé",
        _ => "règle " + rule,
    };

    public static string Summary(string kind, JsonElement? details, TimeProvider clock)
    {
        if (details is not { ValueKind: JsonValueKind.Object } d)
        {
            return "—";
        }
        switch (kind)
        {
            case WorkItemKinds.ReverificationMismatch or WorkItemKinds.ReverificationNotFound:
                var policy = Text(d, "policy") == nameof(MismatchPolicy.Downgrade) ? "identité repassée en « récupérée » si elle était qualifiée" : "INS conservé";
                return $"{Capitalised(Reason(Text(d, "reason")))}. Appel INSi du {When(d, "calledAt", clock)}{(Text(d, "code") is { } code ? $" (code {code})" : "")} ; {policy}.";
            case WorkItemKinds.TechnicalFailure:
                return $"{Number(d, "attempts")} nouvel(s) appel(s) INSi en échec technique, abandon des nouvelles tentatives."
                    + (Text(d, "error") is { } error ? $" Dernière erreur : {error}." : "");
            case WorkItemKinds.InboundMergeRefused:
                return $"{Text(d, "source") ?? "Un autre système"} a fusionné l'IPP {Text(d, "mergedIpp") ?? "?"} dans l'IPP {Text(d, "survivorIpp") ?? "?"} ; "
                    + $"la fusion est refusée ici ({MergeRule(Text(d, "rule"))}). Les deux identités restent séparées : à examiner.";
            case WorkItemKinds.OutboxParked:
                return $"{Number(d, "parked")} message(s) mis de côté (refusé(s) par le destinataire ou en échec persistant) : voir la page Messages.";
            case WorkItemKinds.SubscriptionLagging when d.TryGetProperty("subscriptions", out var list) && list.ValueKind == JsonValueKind.Array:
                var lines = list.EnumerateArray().Select(s =>
                    $"{Text(s, "Name") ?? "?"} : {Number(s, "Undelivered")} message(s) non remis, le plus ancien du {When(s, "OldestUndelivered", clock)}");
                return "Système(s) en retard — " + string.Join(" ; ", lines) + ".";
            default:
                return d.GetRawText();
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64().ToString(French) : "?";

    private static string When(JsonElement e, string name, TimeProvider clock) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var at)
            ? FrenchFormat.Minute(at, clock)
            : "?";

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpper(text[0], French) + text[1..];
}
