using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Server.Patients;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using IdentityRef.Application.Queries;

namespace IdentityRef.Server.Web.Pages.Identites;

/// <summary>
/// The admission search: the one search box (<c>q</c>: a name tolerant of spelling, an IPP, an INS, another system's
/// identifier; <see cref="DeskSearch"/>), and the detailed search by traits, the same exact search as
/// <c>GET /api/patients</c>. Creation starts from here.
/// </summary>
[Authorize(Policy = Policies.PatientsRead)]
public sealed class RechercheModel(PatientService patients, DeskSearch desk, IAuthorizationService authorization) : PageModel
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    [BindProperty(SupportsGet = true)] public string? BirthName { get; set; }
    [BindProperty(SupportsGet = true)] public string? FirstName { get; set; }
    [BindProperty(SupportsGet = true)] public string? BirthDate { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sex { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }

    public WebMessages Messages { get; } = new();
    public bool Searched { get; private set; }
    public bool Detailed { get; private set; }
    public IReadOnlyList<DeskHit> Items { get; private set; } = [];
    public int Total { get; private set; }
    public bool Capped { get; private set; }
    public int PageCount { get; private set; }
    public bool MayWrite { get; private set; }
    public bool CanCreate { get; private set; }
    public string CreateLink { get; private set; } = "/identites/nouvelle";

    /// <summary>Why the create button is not offered yet (null when it is, or when the user may not create).</summary>
    public string? CreateHint { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        MayWrite = (await authorization.AuthorizeAsync(User, Policies.PatientsWrite)).Succeeded;
        PageNumber = Math.Max(1, PageNumber);
        Detailed = !new[] { BirthName, FirstName, BirthDate, Sex, Status }.All(string.IsNullOrWhiteSpace);
        if (Detailed)
        {
            await DetailedAsync(cancellationToken);
        }
        else if (!string.IsNullOrWhiteSpace(Q))
        {
            await OneBoxAsync(cancellationToken);
        }
        if (Searched && MayWrite && !CanCreate)
        {
            CreateHint = "Pour créer une identité, recherchez d'abord le patient par son nom, son prénom et sa date de naissance "
                + "(par exemple « DUPONT Marie 14/07/1985 ») : le bouton de création apparaît alors sous les résultats.";
        }
    }

    private async Task OneBoxAsync(CancellationToken cancellationToken)
    {
        var result = await desk.SearchAsync(Q, PageNumber, PageSize, cancellationToken);
        if (result.DateError is { } code)
        {
            Messages.Add([new FieldError("q", code, code)]);
            return;
        }
        Searched = true;
        (Items, Total, Capped, PageCount, PageNumber) = (result.Items, result.Total, result.Capped, result.PageCount, result.Page);
        if (result.Kind == DeskQueryKind.Name && result.FirstName is not null && result.BirthDate is { } date && MayWrite)
        {
            CanCreate = true;
            CreateLink = QueryHelpers.AddQueryString("/identites/nouvelle", new Dictionary<string, string?>
            {
                ["BirthName"] = result.Name, ["FirstNames"] = result.FirstName, ["BirthDate"] = DeskDates.ToFrench(date),
            });
        }
    }

    private async Task DetailedAsync(CancellationToken cancellationToken)
    {
        var errors = new ErrorCollector();
        string? Name(string? text, string field, NameKind kind) => string.IsNullOrWhiteSpace(text) ? null : errors.Take(InsText.Normalize(text, field, kind));
        var birthName = Name(BirthName, "birthName", NameKind.Name);
        var firstName = Name(FirstName, "firstName", NameKind.FirstName);
        DateOnly? birthDate = string.IsNullOrWhiteSpace(BirthDate) ? null : errors.Take(Domain.Traits.BirthDate.Parse(DeskDates.ToIso(BirthDate), patients.Today)).Value;
        Sex? sex = string.IsNullOrWhiteSpace(Sex) ? null : errors.Take(SexCodes.Parse(Sex));
        var status = IdentityStatusCodes.Parse(Status)?.Code();
        if (errors.HasErrors)
        {
            Messages.Add(errors.Errors);
            return;
        }
        var (items, total) = await patients.SearchAsync(
            new PatientService.SearchCriteria(birthName, firstName, birthDate, sex, status, IncludeMerged: false, PageNumber, PageSize), cancellationToken);
        Items = [.. items.Select(i => new DeskHit(i, DeskMatch.Spelling))];
        Total = total;
        PageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        Searched = true;
        // A creation needs at least the name, a first name and the birth date searched for, so that it follows a real search.
        CanCreate = birthName is not null && firstName is not null && birthDate is not null && MayWrite;
        CreateLink = QueryHelpers.AddQueryString("/identites/nouvelle", new Dictionary<string, string?>
        {
            ["BirthName"] = BirthName, ["FirstNames"] = FirstName, ["BirthDate"] = BirthDate, ["Sex"] = Sex,
        });
    }

    /// <summary>The address of another page of the same search.</summary>
    public string PageLink(int page)
    {
        var query = Request.Query.Where(p => p.Key != "p").ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        query["p"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return QueryHelpers.AddQueryString("/identites", query);
    }
}
