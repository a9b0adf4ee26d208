using IdentityRef.Application.Security;
using IdentityRef.Domain.Common;

namespace IdentityRef.Server.Web;

/// <summary>
/// French wording of what the domain reports in English (field names, error codes, national rules), so that
/// the screens speak French while the API and the validation stay as they are. An unknown code falls back to
/// the domain's own message rather than hiding it.
/// </summary>
public static class FrenchText
{
    public static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>
    {
        ["workItemState"] = "État du signalement",
        ["birthName"] = "Nom de naissance",
        ["firstNames"] = "Prénoms de naissance",
        ["firstName"] = "Premier prénom de naissance",
        ["birthDate"] = "Date de naissance",
        ["sex"] = "Sexe",
        ["birthPlaceCode"] = "Lieu de naissance",
        ["q"] = "Recherche",
        ["usedName"] = "Nom utilisé",
        ["usedFirstName"] = "Prénom utilisé",
        ["address"] = "Adresse",
        ["postcode"] = "Code postal",
        ["city"] = "Commune",
        ["phone"] = "Téléphone",
        ["email"] = "Courriel",
        ["ins.value"] = "INS",
        ["ins"] = "INS",
        ["ipp"] = "IPP",
        ["birthDateCorrected"] = "Date de naissance corrigée",
        ["attributes"] = "Attributs",
        ["insOid"] = "OID de l'INS",
        ["insSource"] = "Origine de l'INS",
        ["insiCheckedAt"] = "Vérification INSi",
        ["insHistory"] = "Historique des INS",
        ["documentType"] = "Pièce d'identité",
        ["documentNumber"] = "Numéro de la pièce",
        ["documentExpires"] = "Expiration de la pièce",
        ["documentCheckedBy"] = "Pièce contrôlée par",
        ["documentCheckedAt"] = "Pièce contrôlée le",
        ["mergedInto"] = "Fusionnée dans",
        ["deathDate"] = "Date de décès",
        ["motif"] = "Motif",
        ["ids"] = "Paires cochées",
        ["survivor"] = "Identité conservée",
        ["comment"] = "Motif",
        ["status"] = "Statut",
        ["type"] = "Type de pièce",
        ["number"] = "Numéro de la pièce",
        ["vitaleNumber"] = "Numéro de sécurité sociale du bénéficiaire",
        ["vitaleKey"] = "Clé du numéro du bénéficiaire",
        ["vitaleRank"] = "Rang de naissance",
        ["vitaleHolderNumber"] = "Numéro de l'ouvreur de droits",
        ["vitaleHolderKey"] = "Clé du numéro de l'ouvreur de droits",
        ["expires"] = "Date d'expiration",
        ["userName"] = "Identifiant",
        ["fullName"] = "Nom complet",
        ["currentPassword"] = "Mot de passe actuel",
        ["newPassword"] = "Nouveau mot de passe",
        ["confirmation"] = "Confirmation du nouveau mot de passe",
        ["password"] = "Mot de passe",
        ["role"] = "Rôle",
        ["name"] = "Nom",
        ["host"] = "Hôte",
        ["port"] = "Port",
        ["receivingApplication"] = "Application destinataire (MSH-5)",
        ["receivingFacility"] = "Établissement destinataire (MSH-6)",
        ["charset"] = "Jeu de caractères (MSH-18)",
        ["events"] = "Événements",
    };

    private static readonly Dictionary<string, string> Codes = new()
    {
        ["required"] = "Ce champ est obligatoire.",
        ["invalid-character"] = "Caractère non autorisé : seuls les lettres, l'espace, l'apostrophe et le tiret sont admis.",
        ["too-long"] = "Valeur trop longue.",
        ["no-letter"] = "La valeur doit contenir des lettres.",
        ["leading-separator"] = "La valeur ne peut pas commencer par un tiret ou une apostrophe.",
        ["trailing-separator"] = "La valeur ne peut pas se terminer par un tiret ou une apostrophe.",
        ["double-hyphen"] = "Le double tiret n'est pas admis ici.",
        ["adjacent-separators"] = "Deux séparateurs (espace, apostrophe, tiret) ne peuvent pas se suivre.",
        ["invalid-date"] = "Ce jour n'existe pas dans ce mois.",
        ["implausible-date"] = "Année de naissance invraisemblable.",
        ["future-date"] = "La date de naissance ne peut pas être dans le futur.",
        ["not-first-of-list"] = "Le premier prénom doit être le début de la liste des prénoms de naissance.",
        ["first-name-fragment"] = "Le premier prénom doit être un prénom entier de la liste : un prénom composé (avec un tiret) ne se coupe pas.",
        ["test-ins-refused"] = "Cet INS relève de l'autorité de test ou de démonstration : refusé sur un serveur de production.",
        ["invalid-key"] = "La clé de l'INS ne correspond pas.",
        ["wrong-password"] = "Ce n'est pas votre mot de passe actuel.",
        ["same-password"] = "Le nouveau mot de passe doit être différent de l'actuel.",
        ["last-administrator"] = "C'est le dernier administrateur actif : donnez d'abord ce rôle à un autre compte.",
        ["mismatch"] = "Les deux saisies du nouveau mot de passe diffèrent.",
        ["unknown-code"] = "Code absent du référentiel (peut-être une ancienne commune) : vérifiez-le.",
        ["RECO PP 03"] = "Appeler INSi pour une identité provisoire sans contrôle d'une pièce d'identité est déconseillé : contrôlez aussi une pièce (RECO PP 03).",
        ["document-check-voided"] = "Le contrôle de la pièce d'identité portait sur les anciens traits stricts : contrôlez à nouveau la pièce avec les traits INS pour qualifier l'identité.",
    };

