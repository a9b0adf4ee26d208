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
public sealed class NouvelleModel(PatientService patients, IEnumerable<IAdmissionDuplicateCheck> duplicateChecks) : PageModel
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
        object? auditDetails = null;
        foreach (var check in duplicateChecks)
        {
            var verdict = await check.CheckAsync(traits.Value, cancellationToken);
            if (verdict.Blocking && !ConfirmDuplicate)
            {
                Candidates = verdict.CandidateIpps;
                return Page();
            }
            if (verdict.Blocking)
            {
                auditDetails = new { confirmDuplicate = true, candidates = verdict.CandidateIpps };
            }
        }
        var identity = await patients.CreateAsync(traits.Value, HttpActor.From(HttpContext), auditDetails, cancellationToken);
        TempData[FichePage.SuccessKey] = $"Identité {identity.Ipp} créée (statut provisoire).";
        TempData[FichePage.WarningsKey] = string.Join('\n', traits.Value.Warnings.Select(FrenchText.Message));
        return Redirect($"/identites/{identity.Ipp}");
    }
}
