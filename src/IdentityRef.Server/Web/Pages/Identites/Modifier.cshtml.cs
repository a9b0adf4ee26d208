using IdentityRef.Server.Hosting;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Common;
using IdentityRef.Application.ReferenceData;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using IdentityRef.Application.Queries;

namespace IdentityRef.Server.Web.Pages.Identites;

/// <summary>
/// Correction of the traits with the validation of <c>PUT /api/patients/{ipp}</c>, and the same optimistic
/// concurrency: the form carries the version it was read at, and a change saved meanwhile is reported, not overwritten.
/// </summary>
[Authorize(Policy = Policies.PatientsWrite)]
public sealed class ModifierModel(PatientService patients, DeskQueries desk, BirthPlaceLookup places) : PageModel
{
    [BindProperty]
    public TraitsInput Input { get; set; } = new();

    [BindProperty]
    public int Version { get; set; }

    public string Ipp { get; private set; } = "";
    public WebMessages Messages { get; } = new();

    /// <summary>Set when no identity has the IPP of the address: the page says so, with a 404.</summary>
    public string? NotFoundIpp { get; private set; }

    private PageResult IdentityNotFound(string ipp)
    {
        NotFoundIpp = ipp;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    public async Task<IActionResult> OnGetAsync(string ipp, CancellationToken cancellationToken)
    {
        if (await patients.FindAsync(ipp, cancellationToken) is not { } identity)
        {
            return IdentityNotFound(ipp);
        }
        (Ipp, Input, Version) = (identity.Ipp, TraitsInput.From(identity, places), identity.Version);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string ipp, CancellationToken cancellationToken)
    {
        if (await patients.FindAsync(ipp, cancellationToken) is not { } identity)
        {
            return IdentityNotFound(ipp);
        }
        Ipp = identity.Ipp;
        if (identity.Version != Version)
        {
            Messages.Errors.Add((null, "L'identité a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte : rouvrez-la et refaites vos corrections."));
            return Page();
        }
        var traits = Input.Validate(patients, places);
        if (!traits.IsSuccess)
        {
            Messages.Add(traits.Errors);
            return Page();
        }
        try
        {
            var warnings = await patients.UpdateAsync(identity, traits.Value, HttpActor.From(HttpContext), cancellationToken);
            TempData[FichePage.SuccessKey] = "Corrections enregistrées.";
            TempData[FichePage.WarningsKey] = string.Join('\n', traits.Value.Warnings.Concat(warnings).Select(FrenchText.Message));
            return Redirect($"/identites/{identity.Ipp}");
        }
        catch (DomainRuleException rule)
        {
            desk.DiscardChanges();
            Messages.Add(rule);
            return Page();
        }
        catch (DbUpdateConcurrencyException)
        {
            Messages.Errors.Add((null, "L'identité a été modifiée par quelqu'un d'autre pendant l'enregistrement : rouvrez-la et refaites vos corrections."));
            return Page();
        }
    }
}
