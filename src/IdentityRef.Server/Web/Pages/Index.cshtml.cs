using IdentityRef.Application.Qualification;
using IdentityRef.Application.Security;
using System.Globalization;
using IdentityRef.Domain.Identities;
using IdentityRef.Application.Dashboard;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityRef.Server.Web.Pages;

[Authorize(Policy = Policies.PatientsRead)]
public sealed class IndexModel(HomeDashboard dashboard, IAuthorizationService authorization) : PageModel
{
    public CultureInfo French { get; } = CultureInfo.GetCultureInfo("fr-FR");
    public IReadOnlyList<(IdentityStatus Status, int Count)> ByStatus { get; private set; } = [];
    public int Total { get; private set; }
    public int PendingInsiAnswers { get; private set; }
    public int DoubtfulOrFictitious { get; private set; }
    public int InsiErrorsLastDay { get; private set; }

    /// <summary>Share of QUAL among the active identities (0 when there are none).</summary>
    public double QualificationRate => Total == 0 ? 0 : (double)ByStatus.Where(s => s.Status == IdentityStatus.Qual).Sum(s => s.Count) / Total;
    public IReadOnlyList<QualifiedOnDay> QualifiedPerDay { get; private set; } = [];

    /// <summary>"Santé des flux", for those who watch the messages (null for the others).</summary>
    public IReadOnlyList<FlowHealth>? FlowHealth { get; private set; }

    /// <summary>Pairs of the vigilance queue not yet resolved (open, in review), for those who work the queue (null for the others).</summary>
    public (int Duplicates, int Collisions, int InReview)? OpenPairs { get; private set; }

    /// <summary>The jobs' work items not yet resolved, by kind, of the kinds the user handles (null for those who handle none).</summary>
    public IReadOnlyList<(string Kind, int Count)>? OpenWorkItems { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var counts = await dashboard.CountsAsync(cancellationToken);
        ByStatus = counts.ByStatus;
        Total = ByStatus.Sum(s => s.Count);
        DoubtfulOrFictitious = counts.DoubtfulOrFictitious;
        PendingInsiAnswers = counts.PendingInsiAnswers;
        InsiErrorsLastDay = counts.InsiErrorsLastDay;
        QualifiedPerDay = await dashboard.QualifiedPerDayAsync(30, cancellationToken);
        if ((await authorization.AuthorizeAsync(User, Policies.Messages)).Succeeded)
        {
            FlowHealth = await dashboard.FlowHealthAsync(cancellationToken);
        }
        if ((await authorization.AuthorizeAsync(User, Policies.Duplicates)).Succeeded)
        {
            OpenPairs = await dashboard.OpenPairsAsync(cancellationToken);
        }
        var workItems = await WorkItems.WorkItemAccessOf.UserAsync(authorization, User);
        if (workItems.Any)
        {
            // Only the kinds this user handles, as on the "Signalements" screen the counts link to.
            OpenWorkItems = await dashboard.OpenWorkItemsAsync(workItems, cancellationToken);
        }
    }
}
