using System.Globalization;
using IdentityRef.Application.Patients;
using IdentityRef.Domain.Identities;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IdentityRef.Server.Hosting;

/// <summary>How an endpoint on one identity (<c>{ipp}</c> in its route) treats <c>If-Match</c>.</summary>
public enum IfMatch
{
    /// <summary>A read: no precondition.</summary>
    Ignored,

    /// <summary>An action: checked when the client sends it (a stale ETag is 412); without it the action applies to the current version.</summary>
    CheckedWhenSent,

    /// <summary>A correction of the traits: 428 without it, 412 when stale.</summary>
    Required,
}

/// <summary>
/// The opening that every endpoint on one identity shared: load it by the <c>{ipp}</c> of the route (404 ProblemDetails),
/// check <c>If-Match</c> as the endpoint asks, and answer a success with the ETag of the identity as it is after the
/// handler. The handler receives the loaded identity as an <see cref="IdentityInRoute"/> parameter.
/// </summary>
public static class IdentityRoute
{
    /// <summary>Adds the opening to an endpoint (or a group) whose route has <c>{ipp}</c>; <paramref name="etag"/>: the answer
    /// represents the identity (not, say, its history) and carries its ETag.</summary>
    public static TBuilder ForIdentity<TBuilder>(this TBuilder builder, IfMatch ifMatch, bool etag = true) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new Filter(ifMatch, etag)).AddOpenApiOperationTransformer((operation, _, _) =>
        {
            // No handler parameter binds {ipp} any more: the contract still names it.
            operation.Parameters ??= [];
            operation.Parameters.Insert(0, new OpenApiParameter
            {
                Name = "ipp", In = ParameterLocation.Path, Required = true, Description = "The identity's IPP.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            return Task.CompletedTask;
        });

    /// <summary>The identity's version as an HTTP entity tag.</summary>
    public static string ETagOf(Identity identity) => $"\"{identity.Version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Optimistic concurrency over HTTP: If-Match must carry the ETag read; 428 without it, 412 when stale.</summary>
    public static IResult? CheckIfMatch(HttpContext http, Identity identity)
    {
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return Problems.PreconditionRequired();
        }
        var current = ETagOf(identity);
        var matches = ifMatch.Split(',').Select(t => t.Trim()).Any(t => t == "*" || t == current || t == "W/" + current);
        return matches ? null : Problems.PreconditionFailed($"Your version is {ifMatch}, the current one is {current}.");
    }

    private sealed class Filter(IfMatch ifMatch, bool etag) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            var ipp = http.Request.RouteValues["ipp"] as string ?? "";
            var patients = http.RequestServices.GetRequiredService<PatientService>();
            if (await patients.FindAsync(ipp, http.RequestAborted) is not { } identity)
            {
                return Problems.NotFound("Identity");
            }
            var check = ifMatch == IfMatch.Required || (ifMatch == IfMatch.CheckedWhenSent && !string.IsNullOrWhiteSpace(http.Request.Headers.IfMatch));
            if (check && CheckIfMatch(http, identity) is { } precondition)
            {
                return precondition;
            }
            var holder = context.Arguments.OfType<IdentityInRoute>().FirstOrDefault()
                ?? throw new InvalidOperationException("An endpoint with .ForIdentity(…) takes an IdentityInRoute parameter.");
            holder.Load(identity);
            var result = await next(context);
            if (etag && result is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } && !http.Response.HasStarted)
            {
                http.Response.Headers.ETag = ETagOf(identity); // the version after the handler's change
            }
            return result;
        }
    }
}

/// <summary>
/// The identity of the route, as a handler's parameter: bound empty (parameters are bound before filters run), then
/// loaded by <see cref="IdentityRoute"/>'s filter before the handler is called.
/// </summary>
public sealed class IdentityInRoute
{
    private Identity? _identity;

    public Identity Identity => _identity ?? throw new InvalidOperationException("This endpoint needs .ForIdentity(…) to load the identity of its route.");

    internal void Load(Identity identity) => _identity = identity;

    public static ValueTask<IdentityInRoute?> BindAsync(HttpContext http) => ValueTask.FromResult<IdentityInRoute?>(new IdentityInRoute());
}
