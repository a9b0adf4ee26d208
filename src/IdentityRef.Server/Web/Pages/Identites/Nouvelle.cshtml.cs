using IdentityRef.Server.Hosting;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Identites;

/// <summary>Creation with the same validation and duplicate checks as <c>POST /api/patients</c>.</summary>
[Authorize(Policy = Policies.PatientsWrite)]
public sealed class NouvelleModel(PatientService patients, Admission admission) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public TraitsInput Input { get; set; } = new();

    [BindProperty]
    public bool ConfirmDuplicate { get; set; }

    public WebMessages Messages { get; } = new();
    public IReadOnlyList<string> Candidates { get; private set; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var traits = patients.Validate(Input.ToRequest().ToInput());
        if (!traits.IsSuccess)
        {
            Messages.Add(traits.Errors);
            return Page();
        }
        var admitted = await admission.CreateAsync(traits.Value, ConfirmDuplicate, HttpActor.From(HttpContext), cancellationToken);
        if (admitted.Blocked is { } verdict)
        {
            Candidates = verdict.CandidateIpps;
            return Page();
        }
        var identity = admitted.Created!;
        TempData[FichePage.SuccessKey] = $"Identité {identity.Ipp} créée (statut provisoire).";
        TempData[FichePage.WarningsKey] = string.Join('\n', traits.Value.Warnings.Select(FrenchText.Message));
        return Redirect($"/identites/{identity.Ipp}");
    }
}
