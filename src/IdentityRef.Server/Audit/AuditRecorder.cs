using System.Text.Json;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using IdentityRef.Persistence.Audit;

namespace IdentityRef.Server.Audit;

/// <summary>Adds audit lines to the unit of work, so that they are saved in the same transaction as the change.</summary>
public static class AuditRecorder
{
    public static void Record(IdentityRefDbContext db, Identity identity, string action, IReadOnlyDictionary<string, string?>? before,
        Actor actor, DateTimeOffset at, object? details = null)
    {
        var (changedBefore, changedAfter) = IdentitySnapshot.Diff(before, IdentitySnapshot.Of(identity));
        db.AuditTrail.Add(new AuditEntry
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
        });
    }
}
