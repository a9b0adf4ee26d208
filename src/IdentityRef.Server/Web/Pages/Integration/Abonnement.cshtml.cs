using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Security;
using System.Globalization;
using IdentityRef.Domain.Common;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using IdentityRef.Server.Broadcast;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Integration;

/// <summary>Creates or changes a subscription, with the same rules as <c>POST/PUT /api/subscriptions</c>.</summary>
[Authorize(Policy = Policies.Subscriptions)]
public sealed class AbonnementModel(SubscriptionService subscriptions) : PageModel
{
    public static IReadOnlyList<string> AllEvents { get; } = Enum.GetNames<PamEvent>();

    [BindProperty(SupportsGet = true)] public Guid? Id { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Host { get; set; }
    [BindProperty] public string? Port { get; set; }
    [BindProperty] public string? ReceivingApplication { get; set; }
    [BindProperty] public string? ReceivingFacility { get; set; }
    [BindProperty] public string Charset { get; set; } = SubscriptionService.Charsets[0];
    [BindProperty] public bool UseTls { get; set; }
    [BindProperty] public bool Enabled { get; set; } = true;
    [BindProperty] public List<string> Events { get; set; } = [];

    public bool Creating => Id is null;
    public WebMessages Messages { get; } = new();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Id is { } id)
        {
            if (await subscriptions.FindAsync(id, cancellationToken) is not { } s)
            {
                return NotFound();
            }
            (Name, Host, Port, ReceivingApplication, ReceivingFacility, Charset, UseTls, Enabled) =
                (s.Name, s.Host, s.Port.ToString(CultureInfo.InvariantCulture), s.ReceivingApplication, s.ReceivingFacility, s.Charset, s.UseTls, s.Enabled);
            Events = [.. s.Events.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        // The form always holds every field: it is checked whole, with the API's rules, as a creation would be
        // (a field left empty is then "required", also when changing a subscription).
        int? port = null;
        var portIsNumber = true;
        if (!string.IsNullOrWhiteSpace(Port))
        {
            portIsNumber = int.TryParse(Port.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed);
            port = portIsNumber ? parsed : 1;
        }
        var request = new SubscriptionRequest(NullIfBlank(Name), NullIfBlank(Host), port, NullIfBlank(ReceivingApplication), NullIfBlank(ReceivingFacility),
            Charset, UseTls, Enabled, Events);
        var errors = SubscriptionService.Apply(new Subscription { Name = "", Host = "", ReceivingApplication = "", ReceivingFacility = "", Charset = "" },
            request, creating: true);
        if (!portIsNumber)
        {
            errors.Add(new FieldError("port", "invalid-format", "An integer."));
        }
        if (errors.Count > 0)
        {
            IntegrationText.AddTo(Messages, errors.OrderBy(e => FieldOrder.IndexOf(e.Field)));
            return Page();
        }
        Result<Subscription>? saved = Id is { } id
            ? await subscriptions.UpdateAsync(id, request, cancellationToken)
            : await subscriptions.CreateAsync(request, cancellationToken);
        if (saved is not { } result)
        {
            return NotFound();
        }
        if (!result.IsSuccess)
        {
            IntegrationText.AddTo(Messages, result.Errors);
            return Page();
        }
        TempData["success"] = $"Abonnement {result.Value.Name} {(Creating ? "créé" : "enregistré")}.";
        return Redirect("/abonnements");
    }

    private static readonly List<string> FieldOrder = ["name", "host", "port", "receivingApplication", "receivingFacility", "charset", "events"];

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
