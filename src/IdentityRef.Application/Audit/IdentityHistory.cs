using System.Text.Json;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Audit;

/// <summary>One line of an identity's audit trail, its fields before and after as the reader may see them.</summary>
public sealed record HistoryEntry(long Id, string Action, string Actor, DateTimeOffset At, string CorrelationId,
    Dictionary<string, string?>? Before, Dictionary<string, string?>? After, string? Details);

/// <summary>
/// The audit trail of one identity, for the API and the identity page alike. The trail keeps every INS an identity held,
/// including one withdrawn as wrongly attributed — another person's INS: it is shown only to the identity vigilance cell,
/// whose work it is (<c>showIns</c>: the <c>duplicates</c> policy); everyone else reads it masked, whatever the status.
/// </summary>
public sealed class IdentityHistory(IdentityRefDbContext db)
{
    public const string Masked = "(masqué)";

    private static readonly string[] InsFields = ["ins", "insHistory"];

    public async Task<IReadOnlyList<HistoryEntry>> ReadAsync(Guid identityId, bool showIns, bool newestFirst, CancellationToken cancellationToken)
    {
        var query = db.AuditTrail.AsNoTracking().Where(a => a.IdentityId == identityId);
        var entries = await (newestFirst ? query.OrderByDescending(a => a.Id) : query.OrderBy(a => a.Id)).ToListAsync(cancellationToken);
        return [.. entries.Select(e => new HistoryEntry(e.Id, e.Action, e.Actor, e.At, e.CorrelationId, Fields(e.Before, showIns), Fields(e.After, showIns), e.Details))];
    }

    private static Dictionary<string, string?>? Fields(string? json, bool showIns)
    {
        if (json is null)
        {
            return null;
        }
        var fields = JsonSerializer.Deserialize<Dictionary<string, string?>>(json) ?? [];
        if (!showIns)
        {
            foreach (var field in InsFields.Where(f => !string.IsNullOrEmpty(fields.GetValueOrDefault(f))))
            {
                fields[field] = Masked;
            }
        }
        return fields;
    }
}
