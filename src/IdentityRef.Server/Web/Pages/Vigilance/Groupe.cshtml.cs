using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Common;
using IdentityRef.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Vigilance;

/// <summary>
/// One group of the queue: its records side by side, its pairs (each can be declared "pas un doublon", which splits the group),
/// and the merge of the whole group into one survivor in one decision (<see cref="DuplicateGroups.MergeAsync"/>: all or nothing,
/// refused when the group changed since this page was shown).
/// </summary>
[Authorize(Policy = Policies.Duplicates)]
public sealed class GroupeModel(DuplicateGroups groups, DuplicateResolution resolution, VigilanceScreens screens) : PageModel
{
    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    [BindProperty(Name = "survivor")] public string? Survivor { get; set; }

    /// <summary>The group's version as shown (its ETag without the quotes), sent back with the merge.</summary>
    [BindProperty(Name = "version")] public string? Version { get; set; }

    public DuplicateGroupView? Group { get; private set; }
    public WebMessages Messages { get; } = new();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostMergeAsync(string? comment, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Survivor))
        {
            Messages.Errors.Add(("survivor", "Choisissez l'identité conservée."));
            return await ShowAsync(cancellationToken);
        }
        if (comment is { Length: > 500 })
        {
            Messages.Errors.Add(("comment", "500 caractères au plus."));
            return await ShowAsync(cancellationToken);
        }
        if (string.IsNullOrWhiteSpace(Version))
        {
            Messages.Errors.Add((null, "La version du groupe affiché manque : rechargez la page."));
            return await ShowAsync(cancellationToken);
        }
        switch (await groups.MergeAsync(Id, Survivor, $"\"{Version.Trim().Trim('"')}\"", HttpActor.From(HttpContext), string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), cancellationToken))
        {
            case GroupMergeOutcome.Merged merged:
                TempData["success"] = $"Groupe fusionné : {string.Join(", ", merged.Steps.Select(s => s.MergedIpp))} fusionné(s) dans l'identité {merged.SurvivorIpp}, une fusion par dossier, dans cet ordre.";
                return Redirect("/identitovigilance/groupes");
            case GroupMergeOutcome.NotFound:
                TempData["error"] = "Ce groupe n'existe plus : ses paires ont été traitées entre-temps. Rien n'a été fusionné.";
                return Redirect("/identitovigilance/groupes");
            case GroupMergeOutcome.Stale:
                Messages.Errors.Add((null, "Le groupe a changé depuis son affichage (une paire traitée ou trouvée, une identité modifiée) : rien n'a été fusionné. Vérifiez-le tel qu'il est maintenant."));
                break;
            case GroupMergeOutcome.NotAMember:
                Messages.Errors.Add(("survivor", "L'identité conservée doit être l'une des identités du groupe."));
                break;
            case GroupMergeOutcome.Refused refused:
                Messages.Errors.Add((null, $"{Refusal(refused.Rule)} Paire en cause : identités {refused.IppA} et {refused.IppB}. Rien n'a été fusionné."));
                break;
        }
        return await ShowAsync(cancellationToken);
    }

    /// <summary>"Pas un doublon" on one pair of the group: the group is computed again from the pairs left (it may split).</summary>
    public async Task<IActionResult> OnPostNotDuplicateAsync(long item, string? comment, CancellationToken cancellationToken)
    {
        if (await groups.GroupOfAsync(Id, cancellationToken) is not { } group || group.Links.All(l => l.ItemId != item))
        {
            return await ShowAsync(cancellationToken);
        }
        if (string.IsNullOrWhiteSpace(comment) || comment.Trim().Length > 500)
        {
            Messages.Errors.Add(($"motif-{item}", "Indiquez pourquoi ce ne sont pas les mêmes personnes (obligatoire, 500 caractères au plus)."));
            return await ShowAsync(cancellationToken);
        }
        try
        {
            await resolution.NotDuplicateAsync((await screens.ItemAsync(item, cancellationToken))!, HttpActor.From(HttpContext), comment.Trim(), cancellationToken);
        }
        catch (DomainRuleException rule)
        {
            screens.Forget();
            Messages.Errors.Add((null, VigilanceText.Rule(rule)));
            return await ShowAsync(cancellationToken);
        }
        // The group of the pairs left: this one when it still holds, else the group of another of its pairs, else the list.
        foreach (var link in group.Links.Where(l => l.ItemId != item).Prepend(group.Links.First(l => l.ItemId == Id)))
        {
            if (link.ItemId != item && await groups.GroupOfAsync(link.ItemId, cancellationToken) is { } left)
            {
                TempData["success"] = $"Paire n° {item} classée : ce ne sont pas les mêmes personnes. Le groupe est recalculé à partir des paires restantes.";
                return Redirect($"/identitovigilance/groupes/{left.Key}");
            }
        }
        TempData["success"] = $"Paire n° {item} classée : ce ne sont pas les mêmes personnes. Il ne reste plus de groupe.";
        return Redirect("/identitovigilance/groupes");
    }

    public static string Refusal(string rule) => rule switch
    {
        "ins-collision" => "Deux identités du groupe portent des INS différents : ce sont deux personnes, jamais une fusion.",
        "not-duplicate" => "La cellule a déclaré deux identités du groupe « pas un doublon » : scindez le groupe avant de le fusionner.",
        "identities-linked" => "Deux identités du groupe sont liées : deux dossiers d'une même personne gardés séparés. Défaites le lien avant de les fusionner.",
        "item-changed" => "Une paire ou une identité du groupe vient d'être modifiée par quelqu'un d'autre.",
        "qualified-lost" => "La fusion ne garderait aucune identité qualifiée : conservez l'identité qualifiée.",
        "identity-merged" => "L'une des identités du groupe a déjà été fusionnée ailleurs.",
        "item-resolved" => "Une paire du groupe a déjà été traitée.",
        "merge-ins-traits" or "merge-anchored-traits" => "Les traits stricts attestés par un INS ou une pièce d'identité ne peuvent pas être mélangés.",
        _ => "La fusion du groupe est refusée par les règles de fusion.",
    };

    private async Task<IActionResult> ShowAsync(CancellationToken cancellationToken)
    {
        Group = await groups.GroupOfAsync(Id, cancellationToken);
        if (Group is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        return Page();
    }
}
