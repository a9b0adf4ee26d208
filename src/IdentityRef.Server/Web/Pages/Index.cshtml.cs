using System.Globalization;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Server.Web.Pages;

[Authorize(Policy = Policies.PatientsRead)]
public sealed class IndexModel(IdentityRefDbContext db, TimeProvider clock) : PageModel
{
    public CultureInfo French { get; } = CultureInfo.GetCultureInfo("fr-FR");
    public IReadOnlyList<(IdentityStatus Status, int Count)> ByStatus { get; private set; } = [];
    public int Total { get; private set; }
    public int PendingInsiAnswers { get; private set; }
    public int DoubtfulOrFictitious { get; private set; }
    public int InsiErrorsLastDay { get; private set; }

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
    }
}
