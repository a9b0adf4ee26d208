using IdentityRef.Server.Hosting;
using IdentityRef.Application.Security;
using IdentityRef.Persistence.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages;

/// <summary>
/// The administrators' accounts page: create (with a temporary password the person changes at the first sign-in),
/// full name and role, password reset (a new temporary password, shown once), RPPS, lock and activation. Every change
/// is audited by <see cref="AccountService"/>.
/// </summary>
[Authorize(Policy = Policies.Accounts)]
public sealed class ComptesModel(AccountService accounts) : PageModel
{
    public IReadOnlyList<Account> Accounts { get; private set; } = [];
    public WebMessages Messages { get; } = new();
    public string? UserName { get; private set; }
    public string? FullName { get; private set; }
    public string? Role { get; private set; }

    /// <summary>The temporary password a reset just gave, shown on this answer only (never stored in clear, never redirected through a cookie).</summary>
    public (string UserName, string Password)? Temporary { get; private set; }

    /// <summary>The account whose profile form was refused, with its errors.</summary>
    public string? ProfileErrorFor { get; private set; }

    public bool IsLocked(Account account) => accounts.IsLocked(account);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        Accounts = await accounts.ListAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCreateAsync(string? userName, string? fullName, string? password, string? role, CancellationToken cancellationToken)
    {
        var created = await accounts.CreateAsync(userName, password, role, HttpActor.From(HttpContext), cancellationToken, fullName, temporaryPassword: true);
        if (!created.IsSuccess)
        {
            Messages.Add(created.Errors);
            (UserName, FullName, Role) = (userName, fullName, role);
            Accounts = await accounts.ListAsync(cancellationToken);
            return Page();
        }
        TempData["success"] = $"Compte {created.Value.UserName} créé ({created.Value.Role}) : le mot de passe provisoire devra être changé à la première connexion.";
        return Redirect("/comptes");
    }

    /// <summary>Full name and role of an account.</summary>
    public async Task<IActionResult> OnPostProfileAsync(string userName, string? fullName, string? role, CancellationToken cancellationToken)
    {
        var updated = await accounts.UpdateProfileAsync(userName, fullName, role, HttpActor.From(HttpContext), cancellationToken);
        if (updated is not { } result)
        {
            return NotFound();
        }
        if (!result.IsSuccess)
        {
            Messages.Add(result.Errors.Select(e => e with { Field = "profil-" + userName + "-" + e.Field }));
            ProfileErrorFor = userName;
            Accounts = await accounts.ListAsync(cancellationToken);
            return Page();
        }
        TempData["success"] = $"Compte {userName} enregistré ({result.Value.Role}).";
        return Redirect("/comptes");
    }

    /// <summary>A new temporary password for an account, shown once on this page.</summary>
    public async Task<IActionResult> OnPostResetAsync(string userName, CancellationToken cancellationToken)
    {
        if (await accounts.ResetPasswordAsync(userName, HttpActor.From(HttpContext), cancellationToken) is not { } temporary)
        {
            return NotFound();
        }
        Temporary = (userName, temporary);
        Accounts = await accounts.ListAsync(cancellationToken);
        return Page();
    }

    /// <summary>Links the RPPS a professional signs in with through Pro Santé Connect (empty: unlinks it).</summary>
    public async Task<IActionResult> OnPostRppsAsync(string userName, string? rpps, CancellationToken cancellationToken)
    {
        var linked = await accounts.LinkRppsAsync(userName, rpps, HttpActor.From(HttpContext), cancellationToken);
        if (linked is not { } result)
        {
            return NotFound();
        }
        if (!result.IsSuccess)
        {
            TempData["error"] = $"Compte {userName} : " + string.Join(" ", result.Errors.Select(e => e.Message));
            return Redirect("/comptes");
        }
        TempData["success"] = result.Value.Rpps is { } number ? $"RPPS {number} associé au compte {userName}." : $"Le compte {userName} n'a plus de RPPS associé.";
        return Redirect("/comptes");
    }

    public async Task<IActionResult> OnPostUnlockAsync(string userName, CancellationToken cancellationToken)
    {
        await accounts.UnlockAsync(userName, HttpActor.From(HttpContext), cancellationToken);
        TempData["success"] = $"Compte {userName} déverrouillé.";
        return Redirect("/comptes");
    }

    public async Task<IActionResult> OnPostActiveAsync(string userName, bool active, CancellationToken cancellationToken)
    {
        if (userName == User.Identity?.Name)
        {
            return Redirect("/comptes"); // an administrator cannot lock themself out
        }
        await accounts.SetActiveAsync(userName, active, HttpActor.From(HttpContext), cancellationToken);
        TempData["success"] = $"Compte {userName} {(active ? "réactivé" : "désactivé")}.";
        return Redirect("/comptes");
    }
}
