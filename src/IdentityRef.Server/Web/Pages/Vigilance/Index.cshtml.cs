using System.Globalization;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Vigilance;

/// <summary>
/// "File de travail": the queue of potential duplicates and collisions with the people at a glance; filters (state, class, kind,
/// age, assigned to), sorting, "m'attribuer", "paire suivante" and "pas un doublon" on several pairs with one required reason.
/// </summary>
[Authorize(Policy = Policies.Duplicates)]
public sealed class IndexModel(VigilanceScreens screens, DuplicateResolution resolution, DuplicateDetection detection) : QueueFilterPage
{
    public const int PageSize = 50;

    [BindProperty(Name = "ids")] public List<long> Selected { get; set; } = [];
    [BindProperty(Name = "motif")] public string? Reason { get; set; }

    public PageResponse<QueueRow> Found { get; private set; } = new([], 1, PageSize, 0);
    public WebMessages Messages { get; } = new();
    public CultureInfo French => FrenchFormat.Culture;
    public int PageCount => Math.Max(1, (Found.Total + PageSize - 1) / PageSize);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostDetectAsync(CancellationToken cancellationToken)
    {
        var summary = await detection.RunIncrementalAsync(cancellationToken);
        TempData["success"] = string.Create(French,
            $"Détection terminée : {summary.Identities} identité(s) examinée(s), {summary.Found} paire(s) trouvée(s), {summary.Created} nouvelle(s), {summary.Reopened} rouverte(s).");
        return Redirect("/identitovigilance");
    }

    /// <summary>"Paire suivante": the next pair of the current filter that nobody has is assigned to me and opened.</summary>
    public async Task<IActionResult> OnPostNextAsync(CancellationToken cancellationToken)
    {
        var filter = Filter();
        if (await screens.NextUnassignedAsync(filter, null, cancellationToken) is not { } next || await screens.ItemAsync(next, cancellationToken) is not { } item)
        {
            TempData["success"] = "Aucune paire libre dans ce filtre : tout est attribué ou traité.";
            return Redirect(LinkTo(PageNumber));
        }
        try
        {
            await resolution.AssignAsync(item, HttpActor.From(HttpContext), UserName, shownAssignee: null, cancellationToken);
        }
        catch (Domain.Common.DomainRuleException rule)
        {
            // Taken by someone else at the same moment: say so, the queue as it is now.
            TempData["error"] = VigilanceText.Rule(rule);
            return Redirect(LinkTo(PageNumber));
        }
        return Redirect($"/identitovigilance/{next}" + QueryString.Create(FilterQuery(1)).ToUriComponent());
    }

    /// <summary>"M'attribuer" on one row; <paramref name="shown"/> is who had the pair on the screen (empty: nobody).</summary>
    public async Task<IActionResult> OnPostAssignAsync(long item, string? shown, CancellationToken cancellationToken)
    {
        if (await screens.ItemAsync(item, cancellationToken) is not { } found)
        {
            return NotFound();
        }
        try
        {
            await resolution.AssignAsync(found, HttpActor.From(HttpContext), UserName, string.IsNullOrEmpty(shown) ? null : shown, cancellationToken);
            TempData["success"] = $"Paire n° {item} attribuée à {UserName}.";
        }
        catch (Domain.Common.DomainRuleException rule)
        {
            TempData["error"] = VigilanceText.Rule(rule);
        }
        return Redirect(LinkTo(PageNumber));
    }

