using IdentityRef.Server.Hosting;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Jobs;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using IdentityRef.Application.WorkItems;
using System.Globalization;
using IdentityRef.Domain.Common;
using IdentityRef.Persistence;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Security;
using IdentityRef.Server.WorkItems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Operations;

/// <summary>
/// "Signalements": the work items the jobs raise, of the kinds the user's role handles (the same queue as
/// <c>/api/work-items</c>), with "Prendre en charge" and "Marquer comme traité" (a comment says what was done).
/// </summary>
[Authorize(Policy = Policies.WorkItems)]
public sealed class SignalementsModel(WorkItemQueue queue, IAuthorizationService authorization) : PageModel
{
    public const int PageSize = 50;

    /// <summary>Empty: what is left to do (open and taken); else one state.</summary>
    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty(SupportsGet = true)] public string? Kind { get; set; }
    // "p", not "page": "page" is a route value of Razor Pages.
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public PageResponse<WorkItemView> Found { get; private set; } = new([], 1, PageSize, 0);
    public IReadOnlyList<string> Kinds { get; private set; } = [];
    public WebMessages Messages { get; } = new();
    public CultureInfo French { get; } = CultureInfo.GetCultureInfo("fr-FR");
    public int PageCount => Math.Max(1, (Found.Total + PageSize - 1) / PageSize);

    /// <summary>The item whose comment was refused, and the comment typed, to show them again.</summary>
    public (long Id, string? Comment, string Error)? Refused { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        var access = await WorkItemAccessOf.UserAsync(authorization, User);
        Kinds = WorkItemKinds.All.Where(access.Allows).ToList();
        // An unknown filter in a hand-typed address shows the default list rather than an error page.
        State = WorkItemQueue.IsKnownState(State) ? State : "";
        Kind = Kind is not null && Kinds.Contains(Kind) ? Kind : null;
        PageNumber = Math.Max(1, PageNumber);
        Found = await queue.ListAsync(access, State is { Length: > 0 } state ? [state] : WorkItemQueue.Unresolved, Kind, PageNumber, PageSize, cancellationToken);
    }

    public Task<IActionResult> OnPostReviewAsync(long id, CancellationToken cancellationToken) =>
        ActAsync(id, resolving: false, null, (item, actor) => queue.ReviewAsync(item, actor, cancellationToken), "pris en charge", cancellationToken);

    public Task<IActionResult> OnPostResolveAsync(long id, string? comment, CancellationToken cancellationToken) =>
        ActAsync(id, resolving: true, comment, (item, actor) => queue.ResolveAsync(item, actor, comment!, cancellationToken), "marqué comme traité", cancellationToken);

    private async Task<IActionResult> ActAsync(long id, bool resolving, string? comment, Func<WorkItem, Actor, Task> act, string done, CancellationToken cancellationToken)
    {
        if (await queue.FindAsync(id, cancellationToken) is not { } item)
        {
            return NotFound();
        }
        if (!(await WorkItemAccessOf.UserAsync(authorization, User)).Allows(item.Kind))
        {
            return Forbid();
        }
        if (resolving && WorkItemQueue.CheckComment(comment) is { } error)
        {
            var text = error.Code == "required" ? "indiquez ce qui a été fait (le commentaire est obligatoire)." : $"le commentaire dépasse {WorkItem.ResolutionMaxLength} caractères.";
            Refused = (id, comment, text);
            Messages.Errors.Add((null, $"Signalement n° {id} : {text}"));
            await OnGetAsync(cancellationToken);
            return Page();
        }
        try
        {
            await act(item, HttpActor.From(HttpContext));
        }
        catch (DomainRuleException rule)
        {
            Messages.Add(rule);
            await OnGetAsync(cancellationToken);
            return Page();
        }
        TempData["success"] = $"Signalement n° {id} {done}.";
        return Redirect(LinkTo(PageNumber));
    }

    public string LinkTo(int page) => "/signalements" + QueryString.Create(Query(page)).ToUriComponent();

    private IEnumerable<KeyValuePair<string, string?>> Query(int page)
    {
        if (State is { Length: > 0 })
        {
            yield return new("state", State);
        }
        if (Kind is { Length: > 0 })
        {
            yield return new("kind", Kind);
        }
        if (page > 1)
        {
            yield return new("p", page.ToString(CultureInfo.InvariantCulture));
        }
    }
}
