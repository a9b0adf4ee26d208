using IdentityRef.Application.Quality;
using IdentityRef.Application.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Indicateurs;

/// <summary>"Indicateurs": the identity-vigilance indicators, 12 months of trends, the CSV export and the printable page.</summary>
[Authorize(Policy = Policies.PatientsRead)]
public sealed class TableauDeBordModel(QualityIndicators indicators) : PageModel
{
    public IndicatorsView View { get; private set; } = null!;

    /// <summary>The printable page: the same figures without the menu (<c>/tableau-de-bord/impression</c>).</summary>
    public bool Printable { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Printable = RouteData.Values["impression"] is not null;
        View = await indicators.ComputeAsync(cancellationToken);
    }
}

/// <summary>The CSV export of the indicators (<c>/tableau-de-bord.csv</c>).</summary>
[Authorize(Policy = Policies.PatientsRead)]
public sealed class ExportModel(QualityIndicators indicators, TimeProvider clock) : PageModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var view = await indicators.ComputeAsync(cancellationToken);
        var day = TimeZoneInfo.ConvertTime(view.At, clock.LocalTimeZone).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return File(QualityIndicators.Csv(view, clock.LocalTimeZone), "text/csv; charset=utf-8", $"indicateurs-identitovigilance-{day}.csv");
    }
}

/// <summary>The lists behind two figures: INSi answers awaiting a decision, doubtful or fictitious identities.</summary>
[Authorize(Policy = Policies.PatientsRead)]
public sealed class ListeModel(QualityIndicators indicators) : PageModel
{
    public const int Limit = 500;
    public const string PendingInsi = "insi-en-attente";
    public const string Doubtful = "douteuses-fictives";

    [BindProperty(SupportsGet = true)] public string Liste { get; set; } = "";

    public IReadOnlyList<ListedIdentity> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        switch (Liste)
        {
            case PendingInsi:
                Rows = await indicators.PendingInsiAnswersAsync(Limit, cancellationToken);
                break;
            case Doubtful:
                Rows = await indicators.DoubtfulOrFictitiousAsync(Limit, cancellationToken);
                break;
            default:
                Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
        return Page();
    }
}
