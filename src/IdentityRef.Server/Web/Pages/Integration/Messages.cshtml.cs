using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Broadcast;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Integration;

/// <summary>The message monitor (the same query as <c>GET /api/messages</c>) and the resend.</summary>
[Authorize(Policy = Policies.Messages)]
public sealed class MessagesModel(MessageService messages, SubscriptionService subscriptions) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Subscription { get; set; }
    // "p", not "page": "page" is a route value of Razor Pages.
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public MessagePage Found { get; private set; } = new([], 1, PageSize, 0);
    public IReadOnlyDictionary<Guid, string> SubscriptionNames { get; private set; } = new Dictionary<Guid, string>();
    public WebMessages Messages { get; } = new();

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        SubscriptionNames = (await subscriptions.ListAsync(cancellationToken)).ToDictionary(s => s.Subscription.Id, s => s.Subscription.Name);
        if (State is { Length: > 0 } && !OutboxStates.All.Contains(State))
        {
            State = null; // an unknown state in a hand-typed address shows every message rather than an error page
        }
        Found = await messages.ListAsync(State is { Length: > 0 } ? State : null, Subscription, Math.Max(1, PageNumber), PageSize, cancellationToken);
    }

    public async Task<IActionResult> OnPostResendAsync(long id, CancellationToken cancellationToken)
    {
        if (await messages.ResendAsync(id, cancellationToken) is not { } copy)
        {
            return NotFound();
        }
        TempData["success"] = $"Message n° {id} renvoyé : sa copie n° {copy.Id} (identifiant de contrôle {copy.ControlId}) attend son tour.";
        return Redirect(Request.Path + QueryString.Create(Query(State, Subscription, PageNumber)).ToUriComponent());
    }

    /// <summary>The query string of a page of the current filter.</summary>
    public string LinkTo(int page) => "/messages" + QueryString.Create(Query(State, Subscription, page)).ToUriComponent();

    private static IEnumerable<KeyValuePair<string, string?>> Query(string? state, Guid? subscription, int page)
    {
        if (state is { Length: > 0 })
        {
            yield return new("state", state);
        }
        if (subscription is { } id)
        {
            yield return new("subscription", id.ToString());
        }
        if (page > 1)
        {
            yield return new("p", page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