    /// <summary>"Pas un doublon" on the ticked pairs, with one reason recorded on each; all or nothing.</summary>
    public async Task<IActionResult> OnPostNotDuplicateAsync(CancellationToken cancellationToken)
    {
        if (Selected.Count == 0)
        {
            Messages.Errors.Add(("ids", "Cochez au moins une paire."));
        }
        if (string.IsNullOrWhiteSpace(Reason) || Reason.Trim().Length > 500)
        {
            Messages.Errors.Add(("motif", "Indiquez le motif (obligatoire, 500 caractères au plus) : il est enregistré sur chaque paire."));
        }
        if (Messages.Errors.Count > 0)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }
        IReadOnlyList<(long Id, string Rule)> refused;
        try
        {
            refused = await resolution.NotDuplicateManyAsync(Selected, HttpActor.From(HttpContext), Reason, cancellationToken);
        }
        catch (Domain.Common.DomainRuleException rule)
        {
            Messages.Errors.Add((null, VigilanceText.Rule(rule) + " Rien n'a été enregistré."));
            screens.Forget();
            await LoadAsync(cancellationToken);
            return Page();
        }
        if (refused.Count > 0)
        {
            foreach ((long id, string rule) in refused)
            {
                Messages.Errors.Add(("ids", rule switch
                {
                    "item-resolved" => $"La paire n° {id} a déjà été traitée.",
                    "not-a-pair" => $"L'élément n° {id} est une contradiction INSi : il se résout depuis sa page.",
                    _ => $"L'élément n° {id} n'existe pas.",
                }));
            }
            Messages.Errors.Add((null, "Rien n'a été enregistré : retirez ces éléments de la sélection et recommencez."));
            await LoadAsync(cancellationToken);
            return Page();
        }
        TempData["success"] = Selected.Distinct().Count() == 1
            ? "1 paire classée « pas un doublon », avec le motif."
            : $"{Selected.Distinct().Count()} paires classées « pas un doublon », avec le motif enregistré sur chacune.";
        return Redirect(LinkTo(PageNumber));
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var filter = Filter();
        State = filter.State ?? "";
        Kind = filter.Kind;
        Class = filter.Class;
        Age = filter.Age;
        Sort = filter.Sort;
        PageNumber = Math.Max(1, PageNumber);
        Found = await screens.QueueAsync(filter, PageNumber, PageSize, cancellationToken);
    }
}

/// <summary>
/// A page that carries the queue's filter in its address (the queue, and the pair page for "paire suivante"): state, class,
/// kind, age, assigned to ("moi": the signed-in user) and order.
/// </summary>
public abstract class QueueFilterPage : PageModel
{
    /// <summary>"me" in <see cref="Assigned"/>: the signed-in user.</summary>
    public const string Me = "moi";

    [BindProperty(SupportsGet = true)] public string? State { get; set; } = QueueFilter.Unresolved;
    [BindProperty(SupportsGet = true)] public string? Kind { get; set; }
    [BindProperty(SupportsGet = true, Name = "classe")] public string? Class { get; set; }
    [BindProperty(SupportsGet = true, Name = "age")] public string? Age { get; set; }
    [BindProperty(SupportsGet = true, Name = "attribue")] public string? Assigned { get; set; }
    [BindProperty(SupportsGet = true, Name = "tri")] public string? Sort { get; set; }
    // "p", not "page": "page" is a route value of Razor Pages.
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public string UserName => User.Identity?.Name ?? "";

    /// <summary>The filter of the address; "moi" is the signed-in user.</summary>
    public QueueFilter Filter() => new QueueFilter(State is null or "" ? null : State, Kind, Class, Age,
        Assigned == Me ? UserName : Assigned, Sort).Normalized();

    public string LinkTo(int page) => "/identitovigilance" + QueryString.Create(FilterQuery(page)).ToUriComponent();

    /// <summary>The same filter in an address, another order.</summary>
    public string SortedBy(string sort) => "/identitovigilance" + QueryString.Create(FilterQuery(1).Where(p => p.Key != "tri").Append(new("tri", sort))).ToUriComponent();

    /// <summary>The filter as address parameters (hidden fields of the forms, links).</summary>
    public IEnumerable<KeyValuePair<string, string?>> FilterQuery(int page)
    {
        yield return new("state", State ?? "");
        foreach (var (key, value) in new[] { ("kind", Kind), ("classe", Class), ("age", Age), ("attribue", Assigned) })
        {
            if (value is { Length: > 0 })
            {
                yield return new(key, value);
            }
        }
        if (Sort is { Length: > 0 } sort && sort != QueueSorts.Score)
        {
            yield return new("tri", sort);
        }
        if (page > 1)
        {
            yield return new("p", page.ToString(CultureInfo.InvariantCulture));
        }
    }
}
