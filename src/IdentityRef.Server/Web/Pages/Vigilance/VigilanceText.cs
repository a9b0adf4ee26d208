using IdentityRef.Persistence;
using IdentityRef.Application.TraitMatching;

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
        "different" or "distinct" => "différent",
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
        "assigned" => "attribué",
        "forced-creation" => "créée à l'accueil malgré le doublon probable signalé",
        "trait-chosen" => "trait repris de l'autre identité",
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
        "dropped" => "abandonnée (plus d'appel INSi possible)",
        _ => decision,
    };

    /// <summary>The rules a merge or an undo may break, in French; an unknown rule keeps the domain's message.</summary>
    public static string Rule(Domain.Common.DomainRuleException rule) => rule.Rule switch
    {
        "ins-collision" => "Les deux identités portent des INS différents : ce n'est pas un doublon mais une collision potentielle. La fusion est refusée et la paire devient une collision.",
        "survivor-changed" => "L'identité conservée a changé depuis la fusion : la fusion ne peut plus être annulée automatiquement.",
        "item-resolved" => "Cette paire a déjà été traitée.",
        "item-assigned" => "Quelqu'un d'autre a pris cette paire entre-temps ; la liste montre désormais à qui. Pour la reprendre, cliquez de nouveau sur « M'attribuer ».",
        "identity-merged" => "L'une des deux identités a déjà été fusionnée ailleurs.",
        "survivor-merged" => "L'identité conservée a depuis été fusionnée dans une autre : annulez d'abord cette autre fusion.",
        "merge-undone" => "Cette fusion a déjà été annulée.",
        "contradiction-remains" => "Des traits de l'identité contredisent encore la réponse INSi : corrigez-les, ou acceptez la réponse INSi depuis l'écran de qualification, avant de déclarer les traits corrigés.",
        "not-a-pair" => "Cet élément oppose une identité à la réponse INSi : il se résout par « traits corrigés » ou « autre personne », pas par une fusion.",
        "merge-ins-traits" => "L'identité dont l'INS a été obtenu par INSi l'emporte à la fusion : ses traits stricts (nom de naissance, prénoms de naissance, date et lieu de naissance, sexe) sont ceux de l'INS et viennent avec lui. Reprenez-les de ce côté.",
        "merge-anchored-traits" => "Les traits stricts d'une identité dont l'INS vient d'INSi ou qu'une pièce d'identité a validée ne viennent qu'avec cet INS ou cette pièce : on ne peut pas les mélanger avec ceux de l'autre identité. Gardez les traits stricts de l'identité récupérée, validée ou qualifiée (au besoin, conservez-la).",
        "reason-required" => "Indiquez le motif de la décision (500 caractères au plus).",
        "not-an-insi-contradiction" => "Cet élément est une paire d'identités, pas une contradiction INSi.",
        "not-linked" => "Cette paire n'est pas liée : il n'y a pas de lien à supprimer.",
        "pair-changed" => "L'une des deux identités a été modifiée depuis l'affichage de la paire : relisez-la, puis refaites vos choix. Rien n'a été fusionné.",
        "qualified-lost" => "L'identité fusionnée est qualifiée et l'identité conservée est marquée douteuse ou fictive : la fusion ne laisserait aucune identité qualifiée. Conservez l'identité qualifiée, ou levez d'abord le doute.",
        "identities-linked" => "Ces deux identités sont liées : deux dossiers d'une même personne gardés séparés volontairement. Défaites le lien avant de les fusionner.",
        _ => FrenchText.Message(rule),
    };

    /// <summary>The class of an item in words, for a list: "doublon probable", "collision : même INS"…</summary>
    public static string ClassInWords(string kind, string matchClass) => matchClass switch
    {
        "probable" => kind == DuplicateKinds.Collision ? "collision probable" : "doublon probable",
        "possible" => kind == DuplicateKinds.Collision ? "collision possible" : "doublon possible",
        DuplicateClasses.SameIns => "même INS sur deux identités",
        DuplicateClasses.InsiContradiction => "traits INSi contradictoires",
        _ => Class(matchClass),
    };

    public static string Age(string age) => age switch
    {
        Application.Duplicates.QueueAges.Day => "trouvés depuis moins de 24 heures",
        Application.Duplicates.QueueAges.Week => "trouvés depuis moins de 7 jours",
        Application.Duplicates.QueueAges.OverWeek => "en attente depuis plus de 7 jours",
        Application.Duplicates.QueueAges.OverMonth => "en attente depuis plus de 30 jours",
        _ => age,
    };

    public static string Sort(string sort) => sort switch
    {
        Application.Duplicates.QueueSorts.Score => "score le plus élevé d'abord",
        Application.Duplicates.QueueSorts.Oldest => "les plus anciens d'abord",
        Application.Duplicates.QueueSorts.Recent => "modifiés récemment d'abord",
        Application.Duplicates.QueueSorts.Name => "nom de naissance (A → Z)",
        _ => sort,
    };

    /// <summary>
    /// A compared trait in plain words: identique, variante d'orthographe, jour et mois inversés, différent, absent d'un côté,
    /// absent des deux côtés.
    /// </summary>
    public static string Verdict(Application.TraitMatching.TraitExplanation t)
    {
        if (t.LevelName == "Missing")
        {
            return string.IsNullOrWhiteSpace(t.ValueA) && string.IsNullOrWhiteSpace(t.ValueB) ? "absent des deux côtés" : "absent d'un côté";
        }
        return t.LevelName switch
        {
            "Exact" => "identique",
            "Phonetic" => "variante d'orthographe (même prononciation)",
            "Close" => "variante d'orthographe (faute de frappe)",
            "Similar" => "variante d'orthographe (semblable)",
            "Contained" => "l'un contient l'autre (prénom en plus ou en moins)",
            "CompoundPart" => "partie d'un nom composé",
            "BirthUsedCrossed" => "nom de naissance d'un côté, nom d'usage de l'autre",
            "TwoOfThreeParts" => "deux éléments sur trois identiques (jour, mois, année)",
            "OneDigit" => "un chiffre diffère (faute de frappe)",
            "DayMonthSwapped" => "jour et mois inversés",
            "SameDepartment" => "même département, commune différente",
            "SameArea" => "même zone postale",
            "Different" => "différent",
            _ => "niveau d'accord non décrit",
        };
    }

    /// <summary>A value of the explanation as stored by the matcher, in French ("(used: X)" is the used name or first name).</summary>
    public static string Value(string trait, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "—";
        }
        if (trait == "sex")
        {
            return FrenchText.Sex(value);
        }
        if (trait == "birthDate" && DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
        {
            return FrenchFormat.Date(date);
        }
        var label = trait == "firstNames" ? "prénom d'usage" : "nom d'usage";
        return System.Text.RegularExpressions.Regex.Replace(value, @" \(used: (.*)\)$", m => $" ({label} : {m.Groups[1].Value})");
    }

    /// <summary>The rules that held a pair back to "possible", in French (the matcher writes a code and an English reason).</summary>
    public static string Reason(string reason) => reason.Split(':', 2)[0] switch
    {
        "DifferentIns" => "Deux INS différents : ce sont deux personnes.",
        "BirthDatesDiffer" => "Les dates de naissance diffèrent : des homonymes ou un parent et son enfant partagent un nom, pas une date de naissance. La paire reste « possible ».",
        "FirstNamesDiffer" => "Les prénoms diffèrent : des jumeaux ou des frères et sœurs partagent un nom et souvent une date, pas un prénom. La paire reste « possible ».",
        "SexAndFirstNamesDiffer" => "Le sexe et le prénom diffèrent : des jumeaux de sexe opposé reçoivent des prénoms proches (LOUIS, LOUISE). La paire reste « possible ».",
        "BirthNamesDiffer" => "Les noms de naissance ne concordent ni par l'orthographe, ni par le son, ni par une partie, ni avec le nom d'usage. La paire reste « possible ».",
        _ => "Une règle de prudence a retenu la paire en « possible ».",
    };

    /// <summary>The details of a decision recorded on an item, in French (a detection's class, a reopening's reason, a trait taken).</summary>
    public static string? DecisionDetail(string action, string? detail)
    {
        if (detail is null)
        {
            return null;
        }
        if (action == "detected" && detail.Split(' ', 2) is [var kind, var matchClass])
        {
            return ClassInWords(kind, matchClass);
        }
        if (action == "trait-chosen" && detail.Split(' ', 2) is [var trait, var ipp])
        {
            return $"{Trait(trait)} de l'identité {ipp}";
        }
        if (action == "forced-creation"
            && System.Text.RegularExpressions.Regex.Match(detail, @"^identity (\S+) created past the probable duplicate (\S+)") is { Success: true } forced)
        {
            return $"identité {forced.Groups[1].Value} créée alors que {forced.Groups[2].Value} était proposée";
        }
        if (action == "merge-refused" && detail == "ins-collision")
        {
            return "deux INS différents";
        }
        return detail switch
        {
            "the merge was undone" => "la fusion a été annulée",
            "the link was undone" => "le lien a été supprimé",
            "found again" => "trouvée de nouveau par la détection",
            "a strict trait changed since the decision" => "un trait strict a changé depuis la décision",
            "one identity was merged" => "l'une des identités a été fusionnée",
            "no longer detected" => "plus détectée",
            _ => detail,
        };
    }

    /// <summary>A number in an SVG attribute (a point, never a comma).</summary>
    public static string Svg(double value) => value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Who took a decision: a person's account name, or the system's work in words.</summary>
    public static string Actor(string by) => by switch
    {
        "system:detection" => "détection automatique",
        "system:merge" => "système (suite à une fusion)",
        _ when by.StartsWith("system:", StringComparison.Ordinal) => "système",
        _ => by,
    };
}
