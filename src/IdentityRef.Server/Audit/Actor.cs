namespace IdentityRef.Server.Audit;

/// <summary>Who acts and under which correlation id: what the audit trail records for each change.</summary>
public sealed record Actor(string Name, string CorrelationId)
{
    public const string Anonymous = "anonymous";

    /// <summary>The authenticated principal of the request if any, else <c>anonymous</c>.</summary>
    public static Actor From(HttpContext context)
    {
        var name = context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } user } ? user : Anonymous;
        var correlation = context.Request.Headers["X-Correlation-Id"].FirstOrDefault() is { Length: > 0 and <= 100 } given
            ? given
            : context.TraceIdentifier;
        return new Actor(name, correlation);
    }

    public static Actor System(string job) => new("system:" + job, Guid.NewGuid().ToString("N"));
}
