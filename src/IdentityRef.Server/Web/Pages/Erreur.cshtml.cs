using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages;

/// <summary>The French error page a browser is shown for a status (<see cref="WebErrors"/>); re-executed for any method, so no antiforgery check.</summary>
[IgnoreAntiforgeryToken]
public sealed class ErreurModel : PageModel
{
    public int Code { get; private set; }

    public void OnGet(int code) => Code = code is >= 400 and < 600 ? code : 500;

    public void OnPost(int code) => OnGet(code);
}
