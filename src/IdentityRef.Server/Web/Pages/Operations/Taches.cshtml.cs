using IdentityRef.Application.Jobs;
using IdentityRef.Application.Security;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages.Operations;

/// <summary>"Tâches planifiées": the jobs of <see cref="JobCatalog"/> and their runs (the same calls as <c>/api/jobs</c>).</summary>
[Authorize(Policy = Policies.Jobs)]
public sealed class TachesModel(JobOperations jobs) : PageModel
{
    public const int RunsShown = 20;

    /// <summary>The job whose recent runs are shown, if any.</summary>
    [BindProperty(SupportsGet = true)] public string? Job { get; set; }

    public IReadOnlyList<JobSummary> Jobs { get; private set; } = [];
    public IReadOnlyList<JobRunDto>? Runs { get; private set; }
    public WebMessages Messages { get; } = new();

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages.TakeFrom(TempData);
        Jobs = await jobs.SummariesAsync(cancellationToken);
        if (Job is { Length: > 0 } && JobCatalog.Find(Job) is { } job)
        {
            Job = job.Name;
            Runs = await jobs.RunsAsync(job, RunsShown, cancellationToken);
        }
    }

    public Task<IActionResult> OnPostRunAsync(string name, CancellationToken cancellationToken) =>
        ActAsync(name, JobOperations.JobAction.Run, "demandée : le résultat apparaîtra dans ses exécutions", cancellationToken);

    public Task<IActionResult> OnPostPauseAsync(string name, CancellationToken cancellationToken) =>
        ActAsync(name, JobOperations.JobAction.Pause, "suspendue : une exécution en cours se termine", cancellationToken);

    public Task<IActionResult> OnPostResumeAsync(string name, CancellationToken cancellationToken) =>
        ActAsync(name, JobOperations.JobAction.Resume, "reprise", cancellationToken);

    private async Task<IActionResult> ActAsync(string name, JobOperations.JobAction action, string done, CancellationToken cancellationToken)
    {
        if (JobCatalog.Find(name) is not { } job)
        {
            Messages.Errors.Add((null, "Cette tâche n'existe pas."));
            await OnGetAsync(cancellationToken);
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        if (!await jobs.ActAsync(job, action, cancellationToken))
        {
            Messages.Errors.Add((null, "Le planificateur est désactivé sur cette instance (Scheduler:Enabled) : aucune tâche ne peut y être lancée, suspendue ou reprise."));
            await OnGetAsync(cancellationToken);
            return Page();
        }
        TempData["success"] = $"Tâche « {OperationsText.Name(job.Name)} » {done}.";
        return Redirect("/taches?job=" + Uri.EscapeDataString(job.Name));
    }
}
