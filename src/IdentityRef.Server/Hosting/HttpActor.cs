using IdentityRef.Application.Audit;

namespace IdentityRef.Server.Hosting;

/// <summary>The audit actor of an HTTP request.</summary>
public static class HttpActor
{
    /// <summary>The authenticated principal of the request if any, else <c>anonymous</c>.</summary>
    public static Actor From(HttpContext context)
    {
        var name = context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } user } ? user : Actor.Anonymous;
        var correlation = context.Request.Headers["X-Correlation-Id"].FirstOrDefault() is { Length: > 0 and <= 100 } given
            ? given
            : context.TraceIdentifier;
        return new Actor(name, correlation);
    }
}
