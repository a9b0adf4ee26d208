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

    /// <summary>
    /// Why the monitor refused to resend message <paramref name="id"/> (<see cref="MessageService.ResendAsync"/>). There is no
    /// "send the current state" action: the advice is the latest message about the patient, which can be resent.
    /// </summary>
    public static string ResendRefused(long id, ResendRefusal refusal) => refusal.Rule switch
    {
        ResendRefusal.Superseded => $"Renvoi refusé : un message plus récent concerne ce patient pour ce système (n° {refusal.LaterMessageId}). "
            + $"La copie du message n° {id} arriverait après lui et remettrait des données périmées chez le destinataire. "
            + "Renvoyez plutôt le message le plus récent de ce patient (recherche par IPP).",
        ResendRefusal.InsNotShareable => $"Renvoi refusé : le message n° {id} porte un INS que l'identité ne détient plus comme identité qualifiée ; "
            + "l'INS n'est transmis que pour une identité qualifiée (RNIV EXI SI 08).",
        ResendRefusal.ConfidenceLowered => $"Renvoi refusé : le message n° {id} annonce une identité validée (PID-32 VALI), "
            + "or l'identité n'est aujourd'hui ni qualifiée ni validée.",
        _ => $"Renvoi refusé pour le message n° {id}.",
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

    /// <summary>The segments of a PAM FR message, in words.</summary>
    public static string Segment(string name) => name switch
    {
        "MSH" => "en-tête du message",
        "EVN" => "événement",
        "PID" => "identification du patient",
        "PD1" => "informations complémentaires du patient",
        "PV1" => "venue du patient",
        "MRG" => "identité fusionnée ou ancien identifiant",
        "ZFD" => "extension française : données complémentaires",
        "ZFA" => "extension française : DMP",
        "ZFP" => "extension française : situation professionnelle",
        "ZFV" => "extension française : venue",
        "ZFM" => "extension française : PMSI",
        "ZFS" => "extension française : mode légal de soins",
        "NK1" => "personne à prévenir",
        _ => "segment",
    };

    /// <summary>The meaning of the fields read most often; others are named by their position only.</summary>
    public static string FieldLabel(string segment, int field) => (segment, field) switch
    {
        ("MSH", 1) => "séparateur de champs",
        ("MSH", 2) => "caractères de codage",
        ("MSH", 3) => "application émettrice",
        ("MSH", 4) => "établissement émetteur",
        ("MSH", 5) => "application destinataire",
        ("MSH", 6) => "établissement destinataire",
        ("MSH", 7) => "date et heure du message",
        ("MSH", 9) => "type de message",
        ("MSH", 10) => "identifiant de contrôle",
        ("MSH", 11) => "mode de traitement",
        ("MSH", 12) => "version HL7",
        ("MSH", 17) => "pays",
        ("MSH", 18) => "jeu de caractères",
        ("MSH", 19) => "langue",
        ("MSH", 21) => "profil du message",
        ("EVN", 1) => "code de l'événement",
        ("EVN", 2) => "date et heure de l'enregistrement",
        ("EVN", 5) => "opérateur",
        ("EVN", 6) => "date et heure de l'événement",
        ("PID", 3) => "identifiants du patient (IPP, INS)",
        ("PID", 5) => "noms (naissance, utilisé)",
        ("PID", 6) => "nom de naissance de la mère",
        ("PID", 7) => "date de naissance",
        ("PID", 8) => "sexe",
        ("PID", 11) => "adresses (dont lieu de naissance)",
        ("PID", 13) => "téléphone, courriel",
        ("PID", 23) => "lieu de naissance",
        ("PID", 29) => "date du décès",
        ("PID", 30) => "indicateur de décès",
        ("PID", 32) => "statut de l'identité",
        ("MRG", 1) => "identifiants de l'identité absorbée ou ancienne",
        ("MRG", 7) => "nom de l'identité absorbée",
        ("PV1", 2) => "type de venue",
        _ => "—",
    };
}
