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
public sealed class MessagesModel(MessageService messages, MessageScreens screens, SubscriptionService subscriptions) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty(SupportsGet = true)] public Guid? Subscription { get; set; }
    [BindProperty(SupportsGet = true)] public string? Ipp { get; set; }
    [BindProperty(SupportsGet = true, Name = "evenement")] public string? Event { get; set; }
    // "p", not "page": "page" is a route value of Razor Pages.
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<MessageRow> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
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
        if (Event is { Length: > 0 } && !MessageScreens.Events.Contains(Event))
        {
            Event = null;
        }
        Ipp = Ipp?.Trim() is { Length: > 0 and <= 20 } ipp ? ipp : null;
        PageNumber = Math.Max(1, PageNumber);
        (Rows, Total) = await screens.SearchAsync(new MessageSearch(State is { Length: > 0 } ? State : null, Subscription, Ipp, Event is { Length: > 0 } ? Event : null),
            PageNumber, PageSize, cancellationToken);
    }

    public async Task<IActionResult> OnPostResendAsync(long id, CancellationToken cancellationToken)
    {
        var outcome = await messages.ResendAsync(id, cancellationToken);
        if (outcome.Refusal is { } refusal)
        {
            TempData["error"] = IntegrationText.ResendRefused(id, refusal);
            return Redirect(LinkTo(PageNumber));
        }
        if (outcome.Copy is not { } copy)
        {
            TempData["error"] = $"Le message n° {id} n'existe pas.";
            return Redirect(LinkTo(1));
        }
        TempData["success"] = $"Message n° {id} renvoyé : sa copie n° {copy.Id} (identifiant de contrôle {copy.ControlId}) attend son tour.";
        return Redirect(LinkTo(PageNumber));
    }

    /// <summary>The query string of a page of the current filter.</summary>
    public string LinkTo(int page) => "/messages" + QueryString.Create(Query(State, Subscription, Ipp, Event, page)).ToUriComponent();

    private static IEnumerable<KeyValuePair<string, string?>> Query(string? state, Guid? subscription, string? ipp, string? trigger, int page)
    {
        if (ipp is { Length: > 0 })
        {
            yield return new("ipp", ipp);
        }
        if (trigger is { Length: > 0 })
        {
            yield return new("evenement", trigger);
        }
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
