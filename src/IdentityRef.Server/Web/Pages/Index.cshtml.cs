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
        InsiErrorsLastDay = await db.InsiCalls.CountAsync(c => c.Outcome == "error" && c.CalledAt >= since, cancellationToken);
        QualifiedPerDay = await Integration.Dashboard.QualifiedPerDayAsync(db, clock, 30, cancellationToken);
        if ((await authorization.AuthorizeAsync(User, Policies.Messages)).Succeeded)
        {
            FlowHealth = await Integration.Dashboard.FlowHealthAsync(db, clock, cancellationToken);
        }
    }
}