    private static readonly Dictionary<(string Field, string Code), string> FieldCodes = new()
    {
        [("sex", "invalid-value")] = "Le sexe doit être M, F ou U.",
        [("birthDate", "invalid-format")] = "Date attendue au format JJ/MM/AAAA (00 pour un jour ou un mois inconnu).",
        [("q", "invalid-format")] = "Date attendue au format JJ/MM/AAAA.",
        [("birthPlaceCode", "invalid-format")] = "Code INSEE attendu sur 5 caractères : département (2 chiffres, 2A ou 2B) et commune, ou 99 et le code d'un pays.",
        [("birthPlaceCode", "unknown-place")] = "Aucune commune ni aucun pays de ce nom : choisissez dans la liste ou saisissez le code INSEE.",
        [("fullName", "too-long")] = "200 caractères au plus.",
        [("fullName", "invalid-character")] = "Caractère non autorisé.",
        [("postcode", "invalid-format")] = "Un code postal compte 2 à 10 lettres ou chiffres.",
        [("phone", "invalid-format")] = "Un numéro de téléphone compte 6 à 20 chiffres.",
        [("email", "invalid-format")] = "Adresse de courriel invalide.",
        [("email", "too-long")] = "200 caractères au plus.",
        [("number", "too-long")] = "64 caractères au plus.",
        [("number", "invalid-character")] = "Caractère non autorisé (caractère de contrôle ou d'inversion du sens d'écriture).",
        [("expires", "invalid-format")] = "Date attendue au format JJ/MM/AAAA.",
        [("type", "required")] = "Choisissez le type de pièce.",
        [("vitaleNumber", "invalid-format")] = "13 caractères attendus (chiffres, 2A ou 2B pour la Corse), sans la clé.",
        [("vitaleHolderNumber", "invalid-format")] = "13 caractères attendus (chiffres, 2A ou 2B pour la Corse), sans la clé.",
        [("vitaleKey", "invalid-format")] = "Une clé compte 2 chiffres.",
        [("vitaleHolderKey", "invalid-format")] = "Une clé compte 2 chiffres.",
        [("vitaleRank", "invalid-format")] = "Le rang de naissance compte 1 à 3 chiffres.",
        [("deathDate", "invalid-date")] = "Date de décès attendue au format JJ/MM/AAAA.",
        [("deathDate", "future-date")] = "La date de décès ne peut pas être dans le futur.",
        [("deathDate", "before-birth")] = "La date de décès ne peut pas précéder la date de naissance.",
    };

