using IdentityRef.Server.Hosting;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Duplicates;
using IdentityRef.Server.Merges;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Server.Web.Pages.Vigilance;

/// <summary>
/// One item of the queue: both identities side by side (or, for an INSi contradiction, the identity and the INSi answer), the
/// explanation of the score and the decisions (the services of <c>/api/duplicates</c>).
/// </summary>
[Authorize(Policy = Policies.Duplicates)]
public sealed class PaireModel(IdentityRefDbContext db, DuplicateResolution resolution, InsiContradictions contradictions, MergeService merges, IBirthPlaceDirectory places)
    : PageModel
{
    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    [BindProperty] public string? Survivor { get; set; }

    public DuplicateDetailView? Detail { get; private set; }
    public MergeResponse? Merge { get; private set; }
    public WebMessages Messages { get; } = new();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostMergeAsync(CancellationToken cancellationToken)
    {
        if (await FindAsync(cancellationToken) is not { } item)
        {
            return NotFound();
        }
        if (string.IsNullOrWhiteSpace(Survivor))
        {
            Messages.Errors.Add(("survivor", "Choisissez l'identité conservée."));
            return await ShowAsync(cancellationToken);
        }
        if (await DuplicateQueries.SurvivorOfPairAsync(db, item, Survivor, cancellationToken) is not { } survivorId)
        {
            Messages.Errors.Add(("survivor", "L'identité conservée doit être l'une des deux identités de la paire."));
            return await ShowAsync(cancellationToken);
        }
        return await DecideAsync(async () =>
        {
            await resolution.MergeAsync(item, survivorId, HttpActor.From(HttpContext), null, cancellationToken);
            return $"Fusion faite : l'identité {Survivor.Trim()} est conservée.";
        }, cancellationToken);
    }

    public async Task<IActionResult> OnPostNotDuplicateAsync(CancellationToken cancellationToken) =>
        await FindAsync(cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await resolution.NotDuplicateAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return "Paire classée : ce ne sont pas les mêmes personnes. Elle ne sera plus proposée sauf si un trait strict change.";
            }, cancellationToken)
            : NotFound();

    public async Task<IActionResult> OnPostTraitsCorrectedAsync(CancellationToken cancellationToken) =>
        await FindAsync(cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await contradictions.TraitsCorrectedAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return "Contradiction résolue : les traits de l'identité concordent désormais avec la réponse INSi.";
            }, cancellationToken)
            : NotFound();

    public async Task<IActionResult> OnPostOtherPersonAsync(CancellationToken cancellationToken) =>
        await FindAsync(cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                var withdrawn = await contradictions.OtherPersonAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return withdrawn
                    ? "Contradiction résolue : la réponse INSi est une autre personne. L'INS attribué à tort a été supprimé de l'identité."
                    : "Contradiction résolue : la réponse INSi est une autre personne ; elle est rejetée.";
            }, cancellationToken)
            : NotFound();

    /// <summary>The cell takes the INSi answer for this identity despite the verdict: an explicit, audited override whose reason is required.</summary>
    public async Task<IActionResult> OnPostAcceptAnswerAsync(string? comment, CancellationToken cancellationToken)
    {
        if (await FindAsync(cancellationToken) is not { } item)
        {
            return NotFound();
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
        await FindAsync(cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await resolution.LinkAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return "Paire liée : deux dossiers de la même personne, conservés sans fusion.";
            }, cancellationToken)
            : NotFound();

    public async Task<IActionResult> OnPostUnlinkAsync(CancellationToken cancellationToken) =>
        await FindAsync(cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await resolution.UnlinkAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return "Lien supprimé : la paire revient dans la file pour une nouvelle décision.";
            }, cancellationToken)
            : NotFound();

    public async Task<IActionResult> OnPostReviewAsync(CancellationToken cancellationToken) =>
        await FindAsync(cancellationToken) is { } item
            ? await DecideAsync(async () =>
            {
                await resolution.ReviewAsync(item, HttpActor.From(HttpContext), null, cancellationToken);
                return "Paire prise en examen.";
            }, cancellationToken)
            : NotFound();

    public async Task<IActionResult> OnPostUndoAsync(long merge, CancellationToken cancellationToken)
    {
        if (await db.Merges.FirstOrDefaultAsync(m => m.Id == merge, cancellationToken) is not { } found)
        {
            return NotFound();
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
            return Redirect($"/identitovigilance/{Id}");
        }
        catch (DomainRuleException rule)
        {
            // Expected refusals (collision, resolved item, changed survivor): shown on the page, the item as it is now.
            Messages.Errors.Add((null, VigilanceText.Rule(rule)));
            db.ChangeTracker.Clear();
            return await ShowAsync(cancellationToken);
        }
    }

    private Task<DuplicateItem?> FindAsync(CancellationToken cancellationToken) => db.DuplicateItems.FirstOrDefaultAsync(d => d.Id == Id, cancellationToken);

    private async Task<IActionResult> ShowAsync(CancellationToken cancellationToken)
    {
        if (await db.DuplicateItems.AsNoTracking().FirstOrDefaultAsync(d => d.Id == Id, cancellationToken) is not { } item)
        {
            return NotFound();
        }
        Detail = await DuplicateQueries.DetailAsync(db, item, places, contradictions, cancellationToken);
        if (item.MergeId is { } mergeId && await db.Merges.AsNoTracking().FirstOrDefaultAsync(m => m.Id == mergeId, cancellationToken) is { } merge)
        {
            Merge = await MergeEndpoints.ToResponseAsync(db, merge, cancellationToken);
        }
        return Page();
    }
}
