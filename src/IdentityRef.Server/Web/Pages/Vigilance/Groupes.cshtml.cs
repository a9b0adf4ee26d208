using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Vigilance;

/// <summary>
/// "Groupes": the open pairs of the queue joined into groups (records of one person often come in threes), the strongest weakest
/// link first, each with its people at a glance; a group opens on <see cref="GroupeModel"/>, where it is merged or split.
/// </summary>
[Authorize(Policy = Policies.Duplicates)]
public sealed class GroupesModel(DuplicateGroups groups) : PageModel
{
    public const int PageSize = 50;

    // "p", not "page": "page" is a route value of Razor Pages.
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    /// <summary>The smallest group shown: 2 (every group) or 3 (three records or more).</summary>
    [BindProperty(SupportsGet = true, Name = "taille")] public int MinSize { get; set; } = 2;

    public PageResponse<DuplicateGroupSummary> Found { get; private set; } = new([], 1, PageSize, 0);
    public WebMessages Messages { get; } = new();
    public int PageCount => Math.Max(1, (Found.Total + PageSize - 1) / PageSize);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        PageNumber = Math.Clamp(PageNumber, 1, 100_000);
        MinSize = Math.Clamp(MinSize, 2, 1000);
        Found = await groups.ListAsync(PageNumber, PageSize, MinSize, cancellationToken);
    }

    public string LinkTo(int page) => $"/identitovigilance/groupes?taille={MinSize}&p={page}";
}
