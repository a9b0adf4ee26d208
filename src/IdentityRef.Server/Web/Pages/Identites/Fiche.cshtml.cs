using IdentityRef.Server.Hosting;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Qualification;
using IdentityRef.Application.Security;
using System.Text.Json;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Qualification;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using IdentityRef.Application.Queries;

namespace IdentityRef.Server.Web.Pages.Identites;

public static class FichePage
{
    public const string SuccessKey = "success";
    public const string WarningsKey = "warnings";
    public const string ErrorKey = "error";

    /// <summary>What each status means for the people who use the identity (RNIV).</summary>
    public static string Meaning(IdentityStatus status) => status switch
    {
        IdentityStatus.Prov => "Ni INS récupéré par INSi, ni pièce d'identité à haut niveau de confiance contrôlée.",
        IdentityStatus.Recup => "INS récupéré et vérifié par le téléservice INSi ; aucune pièce d'identité contrôlée.",
        IdentityStatus.Vali => "Pièce d'identité à haut niveau de confiance contrôlée ; INS non récupéré par INSi.",
        IdentityStatus.Qual => "INS récupéré par INSi et pièce d'identité contrôlée : l'INS peut être utilisé et transmis.",
        _ => "",
    };
}

/// <summary>An audit line as the identity page shows it: the changed fields before and after.</summary>
public sealed record HistoryLine(DateTimeOffset At, string Action, string Actor, IReadOnlyList<(string Field, string? Before, string? After)> Changes);

[Authorize(Policy = Policies.PatientsRead)]
public sealed class FicheModel(PatientService patients, QualificationService qualification, IdentityHistory history, DeskQueries desk, IBirthPlaceDirectory places,
    IAuthorizationService authorization) : PageModel
{
    public Identity? Identity { get; private set; }
    public string? MergedIntoIpp { get; private set; }
    public string? BirthPlaceName { get; private set; }
    public string StatusMeaning { get; private set; } = "";
    public bool CanQualify { get; private set; }
    public bool CanCorrect { get; private set; }
    public IReadOnlyList<HistoryLine> History { get; private set; } = [];

    /// <summary>The IPPs of the identities the history names by id (merges).</summary>
    public IReadOnlyDictionary<Guid, string> HistoryIpps { get; private set; } = new Dictionary<Guid, string>();

    /// <summary>The identifiers other systems gave this identity (imports, the inbound feed) and its former IPPs (merges).</summary>
    public IReadOnlyList<(string System, string Value)> OtherIdentifiers { get; private set; } = [];
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
        Messages.TakeFrom(TempData);
        return await LoadAsync(ipp, cancellationToken) ? Page() : IdentityNotFound(ipp);
    }

    public async Task<IActionResult> OnPostAttributesAsync(string ipp, string[]? attributes, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Qualification)).Succeeded)
        {
            return Forbid();
        }
        if (await patients.FindAsync(ipp, cancellationToken) is not { } identity)
        {
            return IdentityNotFound(ipp);
        }
        var flags = IdentityAttributeCodes.All.Where(a => attributes?.Contains(a.Code) == true).Aggregate(IdentityAttributes.None, (all, a) => all | a.Flag);
        try
        {
            await qualification.SetAttributesAsync(identity, flags, HttpActor.From(HttpContext), cancellationToken);
            TempData[FichePage.SuccessKey] = "Attributs enregistrés.";
            return Redirect($"/identites/{ipp}");
        }
        catch (DomainRuleException rule)
        {
            Messages.Add(rule);
            desk.DiscardChanges();
            await LoadAsync(ipp, cancellationToken);
            return Page();
        }
    }

    private async Task<bool> LoadAsync(string ipp, CancellationToken cancellationToken)
    {
        Identity = await patients.FindAsync(ipp, cancellationToken);
        if (Identity is null)
        {
            return false;
        }
        MergedIntoIpp = await patients.IppOfAsync(Identity.MergedIntoId, cancellationToken);
        BirthPlaceName = Identity.BirthPlaceCode is { } code ? places.NameOf(code) : null;
        StatusMeaning = FichePage.Meaning(Identity.Status);
        CanQualify = (await authorization.AuthorizeAsync(User, Policies.Qualification)).Succeeded;
        CanCorrect = (await authorization.AuthorizeAsync(User, Policies.PatientsWrite)).Succeeded;
        // An INS in the trail (a withdrawn one may be another person's) is for the identity vigilance cell only.
        var showIns = (await authorization.AuthorizeAsync(User, Policies.Duplicates)).Succeeded;
        History = (await history.ReadAsync(Identity.Id, showIns, newestFirst: true, cancellationToken)).Select(e =>
        {
            var before = e.Before ?? [];
            var after = e.After ?? [];
            // A creation lists every field: only those with a value say something.
            var changes = after.Keys.Union(before.Keys).Select(k => (k, before.GetValueOrDefault(k), after.GetValueOrDefault(k)))
                .Where(c => (c.Item2 ?? "") != (c.Item3 ?? "")).ToList();
            return new HistoryLine(e.At, e.Action, e.Actor, changes);
        }).ToList();
        HistoryIpps = await desk.IppsOfAsync([.. HistoryText.Ids(History.SelectMany(h => h.Changes).SelectMany(c => new[] { c.Before, c.After })).Distinct()], cancellationToken);
        OtherIdentifiers = await desk.OtherIdentifiersAsync(Identity.Id, cancellationToken);
        return true;
    }
}
