using IdentityRef.Application.Broadcast;
using IdentityRef.Domain.Common;
using IdentityRef.Persistence;

namespace IdentityRef.Server.Web.Pages.Integration;

/// <summary>French wording of the broadcast: message states, PAM events, the subscription rules' errors.</summary>
public static class IntegrationText
{
    public static string State(string state) => state switch
    {
        OutboxStates.Pending => "en attente",
        OutboxStates.Sent => "envoyé",
        OutboxStates.Acknowledged => "acquitté",
        OutboxStates.Error => "en erreur",
        OutboxStates.Parked => "mis de côté",
        _ => state,
    };

    public static string Event(string code) => code switch
    {
        "A28" => "A28 — création",
        "A31" => "A31 — modification",
        "A47" => "A47 — changement d'identifiant",
        "A40" => "A40 — fusion",
        "A24" => "A24 — lien",
        "A37" => "A37 — suppression de lien",
        _ => code,
    };

    /// <summary>The French text of a rule of <see cref="SubscriptionService.Apply"/>, by field and code.</summary>
    public static string Message(FieldError error) => (error.Field, error.Code) switch
    {
        (_, "required") => "Ce champ est obligatoire.",
        ("name", "duplicate") => "Un abonnement porte déjà ce nom.",
        ("host", "invalid-value") => "Un nom d'hôte ou une adresse IP, de 255 caractères au plus.",
        ("port", "invalid-value") => "Un port TCP de 1 à 65535.",
        ("port", "invalid-format") => "Un nombre entier est attendu.",
        ("charset", "invalid-value") => "Le jeu de caractères (MSH-18) est l'un de : " + string.Join(", ", SubscriptionService.Charsets) + ".",
        ("events", "invalid-value") => "Les événements sont parmi : " + string.Join(", ", Enum.GetNames<Hl7.Pam.PamEvent>()) + ".",
        (_, "invalid-value") => "1 à 100 caractères, sans délimiteur HL7 (| ^ ~ \\ &).",
        _ => FrenchText.Message(error),
    };

    /// <summary>The errors of a subscription form, in French, once per field and text.</summary>
    public static void AddTo(WebMessages messages, IEnumerable<FieldError> errors) =>
        messages.Errors.AddRange(errors.Select(e => ((string?)e.Field, Message(e))).Distinct());

    /// <summary>How long ago, in words a person reads at a glance.</summary>
    public static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => "moins d'une minute",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min",
        { TotalDays: < 1 } => $"{(int)age.TotalHours} h {age.Minutes:00} min",
        _ => $"{(int)age.TotalDays} j {age.Hours} h",
    };
}
