using IdentityRef.Server.Hosting;
using IdentityRef.Application.Patients;
using IdentityRef.Application.ReferenceData;
using IdentityRef.Application.Security;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using IdentityRef.Application.Queries;

namespace IdentityRef.Server.Web.Pages.Identites;

/// <summary>
/// Creation with the same validation and duplicate checks as <c>POST /api/patients</c>. A probable duplicate shows
/// the traits typed beside each candidate's, with its score in words; "créer quand même" posts the same form again
/// with the confirmation, so nothing typed is lost.
/// </summary>
[Authorize(Policy = Policies.PatientsWrite)]
public sealed class NouvelleModel(PatientService patients, Admission admission, DeskQueries desk, BirthPlaceLookup places) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public TraitsInput Input { get; set; } = new();

    [BindProperty]
    public bool ConfirmDuplicate { get; set; }

    public WebMessages Messages { get; } = new();
    public IReadOnlyList<DeskCandidate> Candidates { get; private set; } = [];

    /// <summary>The traits as validated (normalised), shown beside the candidates.</summary>
    public IdentityRef.Domain.Identities.ValidatedTraits? Entered { get; private set; }
    public string? EnteredPlaceName { get; private set; }

    public void OnGet()
    {
    }

    /// <summary>The birth-place look-up of the form (<c>?handler=Places&amp;q=lyo</c>): the places whose name or code starts so.</summary>
    public JsonResult OnGetPlaces(string? q) =>
        new(places.Search(q).Select(p => new { code = p.Code, name = p.Name, label = p.Label }));

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var traits = Input.Validate(patients, places);
        if (!traits.IsSuccess)
        {
            Messages.Add(traits.Errors);
            return Page();
        }
        var admitted = await admission.CreateAsync(traits.Value, ConfirmDuplicate, HttpActor.From(HttpContext), cancellationToken);
        if (admitted.Blocked is { } verdict)
        {
            Entered = traits.Value;
            EnteredPlaceName = traits.Value.Strict.BirthPlaceCode is { } code ? places.NameOf(code) : null;
            Candidates = await desk.CandidatesAsync(verdict, cancellationToken);
            return Page();
        }
        var identity = admitted.Created!;
        TempData[FichePage.SuccessKey] = $"Identité {identity.Ipp} créée (statut provisoire).";
        TempData[FichePage.WarningsKey] = string.Join('\n', traits.Value.Warnings.Select(FrenchText.Message));
        return Redirect($"/identites/{identity.Ipp}");
    }
}
