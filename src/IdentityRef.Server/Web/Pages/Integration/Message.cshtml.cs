using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Integration;

/// <summary>One outgoing message to read: its state, its identity, its segments field by field (an INS only for a qualified identity).</summary>
[Authorize(Policy = Policies.Messages)]
public sealed class MessageModel(MessageScreens screens) : PageModel
{
    [BindProperty(SupportsGet = true)] public long Id { get; set; }

    public MessageDetail? Detail { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Detail = await screens.DetailAsync(Id, cancellationToken);
        if (Detail is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        return Page();
    }
}
