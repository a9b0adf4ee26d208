using IdentityRef.Application.Qualification;
using IdentityRef.Application.Security;
using System.Globalization;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Server.Web.Pages;

[Authorize(Policy = Policies.PatientsRead)]
public sealed class IndexModel(IdentityRefDbContext db, TimeProvider clock, IAuthorizationService authorization) : PageModel
{
    public CultureInfo French { get; } = CultureInfo.GetCultureInfo("fr-FR");
    public IReadOnlyList<(IdentityStatus Status, int Count)> ByStatus { get; private set; } = [];
    public int Total { get; private set; }
    public int PendingInsiAnswers { get; private set; }
    public int DoubtfulOrFictitious { get; private set; }
    public int InsiErrorsLastDay { get; private set; }

    /// <summary>Share of QUAL among the active identities (0 when there are none).</summary>
    public double QualificationRate => Total == 0 ? 0 : (double)ByStatus.Where(s => s.Status == IdentityStatus.Qual).Sum(s => s.Count) / Total;
    public IReadOnlyList<Integration.QualifiedOnDay> QualifiedPerDay { get; private set; } = [];

    /// <summary>"Santé des flux", for those who watch the messages (null for the others).</summary>
    public IReadOnlyList<Integration.FlowHealth>? FlowHealth { get; private set; }

    /// <summary>Pairs of the vigilance queue not yet resolved (open, in review), for those who work the queue (null for the others).</summary>
    public (int Duplicates, int Collisions, int InReview)? OpenPairs { get; private set; }

    /// <summary>The jobs' work items not yet resolved, by kind, of the kinds the user handles (null for those who handle none).</summary>
    public IReadOnlyList<(string Kind, int Count)>? OpenWorkItems { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var active = db.Identities.AsNoTracking().Where(i => i.MergedIntoId == null);
        var counts = await active.GroupBy(i => i.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        ByStatus = Enum.GetValues<IdentityStatus>().Select(s => (s, counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0)).ToList();
        Total = ByStatus.Sum(s => s.Count);
        var flagged = (int)(IdentityAttributes.Douteuse | IdentityAttributes.Fictive);
        DoubtfulOrFictitious = await active.CountAsync(i => ((int)i.Attributes & flagged) != 0, cancellationToken);
        PendingInsiAnswers = await db.InsiCalls.CountAsync(c => c.Outcome == "00" && c.Decision == null, cancellationToken);
        var since = clock.GetUtcNow().AddDays(-1);
        InsiErrorsLastDay = await db.InsiCalls.CountAsync(c => (c.Outcome == InsiCallOutcomes.Error || c.Outcome == InsiCallOutcomes.Unavailable) && c.CalledAt >= since, cancellationToken);
        QualifiedPerDay = await Integration.Dashboard.QualifiedPerDayAsync(db, clock, 30, cancellationToken);
        if ((await authorization.AuthorizeAsync(User, Policies.Messages)).Succeeded)
        {
            FlowHealth = await Integration.Dashboard.FlowHealthAsync(db, clock, cancellationToken);
        }
        var seesQueue = (await authorization.AuthorizeAsync(User, Policies.Duplicates)).Succeeded;
        if (seesQueue)
        {
            var pairs = db.DuplicateItems.AsNoTracking().Where(d => d.State != DuplicateStates.Resolved);
            OpenPairs = (await pairs.CountAsync(d => d.Kind == DuplicateKinds.Duplicate, cancellationToken),
                await pairs.CountAsync(d => d.Kind == DuplicateKinds.Collision, cancellationToken),
                await pairs.CountAsync(d => d.State == DuplicateStates.InReview, cancellationToken));
        }
        var workItems = await WorkItems.WorkItemAccessOf.UserAsync(authorization, User);
        if (workItems.Any)
        {
            // Only the kinds this user handles, as on the "Signalements" screen the counts link to.
            var items = await workItems.Visible(db.WorkItems.AsNoTracking()).Where(w => w.State != WorkItem.Resolved).GroupBy(w => w.Kind)
                .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
            OpenWorkItems = items.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => (i.Key, i.Count)).ToList();
        }
    }
}
