using IdentityRef.Server.Hosting;
using IdentityRef.Application.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages;

/// <summary>
/// Everyone's own password change. A temporary password (given by an administrator) leads here at sign-in and nothing
/// else opens until it is changed (<c>SecuritySetup</c>). Any signed-in account may come (the fallback policy).
/// </summary>
public sealed class MotDePasseModel(AccountService accounts) : PageModel
{
    public WebMessages Messages { get; } = new();

    /// <summary>Whether the account's password is a temporary one (the page says why it is shown).</summary>
    public bool Temporary { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        Temporary = await accounts.FindAsync(User.Identity!.Name!, cancellationToken) is { MustChangePassword: true };
    }

    public async Task<IActionResult> OnPostAsync(string? currentPassword, string? newPassword, string? confirmation, CancellationToken cancellationToken)
    {
        if (newPassword != confirmation)
        {
            Messages.Add([new Domain.Common.FieldError("confirmation", "mismatch", "The two entries differ.")]);
            Temporary = await accounts.FindAsync(User.Identity!.Name!, cancellationToken) is { MustChangePassword: true };
            return Page();
        }
        var changed = await accounts.ChangePasswordAsync(User.Identity!.Name!, currentPassword, newPassword, HttpActor.From(HttpContext), cancellationToken);
        if (!changed.IsSuccess)
        {
            Messages.Add(changed.Errors);
            Temporary = await accounts.FindAsync(User.Identity!.Name!, cancellationToken) is { MustChangePassword: true };
            return Page();
        }
        TempData[Identites.FichePage.SuccessKey] = "Mot de passe changé.";
        return Redirect("/mot-de-passe");
    }
}
