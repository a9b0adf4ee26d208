using System.Diagnostics;

namespace IdentityRef.Server.Hosting;

/// <summary>
/// One log line per request with the route template, never the path or the query string: a query such as
/// <c>?birthName=DUPONT&amp;birthDate=1970-01-01</c> is patient data.
/// </summary>
public sealed class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            logger.RequestFailed(context.Request.Method, RouteOf(context), e.GetType().Name, e);
            throw;
        }
        logger.RequestHandled(context.Request.Method, RouteOf(context), context.Response.StatusCode,
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static string RouteOf(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
}
