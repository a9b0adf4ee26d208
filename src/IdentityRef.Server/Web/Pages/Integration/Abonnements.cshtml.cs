using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Security;
using IdentityRef.Server.Broadcast;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Integration;

/// <summary>The subscribed systems with their message counts; enable, disable, test the connection.</summary>
[Authorize(Policy = Policies.Subscriptions)]
public sealed class AbonnementsModel(SubscriptionService subscriptions) : PageModel
{
    public IReadOnlyList<SubscriptionWithCounts> Subscriptions { get; private set; } = [];
    public WebMessages Messages { get; } = new();

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        if (TempData["warning"] is string warning)
        {
            Messages.Warnings.Add(warning);
        }
        Subscriptions = await subscriptions.ListAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostEnabledAsync(Guid id, bool enabled, CancellationToken cancellationToken)
    {
        if (await subscriptions.SetEnabledAsync(id, enabled, cancellationToken) is not { } subscription)
        {
            return NotFound();
        }
        TempData["success"] = $"Abonnement {subscription.Name} {(enabled ? "activé : les messages lui sont de nouveau transmis" : "désactivé : ses messages sont conservés")}.";
        return Redirect("/abonnements");
    }

    public async Task<IActionResult> OnPostTestAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await subscriptions.FindAsync(id, cancellationToken) is not { } subscription
            || await subscriptions.TestConnectionAsync(id, cancellationToken) is not { } test)
        {
            return NotFound();
        }
        var target = $"{subscription.Name} ({subscription.Host}:{subscription.Port})";
        if (test.Reachable)
        {
            TempData["success"] = $"Connexion MLLP réussie à {target}.";
        }
        else
        {
            TempData["warning"] = $"Connexion MLLP impossible à {target} — {test.Detail}";
        }
        return Redirect("/abonnements");
    }
}
