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
using Microsoft.Extensions.Options;
using IdentityRef.Application.Queries;

namespace IdentityRef.Server.Web.Pages.Identites;

/// <summary>An INSi answer awaiting a decision, side by side with the local traits.</summary>
public sealed record PendingAnswer(InsiCall Call, IReadOnlyList<TraitDifference> Differences, IReadOnlyList<(string Field, string? Local, string? Insi, bool Differs)> Rows,
    InsiVerdict Verdict);

/// <summary>The qualification flow of admission through <see cref="QualificationService"/>: INSi, decision, document.</summary>
[Authorize(Policy = Policies.Qualification)]
public sealed partial class QualificationModel(PatientService patients, QualificationService qualification, InsiAnswerJudge judge, DeskQueries desk,
    IOptions<IdentityOptions> options) : PageModel
{
    public Identity? Identity { get; private set; }
    public PendingAnswer? Pending { get; private set; }
    public IReadOnlyList<string> DocumentTypes => options.Value.HighTrustDocumentTypes;
    public WebMessages Messages { get; } = new();

    /// <summary>
    /// The identity's version as the page showed it, sent back by the forms that act on what the desk read (the document check
    /// attests the traits shown; accepting an answer follows the comparison shown): another desk's change since refuses them.
    /// </summary>
    [BindProperty] public int? Version { get; set; }

    /// <summary>The identity document form as typed (kept when it is refused).</summary>
    [BindProperty] public string? DocumentType { get; set; }
    [BindProperty] public string? DocumentNumber { get; set; }
    [BindProperty] public string? DocumentExpires { get; set; }

    /// <summary>The carte Vitale form (INSi search by the card's data) as typed.</summary>
    [BindProperty] public string? VitaleNumber { get; set; }
    [BindProperty] public string? VitaleKey { get; set; }
    [BindProperty] public string? VitaleRank { get; set; }
    [BindProperty] public string? VitaleHolderNumber { get; set; }
    [BindProperty] public string? VitaleHolderKey { get; set; }

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

    public Task<IActionResult> OnPostSearchAsync(string ipp, CancellationToken cancellationToken) =>
        ActAsync(ipp, identity => SearchAsync(identity, null, cancellationToken), cancellationToken);

    /// <summary>The INSi search by the carte Vitale (NIR of the beneficiary, its key and birth rank; the holder's when another person opens the rights).</summary>
    public async Task<IActionResult> OnPostVitaleAsync(string ipp, CancellationToken cancellationToken)
    {
        var errors = new ErrorCollector();
        string? Digits(string? text) => text is null ? null : string.Concat(text.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
        var number = Digits(VitaleNumber);
        var key = Digits(VitaleKey);
        var holder = Digits(VitaleHolderNumber);
        var holderKey = Digits(VitaleHolderKey);
        if (number is null || !NirPattern().IsMatch(number))
        {
            errors.Add("vitaleNumber", "invalid-format", "13 characters expected.");
        }
        if (key is null || !KeyPattern().IsMatch(key))
        {
            errors.Add("vitaleKey", "invalid-format", "2 digits expected.");
        }
        if (!string.IsNullOrWhiteSpace(VitaleRank) && !RankPattern().IsMatch(VitaleRank.Trim()))
        {
            errors.Add("vitaleRank", "invalid-format", "1 to 3 digits expected.");
        }
        if (!string.IsNullOrEmpty(holder) && !NirPattern().IsMatch(holder))
        {
            errors.Add("vitaleHolderNumber", "invalid-format", "13 characters expected.");
        }
        if (!string.IsNullOrEmpty(holder) && (holderKey is null || !KeyPattern().IsMatch(holderKey)))
        {
            errors.Add("vitaleHolderKey", "invalid-format", "2 digits expected.");
        }
        if (errors.HasErrors)
        {
            Messages.Add(errors.Errors);
            return await LoadAsync(ipp, cancellationToken) ? Page() : IdentityNotFound(ipp);
        }
        var card = new VitaleCardDto(number, key, string.IsNullOrWhiteSpace(VitaleRank) ? null : VitaleRank.Trim(),
            string.IsNullOrEmpty(holder) ? null : holder, string.IsNullOrEmpty(holder) ? null : holderKey);
        return await ActAsync(ipp, identity => SearchAsync(identity, card, cancellationToken), cancellationToken);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}$")]
    private static partial System.Text.RegularExpressions.Regex NirPattern();

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9]{2}$")]
    private static partial System.Text.RegularExpressions.Regex KeyPattern();

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9]{1,3}$")]
    private static partial System.Text.RegularExpressions.Regex RankPattern();

    private async Task SearchAsync(Identity identity, VitaleCardDto? card, CancellationToken cancellationToken)
    {
        var result = await qualification.SearchAsync(identity, card, HttpActor.From(HttpContext), cancellationToken);
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
    }

    public Task<IActionResult> OnPostAcceptAsync(string ipp, long callId, CancellationToken cancellationToken) => ActAsync(ipp, async identity =>
    {
        if (ChangedSinceRead(identity))
        {
            return;
        }
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

    /// <summary>The identity document check: each error beside its field, what was typed kept; <c>JJ/MM/AAAA</c> (or AAAA-MM-JJ) for the expiry.</summary>
    public async Task<IActionResult> OnPostDocumentAsync(string ipp, CancellationToken cancellationToken)
    {
        var errors = new ErrorCollector();
        if (string.IsNullOrWhiteSpace(DocumentType) || DocumentType.Trim().Length > 4)
        {
            errors.Add("type", "required", "Choose the type of document.");
        }
        DateOnly? expiry = null;
        if (!string.IsNullOrWhiteSpace(DocumentExpires))
        {
            if (DateOnly.TryParseExact(DeskDates.ToIso(DocumentExpires.Trim()), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                expiry = date;
            }
            else
            {
                errors.Add("expires", "invalid-format", "Expected a date as JJ/MM/AAAA.");
            }
        }
        DocumentCheck.ValidateNumber(DocumentNumber, errors);
        if (errors.HasErrors)
        {
            Messages.Add(errors.Errors);
            return await LoadAsync(ipp, cancellationToken) ? Page() : IdentityNotFound(ipp);
        }
        return await ActAsync(ipp, async identity =>
        {
            if (ChangedSinceRead(identity))
            {
                return;
            }
            await qualification.CheckDocumentAsync(identity, DocumentType!.Trim(), DocumentNumber, expiry, HttpActor.From(HttpContext), cancellationToken);
            TempData[FichePage.SuccessKey] = $"Pièce d'identité enregistrée : {identity.Status.Label().ToLowerInvariant()}.";
        }, cancellationToken);
    }

    /// <summary>True (and the page will say so) when the identity changed since the page that posted was read.</summary>
    private bool ChangedSinceRead(Identity identity)
    {
        if (Version == identity.Version)
        {
            return false;
        }
        TempData[FichePage.ErrorKey] = "L'identité a été modifiée par quelqu'un d'autre depuis que vous avez ouvert cette page : relisez ses traits, "
            + "puis recommencez. Rien n'a été enregistré.";
        return true;
    }

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
        var call = await desk.PendingInsiAnswerAsync(Identity.Id, cancellationToken);
        if (call is not null)
        {
            var traits = JsonSerializer.Deserialize<InsiTraitsDto>(call.Traits!)!;
            var differences = QualificationService.Differences(Identity, traits);
            var local = new Dictionary<string, string?>
            {
                ["birthName"] = Identity.BirthName, ["firstNames"] = Identity.FirstNames, ["firstName"] = Identity.FirstName,
                ["birthDate"] = FrenchFormat.Date(Identity.BirthDate), ["sex"] = Identity.Sex.Code(),
                ["birthPlaceCode"] = Identity.BirthPlaceCode,
            };
            var insi = new Dictionary<string, string?>
            {
                ["birthName"] = traits.BirthName, ["firstNames"] = traits.FirstNames, ["firstName"] = traits.FirstName,
                ["birthDate"] = DateOnly.TryParseExact(traits.BirthDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var insiDate) ? FrenchFormat.Date(insiDate) : traits.BirthDate, ["sex"] = traits.Sex, ["birthPlaceCode"] = traits.BirthPlaceCode,
            };
            var rows = local.Keys.Select(k => (k, local[k], insi[k], differences.Any(d => d.Field == k))).ToList();
            var verdict = (await judge.JudgeAsync(Identity, traits, call.InsValue, call.InsOid, cancellationToken)).Verdict;
            Pending = new PendingAnswer(call, differences, rows, verdict);
        }
        return true;
    }
}
