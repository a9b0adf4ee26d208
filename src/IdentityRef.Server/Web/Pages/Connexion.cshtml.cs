using IdentityRef.Application.Security;
using System.Globalization;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Web.Pages;

public sealed class ConnexionModel(AccountService accounts, TimeProvider clock, IOptions<SecurityOptions> security, IConfiguration configuration) : PageModel
{
    public bool LocalPasswords => security.Value.LocalPasswords;

    public bool ProSanteConnect => Security.ProSanteConnect.IsEnabled(configuration);

    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    /// <summary>No account exists yet (a first start): the page says how to create the first administrator.</summary>
    public bool NoAccount { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => NoAccount = !await accounts.AnyAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await accounts.SignInAsync(UserName, Password, HttpContext.TraceIdentifier, cancellationToken);
        switch (result.Outcome)
        {
            case SignInOutcome.Success:
                await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, SecuritySetup.PrincipalOf(result.Account!));
                if (result.Account!.MustChangePassword)
                {
                    return Redirect("/mot-de-passe"); // a temporary password is changed first
                }
                // Only a local path: an absolute return URL would be an open redirect.
                return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
            case SignInOutcome.PasswordsDisabled:
                Error = "La connexion par mot de passe est désactivée : utilisez Pro Santé Connect.";
                break;
            case SignInOutcome.LockedOut:
                Error = "Compte verrouillé après plusieurs échecs : réessayez après "
                    + FrenchFormat.Time(result.LockedUntil!.Value, clock) + " ou demandez à un administrateur de le déverrouiller.";
                break;
            default:
                Error = "Identifiant ou mot de passe incorrect.";
                break;
        }
        Password = null;
        NoAccount = !await accounts.AnyAsync(cancellationToken);
        return Page();
    }
}
