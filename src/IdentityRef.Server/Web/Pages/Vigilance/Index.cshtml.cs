using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using System.Globalization;
using IdentityRef.Domain.Common;
using IdentityRef.Persistence;
using IdentityRef.Server.Duplicates;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Vigilance;

/// <summary>"File de travail": the queue of potential duplicates and collisions (the same query as <c>GET /api/duplicates</c>).</summary>
[Authorize(Policy = Policies.Duplicates)]
public sealed class IndexModel(IdentityRefDbContext db, DuplicateDetection detection) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? State { get; set; } = DuplicateStates.Open;
    [BindProperty(SupportsGet = true)] public string? Kind { get; set; }
    // "p", not "page": "page" is a route value of Razor Pages.
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public PageResponse<DuplicateItemView> Found { get; private set; } = new([], 1, PageSize, 0);
    public WebMessages Messages { get; } = new();
    public CultureInfo French { get; } = CultureInfo.GetCultureInfo("fr-FR");
    public int PageCount => Math.Max(1, (Found.Total + PageSize - 1) / PageSize);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        // An unknown filter in a hand-typed address shows everything rather than an error page.
        var state = DuplicateStates.IsKnown(State) ? State : null;
        var kind = Kind is DuplicateKinds.Duplicate or DuplicateKinds.Collision ? Kind : null;
        State = state ?? "";
        Kind = kind;
        PageNumber = Math.Max(1, PageNumber);
        Found = await DuplicateQueries.QueueAsync(db, state, kind, PageNumber, PageSize, cancellationToken);
    }

    public async Task<IActionResult> OnPostDetectAsync(CancellationToken cancellationToken)
    {
        var summary = await detection.RunIncrementalAsync(cancellationToken);
        TempData["success"] = string.Create(French,
            $"Détection terminée : {summary.Identities} identité(s) examinée(s), {summary.Found} paire(s) trouvée(s), {summary.Created} nouvelle(s), {summary.Reopened} rouverte(s).");
        return Redirect("/identitovigilance");
    }

    public string LinkTo(int page) => "/identitovigilance" + QueryString.Create(Query(page)).ToUriComponent();

    private IEnumerable<KeyValuePair<string, string?>> Query(int page)
    {
        yield return new("state", State ?? "");
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
