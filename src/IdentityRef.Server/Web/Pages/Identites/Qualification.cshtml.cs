using IdentityRef.Domain.Ins;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Qualification;
using IdentityRef.Application.Security;
using System.Globalization;
using System.Text.Json;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Qualification;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Web.Pages.Identites;

/// <summary>An INSi answer awaiting a decision, side by side with the local traits.</summary>
public sealed record PendingAnswer(InsiCall Call, IReadOnlyList<TraitDifference> Differences, IReadOnlyList<(string Field, string? Local, string? Insi, bool Differs)> Rows,
    InsiVerdict Verdict);

/// <summary>The qualification flow of admission through <see cref="QualificationService"/>: INSi, decision, document.</summary>
[Authorize(Policy = Policies.Qualification)]
public sealed class QualificationModel(PatientService patients, QualificationService qualification, InsiAnswerJudge judge, IdentityRefDbContext db,
    IOptions<IdentityOptions> options) : PageModel
{
    public Identity? Identity { get; private set; }
    public PendingAnswer? Pending { get; private set; }
    public IReadOnlyList<string> DocumentTypes => options.Value.HighTrustDocumentTypes;
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

    public Task<IActionResult> OnPostSearchAsync(string ipp, CancellationToken cancellationToken) => ActAsync(ipp, async identity =>
    {
        var result = await qualification.SearchAsync(identity, null, HttpActor.From(HttpContext), cancellationToken);
        TempData[FichePage.WarningsKey] = string.Join('\n', result.Warnings.Select(FrenchText.Message));
        if (result.Outcome is not { } outcome)
        {
            TempData[FichePage.ErrorKey] = "Le téléservice INSi n'a pas donné de réponse exploitable : réessayez plus tard (l'appel est tracé).";
        }
        else if (outcome.CodeText != "00")
        {
            TempData[FichePage.ErrorKey] = $"INSi : {outcome.Label} (code {outcome.CodeText}, {outcome.Calls} appel(s)). Vérifiez les traits saisis sur la pièce d'identité.";
        }
        else
        {
            TempData[FichePage.SuccessKey] = "INSi a trouvé une identité : comparez les traits.";
        }
    }, cancellationToken);

    public Task<IActionResult> OnPostAcceptAsync(string ipp, long callId, CancellationToken cancellationToken) => ActAsync(ipp, async identity =>
    {
        var accepted = await qualification.AcceptAsync(identity, callId, HttpActor.From(HttpContext), cancellationToken);
        TempData[FichePage.SuccessKey] = $"Réponse INSi acceptée : {identity.Status.Label().ToLowerInvariant()}.";
        if (accepted.Warnings.Count > 0)
        {
            TempData[FichePage.WarningsKey] = string.Join('\n', accepted.Warnings.Select(FrenchText.Message));
        }
    }, cancellationToken);

    public Task<IActionResult> OnPostRejectAsync(string ipp, long callId, CancellationToken cancellationToken) => ActAsync(ipp, async identity =>
    {
        var contradiction = await qualification.RejectAsync(identity, callId, HttpActor.From(HttpContext), cancellationToken);
        TempData[FichePage.SuccessKey] = contradiction is null
            ? "Réponse INSi rejetée : l'identité reste inchangée."
            : "Réponse INSi rejetée : l'identité reste inchangée. Ses traits contredisent ceux d'INSi : la cellule d'identitovigilance en est saisie.";
    }, cancellationToken);

    public Task<IActionResult> OnPostDocumentAsync(string ipp, string? type, string? number, string? expires, CancellationToken cancellationToken) =>
        ActAsync(ipp, async identity =>
        {
            var errors = new ErrorCollector();
            if (string.IsNullOrWhiteSpace(type) || type.Trim().Length > 4)
            {
                errors.Add("type", "required", "Choisissez le type de pièce.");
            }
            DateOnly? expiry = null;
            if (!string.IsNullOrWhiteSpace(expires))
            {
                if (DateOnly.TryParseExact(expires, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    expiry = date;
                }
                else
                {
                    errors.Add("expires", "invalid-format", "Date attendue au format AAAA-MM-JJ.");
                }
            }
            if (number is { Length: > 64 })
            {
                errors.Add("number", "too-long", "64 caractères au plus.");
            }
            if (errors.HasErrors)
            {
                TempData[FichePage.ErrorKey] = string.Join(" ", errors.Errors.Select(e => $"{FrenchText.Field(e.Field)} : {FrenchText.Message(e)}"));
                return;
            }
            await qualification.CheckDocumentAsync(identity, type!, number, expiry, HttpActor.From(HttpContext), cancellationToken);
            TempData[FichePage.SuccessKey] = $"Pièce d'identité enregistrée : {identity.Status.Label().ToLowerInvariant()}.";
        }, cancellationToken);

    /// <summary>Runs one step, then shows the page again (post/redirect/get); a national rule that refuses it becomes a message.</summary>
    private async Task<IActionResult> ActAsync(string ipp, Func<Identity, Task> step, CancellationToken cancellationToken)
    {
        if (await patients.FindAsync(ipp, cancellationToken) is not { } identity)
        {
            return IdentityNotFound(ipp);
        }
        try
        {
            await step(identity);
        }
        catch (DomainRuleException rule)
        {
            TempData[FichePage.ErrorKey] = FrenchText.Message(rule);
        }
        return Redirect($"/identites/{ipp}/qualification");
    }

    private async Task<bool> LoadAsync(string ipp, CancellationToken cancellationToken)
    {
        Identity = await patients.FindAsync(ipp, cancellationToken);
        if (Identity is null)
        {
            return false;
        }
        var call = await db.InsiCalls.AsNoTracking().Where(c => c.IdentityId == Identity.Id && c.Outcome == "00" && c.Decision == null && c.Traits != null)
            .OrderByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        if (call is not null)
        {
            var traits = JsonSerializer.Deserialize<InsiTraitsDto>(call.Traits!)!;
            var differences = QualificationService.Differences(Identity, traits);
            var local = new Dictionary<string, string?>
            {
                ["birthName"] = Identity.BirthName, ["firstNames"] = Identity.FirstNames, ["firstName"] = Identity.FirstName,
                ["birthDate"] = Identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["sex"] = Identity.Sex.Code(),
                ["birthPlaceCode"] = Identity.BirthPlaceCode,
            };
            var insi = new Dictionary<string, string?>
            {
                ["birthName"] = traits.BirthName, ["firstNames"] = traits.FirstNames, ["firstName"] = traits.FirstName,
                ["birthDate"] = traits.BirthDate, ["sex"] = traits.Sex, ["birthPlaceCode"] = traits.BirthPlaceCode,
            };
            var rows = local.Keys.Select(k => (k, local[k], insi[k], differences.Any(d => d.Field == k))).ToList();
            var verdict = (await judge.JudgeAsync(Identity, traits, call.InsValue, call.InsOid, cancellationToken)).Verdict;
            Pending = new PendingAnswer(call, differences, rows, verdict);
        }
        return true;
    }
}
