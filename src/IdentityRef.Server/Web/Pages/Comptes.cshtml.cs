using IdentityRef.Server.Hosting;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Security;
using IdentityRef.Persistence.Accounts;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages;

[Authorize(Policy = Policies.Accounts)]
public sealed class ComptesModel(AccountService accounts) : PageModel
{
    public IReadOnlyList<Account> Accounts { get; private set; } = [];
    public WebMessages Messages { get; } = new();
    public string? UserName { get; private set; }
    public string? Role { get; private set; }

    public bool IsLocked(Account account) => accounts.IsLocked(account);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        Accounts = await accounts.ListAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCreateAsync(string? userName, string? password, string? role, CancellationToken cancellationToken)
    {
        var created = await accounts.CreateAsync(userName, password, role, HttpActor.From(HttpContext), cancellationToken);
        if (!created.IsSuccess)
        {
            Messages.Add(created.Errors);
            (UserName, Role) = (userName, role);
            Accounts = await accounts.ListAsync(cancellationToken);
            return Page();
        }
        TempData["success"] = $"Compte {created.Value.UserName} créé ({created.Value.Role}).";
        return Redirect("/comptes");
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
