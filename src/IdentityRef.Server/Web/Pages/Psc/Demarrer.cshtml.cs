using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Psc;

/// <summary>Starts the Pro Santé Connect sign-in (redirect to PSC with state, nonce, PKCE and acr_values); 404 when PSC is off.</summary>
public sealed class DemarrerModel(IConfiguration configuration) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IActionResult OnGet() => !ProSanteConnect.IsEnabled(configuration)
        ? NotFound()
        : Challenge(new AuthenticationProperties { RedirectUri = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/" }, ProSanteConnect.Scheme);
}
