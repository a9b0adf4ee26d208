using System.Text.Json;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Persistence.Audit;

namespace IdentityRef.Application.Audit;

/// <summary>Adds audit lines to the unit of work, so that they are saved in the same transaction as the change.</summary>
public static class AuditRecorder
{
    public static void Record(IdentityRefDbContext db, Identity identity, string action, IReadOnlyDictionary<string, string?>? before,
        Actor actor, DateTimeOffset at, object? details = null) =>
        db.AuditTrail.Add(Entry(identity, action, before, actor, at, details));

    /// <summary>The audit line of one change: the fields that changed, before and after.</summary>
    public static AuditEntry Entry(Identity identity, string action, IReadOnlyDictionary<string, string?>? before,
        Actor actor, DateTimeOffset at, object? details = null)
    {
        var (changedBefore, changedAfter) = IdentitySnapshot.Diff(before, IdentitySnapshot.Of(identity));
        return new AuditEntry
        {
            IdentityId = identity.Id,
            Ipp = identity.Ipp,
            Action = action,
            Actor = actor.Name,
            At = at,
            CorrelationId = actor.CorrelationId,
            Before = before is null ? null : JsonSerializer.Serialize(changedBefore),
            After = JsonSerializer.Serialize(changedAfter),
            Details = details is null ? null : JsonSerializer.Serialize(details),
        };
    }
}
