using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Common;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Vigilance;

/// <summary>
/// One item of the queue: the decision bar first (merge trait by trait, "pas un doublon" with its reason, "paire suivante"),
/// both identities side by side with each trait explained in words and its weight on a scale (or, for an INSi contradiction,
/// the identity and the INSi answer), the decisions. The reads are <see cref="VigilanceScreens"/>'s, the decisions the services
/// of <c>/api/duplicates</c>.
/// </summary>
[Authorize(Policy = Policies.Duplicates)]
public sealed class PaireModel(VigilanceScreens screens, DuplicateResolution resolution, InsiContradictions contradictions, MergeService merges)
    : QueueFilterPage
{
    /// <summary>The prefix of a trait's choice in the merge form: <c>t-birthName=A</c>.</summary>
    public const string TraitPrefix = "t-";

    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    [BindProperty] public string? Survivor { get; set; }

    /// <summary>The pair as the page showed it (<see cref="DuplicateDetailView.ETag"/>): a merge posted from a page read before another change is refused.</summary>
    [BindProperty] public string? PairTag { get; set; }

    public PairScreen? Screen { get; private set; }
    public DuplicateDetailView? Detail => Screen?.Detail;
    public MergeResponse? Merge => Screen?.Merge;
    public WebMessages Messages { get; } = new();

    /// <summary>The trait choices posted back (trait → "A" or "B"), to show them again after a refusal.</summary>
    public IReadOnlyDictionary<string, string> Choices { get; private set; } = new Dictionary<string, string>();

    /// <summary>The current filter as an address suffix (links back to the queue and onwards).</summary>
    public string FilterSuffix => QueryString.Create(FilterQuery(1)).ToUriComponent();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostMergeAsync(CancellationToken cancellationToken)
    {
        if (await screens.ItemAsync(Id, cancellationToken) is not { } item)
        {
            return Missing();
        }
        Choices = Request.Form.Keys.Where(k => k.StartsWith(TraitPrefix, StringComparison.Ordinal))
            .ToDictionary(k => k[TraitPrefix.Length..], k => Request.Form[k].ToString());
        if (string.IsNullOrWhiteSpace(Survivor))
        {
            Messages.Errors.Add(("survivor", "Choisissez l'identité conservée."));
            return await ShowAsync(cancellationToken);
        }
        if (await screens.SurvivorOfPairAsync(item, Survivor, cancellationToken) is not { } survivorId)
        {
            Messages.Errors.Add(("survivor", "L'identité conservée doit être l'une des deux identités de la paire."));
            return await ShowAsync(cancellationToken);
        }
        if (Choices.FirstOrDefault(c => !MergeTraits.All.Contains(c.Key) || c.Value is not ("A" or "B")) is { Key: not null } odd)
        {
            Messages.Errors.Add((null, $"Choix de trait non reconnu ({odd.Key}) : rechargez la page."));
            return await ShowAsync(cancellationToken);
        }
        var survivorSide = survivorId == item.IdentityA ? "A" : "B";
        var fromMerged = MergeTraits.All.Where(t => Choices.TryGetValue(t, out var side) && side != survivorSide).ToList();
        return await DecideAsync(async () =>
        {
            await resolution.MergeAsync(item, survivorId, HttpActor.From(HttpContext), null, cancellationToken, fromMerged, shownTag: PairTag ?? "");
            return fromMerged.Count == 0
                ? $"Fusion faite : l'identité {Survivor.Trim()} est conservée. Ses traits sont gardés."
                : $"Fusion faite : l'identité {Survivor.Trim()} est conservée. Repris de l'autre identité : {string.Join(", ", fromMerged.Select(VigilanceText.Trait).Select(t => t.ToLowerInvariant()))}.";
        }, cancellationToken);
    }

    public async Task<IActionResult> OnPostNotDuplicateAsync(string? comment, CancellationToken cancellationToken)
    {
        if (await screens.ItemAsync(Id, cancellationToken) is not { } item)
        {
            return Missing();
        }
        if (string.IsNullOrWhiteSpace(comment) || comment.Trim().Length > 500)
        {
            Messages.Errors.Add(("comment", "Indiquez pourquoi ce ne sont pas les mêmes personnes (obligatoire, 500 caractères au plus)."));
            return await ShowAsync(cancellationToken);
        }
        return await DecideAsync(async () =>
        {
            await resolution.NotDuplicateAsync(item, HttpActor.From(HttpContext), comment.Trim(), cancellationToken);
            return "Paire classée : ce ne sont pas les mêmes personnes. Elle ne sera plus proposée sauf si un trait strict change.";
        }, cancellationToken);
    }

    /// <summary>"M'attribuer"; <paramref name="shown"/> is who had the pair on the page (empty: nobody).</summary>
    public async Task<IActionResult> OnPostAssignAsync(string? shown, CancellationToken cancellationToken) =>
        await screens.ItemAsync(Id, cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await resolution.AssignAsync(item, HttpActor.From(HttpContext), UserName, string.IsNullOrEmpty(shown) ? null : shown, cancellationToken);
                return $"Paire attribuée à {UserName}.";
            }, cancellationToken)
            : Missing();

    /// <summary>"Paire suivante": the next pair of the filter that nobody has, assigned to me and opened; the queue when none is left.</summary>
    public async Task<IActionResult> OnPostNextAsync(CancellationToken cancellationToken)
    {
        if (await screens.NextUnassignedAsync(Filter(), Id, cancellationToken) is not { } next || await screens.ItemAsync(next, cancellationToken) is not { } item)
        {
            TempData["success"] = "Aucune autre paire libre dans ce filtre : tout est attribué ou traité.";
            return Redirect(LinkTo(1));
        }
        try
        {
            await resolution.AssignAsync(item, HttpActor.From(HttpContext), UserName, shownAssignee: null, cancellationToken);
        }
        catch (DomainRuleException rule)
        {
            TempData["error"] = VigilanceText.Rule(rule);
            return Redirect(LinkTo(1));
        }
        return Redirect($"/identitovigilance/{next}{FilterSuffix}");
    }

    public async Task<IActionResult> OnPostTraitsCorrectedAsync(CancellationToken cancellationToken) =>
        await screens.ItemAsync(Id, cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await contradictions.TraitsCorrectedAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return "Contradiction résolue : les traits de l'identité concordent désormais avec la réponse INSi.";
            }, cancellationToken)
            : Missing();

    public async Task<IActionResult> OnPostOtherPersonAsync(CancellationToken cancellationToken) =>
        await screens.ItemAsync(Id, cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                var withdrawn = await contradictions.OtherPersonAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return withdrawn
                    ? "Contradiction résolue : la réponse INSi est une autre personne. L'INS attribué à tort a été supprimé de l'identité."
                    : "Contradiction résolue : la réponse INSi est une autre personne ; elle est rejetée.";
            }, cancellationToken)
            : Missing();

    /// <summary>The cell takes the INSi answer for this identity despite the verdict: an explicit, audited override whose reason is required.</summary>
    public async Task<IActionResult> OnPostAcceptAnswerAsync(string? comment, CancellationToken cancellationToken)
    {
        if (await screens.ItemAsync(Id, cancellationToken) is not { } item)
        {
            return Missing();
        }
        if (string.IsNullOrWhiteSpace(comment) || comment.Length > 500)
        {
            Messages.Errors.Add(("comment", "Indiquez pourquoi la cellule retient cette réponse (pièces vérifiées, ce qui explique les différences), en 500 caractères au plus."));
            return await ShowAsync(cancellationToken);
        }
        return await DecideAsync(async () =>
        {
            await contradictions.AcceptAnswerAsync(item, HttpActor.From(HttpContext), comment.Trim(), cancellationToken);
            return "Réponse INSi retenue par la cellule : les traits de l'INS remplacent les traits stricts ; contrôlez la pièce d'identité pour qualifier l'identité.";
        }, cancellationToken);
    }

    public async Task<IActionResult> OnPostLinkAsync(CancellationToken cancellationToken) =>
        await screens.ItemAsync(Id, cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await resolution.LinkAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return "Paire liée : deux dossiers de la même personne, conservés sans fusion.";
            }, cancellationToken)
            : Missing();

    public async Task<IActionResult> OnPostUnlinkAsync(CancellationToken cancellationToken) =>
        await screens.ItemAsync(Id, cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await resolution.UnlinkAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return "Lien supprimé : la paire revient dans la file pour une nouvelle décision.";
            }, cancellationToken)
            : Missing();

    public async Task<IActionResult> OnPostReviewAsync(CancellationToken cancellationToken) =>
        await screens.ItemAsync(Id, cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await resolution.ReviewAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return "Paire prise en examen.";
            }, cancellationToken)
            : Missing();

    public async Task<IActionResult> OnPostUndoAsync(long merge, CancellationToken cancellationToken)
    {
        if (await screens.MergeAsync(merge, cancellationToken) is not { } found)
        {
            return Missing();
        }
        return await DecideAsync(async () =>
        {
            await merges.UndoAsync(found, HttpActor.From(HttpContext), cancellationToken);
            return "Fusion annulée : les deux identités sont rétablies telles qu'elles étaient.";
        }, cancellationToken);
    }

    private async Task<IActionResult> DecideAsync(Func<Task<string>> decide, CancellationToken cancellationToken)
    {
        try
        {
            TempData["success"] = await decide();
            return Redirect($"/identitovigilance/{Id}{FilterSuffix}");
        }
        catch (DomainRuleException rule)
        {
            // Expected refusals (collision, resolved item, changed survivor, a trait an INS rule forbids): shown on the page, the item as it is now.
            Messages.Errors.Add((null, VigilanceText.Rule(rule)));
            screens.Forget();
            return await ShowAsync(cancellationToken);
        }
    }

    private async Task<IActionResult> ShowAsync(CancellationToken cancellationToken)
    {
        Screen = await screens.PairAsync(Id, cancellationToken);
        return Screen is null ? Missing() : Page();
    }

    /// <summary>An unknown item: the page says so in French, with the status 404 (never the API's JSON).</summary>
    private PageResult Missing()
    {
        Screen = null;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
