using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityRef.Server.Web.Pages.Identites;

/// <summary>The admission search, the same exact search as <c>GET /api/patients</c>; creation starts from here.</summary>
[Authorize(Policy = Policies.PatientsRead)]
public sealed class RechercheModel(PatientService patients, IAuthorizationService authorization) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? BirthName { get; set; }
    [BindProperty(SupportsGet = true)] public string? FirstName { get; set; }
    [BindProperty(SupportsGet = true)] public string? BirthDate { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sex { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }

    public WebMessages Messages { get; } = new();
    public bool Searched { get; private set; }
    public IReadOnlyList<Identity> Items { get; private set; } = [];
    public int Total { get; private set; }
    public bool CanCreate { get; private set; }
    public string CreateLink { get; private set; } = "/identites/nouvelle";

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (new[] { BirthName, FirstName, BirthDate, Sex, Status }.All(string.IsNullOrWhiteSpace))
        {
            return;
        }
        var errors = new ErrorCollector();
        string? Name(string? text, string field, NameKind kind) => string.IsNullOrWhiteSpace(text) ? null : errors.Take(InsText.Normalize(text, field, kind));
        var birthName = Name(BirthName, "birthName", NameKind.Name);
        var firstName = Name(FirstName, "firstName", NameKind.FirstName);
        DateOnly? birthDate = string.IsNullOrWhiteSpace(BirthDate) ? null : errors.Take(Domain.Traits.BirthDate.Parse(BirthDate, patients.Today)).Value;
        Sex? sex = string.IsNullOrWhiteSpace(Sex) ? null : errors.Take(SexCodes.Parse(Sex));
        var status = IdentityStatusCodes.Parse(Status)?.Code();
        if (errors.HasErrors)
        {
            Messages.Add(errors.Errors);
            return;
        }
        (Items, Total) = await patients.SearchAsync(
            new PatientService.SearchCriteria(birthName, firstName, birthDate, sex, status, IncludeMerged: false, 1, PageSize), cancellationToken);
        Searched = true;
        // A creation needs at least the name, a first name and the birth date searched for, so that it follows a real search.
        CanCreate = birthName is not null && firstName is not null && birthDate is not null
            && (await authorization.AuthorizeAsync(User, Policies.PatientsWrite)).Succeeded;
        CreateLink = QueryHelpers.AddQueryString("/identites/nouvelle", new Dictionary<string, string?>
        {
            ["BirthName"] = BirthName, ["FirstNames"] = FirstName, ["BirthDate"] = BirthDate, ["Sex"] = Sex,
        });
    }
}