    private static readonly Dictionary<string, string> Rules = new()
    {
        ["ins-traits-locked"] = "Les traits stricts d'une identité dont l'INS vient d'INSi sont ceux de l'INS : retirez l'INS avant de les corriger.",
        ["RNIV EXI SI 09"] = "Une identité douteuse ou fictive reste provisoire et ne peut pas être recherchée dans INSi (EXI SI 09).",
        ["RNIV douteuse/fictive"] = "Une identité ne peut pas être à la fois douteuse et fictive.",
        ["INSi sex"] = "Le téléservice INSi exige le sexe M ou F.",
        ["document-types-not-configured"] = "Aucun type de pièce à haut niveau de confiance n'est configuré (Identity:HighTrustDocumentTypes).",
        ["RNIV high-trust document"] = "Ce document n'est pas une pièce à haut niveau de confiance dans cet établissement.",
        ["document-expired"] = "La pièce d'identité est expirée.",
        ["no-ins"] = "Cette identité n'a pas d'INS.",
        ["no-document"] = "Aucun contrôle de pièce d'identité n'est enregistré.",
        ["identity-merged"] = "Cette identité a été fusionnée : travaillez sur l'identité conservée.",
        ["insi-answer-invalid"] = "L'INS renvoyé par le téléservice n'est pas valide : il ne peut pas être accepté.",
        ["insi-traits-invalid"] = "Les traits renvoyés par le téléservice ne respectent pas les règles de l'INS.",
        ["ins-collision"] = "Cet INS appartient déjà à une autre identité : collision potentielle à signaler à la cellule d'identitovigilance.",
        ["insi-different-person"] = "La réponse INSi désigne manifestement une autre personne (sexe, date de naissance ou noms sans rapport) : elle ne peut pas être acceptée à l'accueil. La cellule d'identitovigilance en est saisie.",
        ["collision-pending"] = "La cellule d'identitovigilance examine une collision sur cette réponse INSi : c'est à elle de décider.",
        ["answer-decided"] = "La réponse INSi de ce signalement a déjà fait l'objet d'une décision : interrogez INSi à nouveau.",
        ["no-insi-answer"] = "Aucune réponse INSi n'attend de décision : interrogez INSi d'abord.",
        ["insi-answer-stale"] = "Cette réponse INSi est antérieure à la vérification INSi de l'INS que l'identité détient : interrogez INSi à nouveau.",
        ["insi-different-ins"] = "La réponse INSi donne un INS que son historique ne relie pas à l'INS déjà obtenu d'INSi pour cette identité : la cellule d'identitovigilance en est saisie et décide.",
        ["insi-nir-to-nia"] = "La réponse INSi donne un NIA à une identité qui détient un NIR : un NIR n'est jamais remplacé par un NIA. Signalez-le à la cellule d'identitovigilance.",
        ["probable-duplicate"] = "Un doublon probable existe déjà.",
        ["work-item-resolved"] = "Ce signalement est déjà traité.",
        ["item-changed"] = "Cette paire ou l'une de ses identités vient d'être modifiée par quelqu'un d'autre : rechargez la page.",
        ["work-item-changed"] = "Ce signalement vient d'être modifié par quelqu'un d'autre : rechargez la page.",
        ["concurrent-change"] = "Une autre modification a été enregistrée au même moment : rien n'a été enregistré, rechargez la page et recommencez.",
    };

    public static string Policy(string policy) => policy switch
    {
        Policies.PatientsRead => "Rechercher et consulter les identités, leur historique ; tableau de bord",
        Policies.PatientsWrite => "Créer et corriger les identités",
        Policies.Qualification => "Appels INSi, acceptation ou rejet, pièces d'identité, attributs, retrait d'INS",
        Policies.Duplicates => "File de travail des doublons : examen, fusion, défusion",
        Policies.Subscriptions => "Abonnements des systèmes connectés",
        Policies.Messages => "Messages émis et reçus, rejeux",
        Policies.Jobs => "Tâches de fond",
        Policies.Accounts => "Comptes et rôles",
        Policies.PatientsQuery => "Interrogations d'identités par d'autres systèmes (PDQm, PIXm, $match)",
        Policies.WorkItems => "Signalements des tâches de fond : prise en charge, traitement (chacun selon son type)",
        _ => policy,
    };

    // "profil-marie.curie-role" → "role": the field of one row of a list, for its wording.
    private static string RowField(string field) =>
        field.StartsWith("profil-", StringComparison.Ordinal) && field.LastIndexOf('-') is var dash and > 7 ? field[(dash + 1)..] : field;

    public static string Field(string field)
    {
        if (Fields.TryGetValue(field, out var label))
        {
            return label;
        }
        // A field of one row of a list: "profil-marie.curie-role" is the role of the account marie.curie.
        if (field.StartsWith("profil-", StringComparison.Ordinal) && field.LastIndexOf('-') is var dash and > 7)
        {
            return $"{Field(field[(dash + 1)..])} ({field[7..dash]})";
        }
        return field;
    }

