using IdentityRef.Application.Security;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages;

/// <summary>
/// Sign-out is a POST with the antiforgery token, so that no link on another site can end a session. Audited; a
/// Pro Santé Connect session is also ended at PSC (its end-session endpoint, back to the sign-in page).
/// </summary>
public sealed class DeconnexionModel(AccountService accounts, IConfiguration configuration) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var method = User.FindFirst(ProSanteConnect.MethodClaim)?.Value ?? "password";
        if (User.Identity?.Name is { } name)
        {
            await accounts.RecordSignOutAsync(name, method, HttpContext.TraceIdentifier, cancellationToken);
        }
        if (method == ProSanteConnect.Scheme && ProSanteConnect.IsEnabled(configuration))
        {
            // The handler reads the ID token from the session for id_token_hint, then the cookie goes.
            return SignOut(new AuthenticationProperties { RedirectUri = "/connexion" }, ProSanteConnect.Scheme, CookieAuthenticationDefaults.AuthenticationScheme);
        }
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/connexion");
    }
}
