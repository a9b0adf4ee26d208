namespace IdentityRef.Persistence.Audit;

/// <summary>
/// One line of the append-only audit trail: who did what to which identity, when, with the fields before and
/// after. The database refuses updates and deletes of this table (triggers in the migrations).
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; init; }
    public Guid? IdentityId { get; init; }
    public string? Ipp { get; init; }

    /// <summary>A stable verb, e.g. <c>identity.created</c>, <c>ins.accepted</c>.</summary>
    public required string Action { get; init; }

    public required string Actor { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string CorrelationId { get; init; }

    /// <summary>JSON object of the changed fields before the change (null for a creation).</summary>
    public string? Before { get; init; }

    /// <summary>JSON object of the changed fields after the change.</summary>
    public string? After { get; init; }

    /// <summary>Free details (a reason, a confirmation): JSON, never shown in logs.</summary>
    public string? Details { get; init; }
}