    public static string Message(FieldError error) =>
        error.Code == "ambiguous-place" ? "Plusieurs lieux portent ce nom : choisissez-en un dans la liste ou saisissez son code INSEE ("
            + error.Message[(error.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..].TrimEnd('.') + ")."
        : FieldCodes.TryGetValue((RowField(error.Field), error.Code), out var specific) ? specific
        : Codes.TryGetValue(error.Code, out var generic) ? generic
        : error.Message;

    public static string Message(FieldWarning warning) => Codes.TryGetValue(warning.Code, out var text) ? text : warning.Message;

    public static string Message(DomainRuleException rule) => Rules.TryGetValue(rule.Rule, out var text) ? text : rule.Message;

    /// <summary>The verdict on an INSi answer, as the qualification screen states it.</summary>
    public static string Verdict(Domain.Ins.InsiVerdict verdict) => verdict.Kind switch
    {
        Domain.Ins.InsiVerdictKind.SamePerson => "mêmes traits que l'identité : la réponse peut être acceptée.",
        Domain.Ins.InsiVerdictKind.SpellingOnly => "différences d'orthographe ou de saisie seulement ("
            + string.Join(", ", verdict.Differing.Select(f => Field(f).ToLowerInvariant())) + ") : la réponse peut être acceptée après vérification.",
        Domain.Ins.InsiVerdictKind.DifferentPerson => "il s'agit manifestement d'une autre personne (" + VerdictRule(verdict.Rule)
            + ") : la réponse ne peut pas être acceptée à l'accueil. Rejetez-la ; la cellule d'identitovigilance est saisie.",
        Domain.Ins.InsiVerdictKind.InsHeldElsewhere => "cet INS appartient déjà à une autre identité : collision potentielle, la cellule d'identitovigilance est saisie.",
        _ => "la réponse du téléservice n'est pas valide : elle ne peut pas être acceptée.",
    };

    private static string VerdictRule(string rule) => rule switch
    {
        "sex-differs" => "sexe différent",
        "birth-date-differs" => "date de naissance différente au-delà d'une erreur de saisie",
        "names-unrelated" => "nom et prénoms sans rapport",
        "birth-name-differs" => "nom de naissance sans rapport",
        "first-names-differ" => "prénoms sans rapport",
        _ => rule,
    };

    public static string Sex(string code) => code switch
    {
        "M" => "Masculin",
        "F" => "Féminin",
        "U" => "Indéterminé",
        _ => code,
    };

    /// <summary>PAM FR ZFD-7 identity document codes.</summary>
    public static string Document(string code) => code.ToUpperInvariant() switch
    {
        "PA" => "Passeport",
        "CN" => "Carte nationale d'identité",
        "CS" => "Carte de séjour",
        "IE" => "Identité électronique",
        "AV" => "Appli carte Vitale",
        _ => "Pièce de code " + code, // the other ZFD-7 codes are shown as they are rather than guessed
    };

    public static string Action(string action) => action switch
    {
        "identity.created" => "Création",
        "identity.updated" => "Modification des traits",
        "insi.called" => "Appel INSi",
        "insi.accepted" => "Réponse INSi acceptée",
        "insi.rejected" => "Réponse INSi rejetée",
        "document.checked" => "Pièce d'identité contrôlée",
        "ins.withdrawn" => "INS retiré",
        "attributes.set" => "Attributs modifiés",
        "work-item.in-review" => "Signalement pris en charge",
        "work-item.resolved" => "Signalement traité",
        "identity.seeded" => "Création (jeu d'essai)",
        "identity.imported" => "Création par import",
        "identity.merged" => "Fusionnée dans une autre identité",
        "identity.merged-into" => "Identité conservée lors d'une fusion",
        "identity.unmerged" => "Fusion annulée : identité rétablie",
        "identity.merge-undone" => "Fusion annulée",
        "identity.identifier-added" => "Identifiant d'un autre système ajouté",
        "identity.identifier-changed" => "Identifiant d'un autre système modifié",
        "ins.reverified" => "INS revérifié auprès d'INSi",
        "ins.reverification-failed" => "Échec de la revérification de l'INS",
        "ins.replaced" => "INS remplacé",
        "insi.contradiction-resolved" => "Contradiction avec INSi traitée",
        "account.created" => "Compte créé",
        "account.activated" => "Compte réactivé",
        "account.deactivated" => "Compte désactivé",
        "account.locked" => "Compte verrouillé",
        "account.unlocked" => "Compte déverrouillé",
        "account.signed-in" => "Connexion",
        "account.signed-out" => "Déconnexion",
        "account.sign-in-failed" => "Échec de connexion",
        "account.rpps-linked" => "RPPS associé",
        "account.rpps-unlinked" => "RPPS dissocié",
        "account.psc-refused" => "Connexion Pro Santé Connect refusée",
        "account.profile-changed" => "Nom complet modifié",
        "account.role-changed" => "Rôle modifié",
        "account.password-reset" => "Mot de passe réinitialisé par un administrateur",
        "account.password-changed" => "Mot de passe changé",
        _ when action.StartsWith("query.", StringComparison.Ordinal) => "Consultation par un autre système (" + action["query.".Length..].ToUpperInvariant() + ")",
        _ => "Autre opération",
    };
}
