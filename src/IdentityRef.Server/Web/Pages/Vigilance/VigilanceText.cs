using IdentityRef.Persistence;

namespace IdentityRef.Server.Web.Pages.Vigilance;

/// <summary>French wording of the work queue: states, kinds, resolutions, decisions, match levels and the rules of a merge.</summary>
public static class VigilanceText
{
    public static string State(string state) => state switch
    {
        DuplicateStates.Open => "ouvert",
        DuplicateStates.InReview => "en cours d'examen",
        DuplicateStates.Resolved => "résolu",
        _ => state,
    };

    public static string Kind(string kind) => kind switch
    {
        DuplicateKinds.Duplicate => "doublon",
        DuplicateKinds.Collision => "collision",
        _ => kind,
    };

    public static string Resolution(string? resolution) => resolution switch
    {
        null => "—",
        DuplicateResolutions.Merged => "fusionnées",
        DuplicateResolutions.NotDuplicate => "pas un doublon",
        DuplicateResolutions.Obsolete => "sans objet",
        DuplicateResolutions.TraitsCorrected => "traits corrigés",
        DuplicateResolutions.OtherPerson => "autre personne",
        DuplicateResolutions.AnswerAccepted => "réponse INSi retenue par la cellule",
        DuplicateResolutions.Linked => "liées",
        _ => resolution,
    };

    public static string Class(string matchClass) => matchClass switch
    {
        "probable" => "probable",
        "possible" => "possible",
        "different" => "différent",
        DuplicateClasses.SameIns => "même INS",
        DuplicateClasses.InsiContradiction => "traits INSi contradictoires",
        _ => matchClass,
    };

    public static string Trait(string trait) => trait switch
    {
        "birthPlace" => "Lieu de naissance",
        _ => FrenchText.Fields.TryGetValue(trait, out var label) ? label : trait,
    };

    /// <summary>The agreement levels of the matcher (<c>TraitLevels</c> names); an unknown level keeps its name.</summary>
    public static string Level(string level) => level switch
    {
        "Missing" => "absent d'un côté",
        "Different" => "différent",
        "Exact" => "identique",
        "Phonetic" => "même prononciation",
        "Close" => "proche (faute de frappe)",
        "Similar" => "semblable",
        "Contained" => "l'un contient l'autre",
        "CompoundPart" => "partie d'un nom composé",
        "BirthUsedCrossed" => "nom de naissance et nom utilisé croisés",
        "TwoOfThreeParts" => "deux parties sur trois",
        "OneDigit" => "un chiffre diffère",
        "DayMonthSwapped" => "jour et mois inversés",
        "SameDepartment" => "même département",
        "SameArea" => "même zone postale",
        _ => level,
    };

    public static string Decision(string action) => action switch
    {
        "detected" => "détecté",
        "in-review" => "pris en examen",
        "merge-refused" => "fusion refusée",
        "reopened" => "rouvert",
        "detected-again" => "constaté de nouveau",
        "insi-same-ins" => "INSi a renvoyé l'INS de l'autre identité",
        DuplicateResolutions.Merged => "fusionné",
        DuplicateResolutions.NotDuplicate => "pas un doublon",
        DuplicateResolutions.Obsolete => "sans objet",
        DuplicateResolutions.TraitsCorrected => "traits corrigés",
        DuplicateResolutions.OtherPerson => "autre personne",
        DuplicateResolutions.AnswerAccepted => "réponse INSi retenue par la cellule",
        DuplicateResolutions.Linked => "lié",
        "unlinked" => "délié",
        _ => action,
    };

    /// <summary>The INSi operation of a call.</summary>
    public static string Operation(string operation) => operation switch
    {
        "search" => "recherche par traits",
        "vitale" => "recherche par carte Vitale",
        "verify" => "vérification",
        _ => operation,
    };

    /// <summary>The decision taken on an INSi answer.</summary>
    public static string CallDecision(string decision) => decision switch
    {
        "accepted" => "acceptée",
        "rejected" => "rejetée",
        _ => decision,
    };

    /// <summary>The rules a merge or an undo may break, in French; an unknown rule keeps the domain's message.</summary>
    public static string Rule(Domain.Common.DomainRuleException rule) => rule.Rule switch
    {
        "ins-collision" => "Les deux identités portent des INS différents : ce n'est pas un doublon mais une collision potentielle. La fusion est refusée et la paire devient une collision.",
        "survivor-changed" => "L'identité conservée a changé depuis la fusion : la fusion ne peut plus être annulée automatiquement.",
        "item-resolved" => "Cette paire a déjà été traitée.",
        "identity-merged" => "L'une des deux identités a déjà été fusionnée ailleurs.",
        "survivor-merged" => "L'identité conservée a depuis été fusionnée dans une autre : annulez d'abord cette autre fusion.",
        "merge-undone" => "Cette fusion a déjà été annulée.",
        "contradiction-remains" => "Des traits de l'identité contredisent encore la réponse INSi : corrigez-les, ou acceptez la réponse INSi depuis l'écran de qualification, avant de déclarer les traits corrigés.",
        "not-a-pair" => "Cet élément oppose une identité à la réponse INSi : il se résout par « traits corrigés » ou « autre personne », pas par une fusion.",
        "not-an-insi-contradiction" => "Cet élément est une paire d'identités, pas une contradiction INSi.",
        "not-linked" => "Cette paire n'est pas liée : il n'y a pas de lien à supprimer.",
        _ => FrenchText.Message(rule),
    };
}
