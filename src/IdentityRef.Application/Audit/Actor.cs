namespace IdentityRef.Application.Audit;

/// <summary>Who acts and under which correlation id: what the audit trail records for each change.</summary>
public sealed record Actor(string Name, string CorrelationId)
{
    public const string Anonymous = "anonymous";

    public static Actor System(string job) => new("system:" + job, Guid.NewGuid().ToString("N"));
}
