using IdentityRef.Application.Security;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Jobs;
using IdentityRef.Application.Patients;
using IdentityRef.Application.WorkItems;
using System.Globalization;
using IdentityRef.Domain.Common;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Jobs;
using IdentityRef.Server.Patients;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.WorkItems;

/// <summary>
/// <c>/api/work-items</c>: the items the jobs raise (INS re-verification, repeated INSi failures, parked messages, lagging
/// subscriptions). The group's policy lets in the roles that handle any kind; each item is then checked against the policy
/// of its kind, so a user sees and acts on only those kinds (403 for the others).
/// </summary>
public static class WorkItemEndpoints
{
    public const int MaxPageSize = 200;

    public static void MapWorkItemEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/work-items").WithTags("Work items").RequireAuthorization(Policies.WorkItems);
        group.MapGet("/", ListAsync).Produces<PageResponse<WorkItemView>>().ProducesValidationProblem().ProducesProblem(403)
            .WithQuery(("state", "open, in-review or resolved."), ("kind", "A kind of work item your role handles."),
                QueryParameters.Page, QueryParameters.PageSize(50, MaxPageSize))
            .WithSummary("The work items of the kinds you may handle, newest first (state=open|in-review|resolved, kind=…, page, pageSize ≤ 200).");
        group.MapGet("/{id:long}", GetAsync).Produces<WorkItemView>().ProducesProblem(403).ProducesProblem(404)
            .WithSummary("One work item; its details as an object.");
        group.MapPost("/{id:long}/review", ReviewAsync).Produces<WorkItemView>().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Take the item (state in-review); an item in review may be taken over. A resolved item: 409.");
        group.MapPost("/{id:long}/resolve", ResolveAsync).Accepts<ResolveWorkItemRequest>("application/json").Produces<WorkItemView>()
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Resolve the item with what was done ({\"comment\": …}, required, ≤ 500 characters). Twice: 409. A re-verification item resolved makes the identity due again.");
    }

    private static async Task<IResult> ListAsync(HttpContext http, WorkItemQueue queue, IAuthorizationService authorization, CancellationToken ct)
    {
        var q = http.Request.Query;
        var errors = new List<FieldError>();
        var state = q["state"].ToString();
        if (state.Length > 0 && !WorkItemQueue.IsKnownState(state))
        {
            errors.Add(new FieldError("state", "invalid-value", "The state must be open, in-review or resolved."));
        }
        var kind = q["kind"].ToString();
        if (kind.Length > 0 && !WorkItemKinds.All.Contains(kind))
        {
            errors.Add(new FieldError("kind", "invalid-value", "The kind must be one of: " + string.Join(", ", WorkItemKinds.All) + "."));
        }
        var (page, pageSize) = QueryValues.Paging(q, 50, MaxPageSize, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var access = await WorkItemAccessOf.UserAsync(authorization, http.User);
        if (kind.Length > 0 && !access.Allows(kind))
        {
            return Forbidden();
        }
        return Results.Ok(await queue.ListAsync(access, state.Length > 0 ? [state] : null, kind.Length > 0 ? kind : null, page, pageSize, ct));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext http, WorkItemQueue queue, IAuthorizationService authorization, CancellationToken ct) =>
        await FindAsync(id, http, queue, authorization, ct) switch
        {
            (null, var problem) => problem!,
            (var item, _) => Results.Ok(await queue.ViewAsync(item, ct)),
        };

    private static async Task<IResult> ReviewAsync(long id, HttpContext http, WorkItemQueue queue, IAuthorizationService authorization, CancellationToken ct)
    {
        var (item, problem) = await FindAsync(id, http, queue, authorization, ct);
        if (item is null)
        {
            return problem!;
        }
        return await ActAsync(queue, item, () => queue.ReviewAsync(item, HttpActor.From(http), ct), ct);
    }

    private static async Task<IResult> ResolveAsync(long id, HttpContext http, WorkItemQueue queue, IAuthorizationService authorization, IOptions<JsonOptions> json,
        CancellationToken ct)
    {
        var (item, problem) = await FindAsync(id, http, queue, authorization, ct);
        if (item is null)
        {
            return problem!;
        }
        string? comment = null;
        if (http.Request.ContentLength is > 0)
        {
            var body = await JsonBody.ReadAsync<ResolveWorkItemRequest>(http.Request, json.Value.SerializerOptions);
            if (!body.IsSuccess)
            {
                return Problems.Validation(body.Errors);
            }
            comment = body.Value.Comment;
        }
        if (WorkItemQueue.CheckComment(comment) is { } error)
        {
            return Problems.Validation([error]);
        }
        return await ActAsync(queue, item, () => queue.ResolveAsync(item, HttpActor.From(http), comment!, ct), ct);
    }

    /// <summary>The item when it exists and its kind is the user's; else the 404 or 403 to answer.</summary>
    private static async Task<(WorkItem? Item, IResult? Problem)> FindAsync(long id, HttpContext http, WorkItemQueue queue, IAuthorizationService authorization,
        CancellationToken ct)
    {
        if (await queue.FindAsync(id, ct) is not { } item)
        {
            return (null, Problems.NotFound("Work item"));
        }
        return (await WorkItemAccessOf.UserAsync(authorization, http.User)).Allows(item.Kind) ? (item, null) : (null, Forbidden());
    }

    private static async Task<IResult> ActAsync(WorkItemQueue queue, WorkItem item, Func<Task> act, CancellationToken ct)
    {
        try
        {
            await act();
        }
        catch (DomainRuleException rule)
        {
            return Problems.Rule(rule);
        }
        return Results.Ok(await queue.ViewAsync(item, ct));
    }

    private static IResult Forbidden() => Results.Problem(statusCode: StatusCodes.Status403Forbidden,
        title: "Your role does not handle work items of this kind.", type: "https://identityref.local/problems/forbidden");
}
