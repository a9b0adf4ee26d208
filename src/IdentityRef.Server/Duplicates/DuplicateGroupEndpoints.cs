using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Patients;
using IdentityRef.Domain.Common;
using IdentityRef.Server.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Duplicates;

/// <summary>
/// Duplicates as groups (<c>/api/duplicates/groups</c>): the open pairs of the queue joined into groups of records of one person,
/// each read with its ETag and merged into one survivor in one decision (If-Match required: a group is many identities).
/// </summary>
public static class DuplicateGroupEndpoints
{
    public static void MapDuplicateGroupEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/groups", ListAsync).Produces<PageResponse<DuplicateGroupSummary>>().ProducesValidationProblem()
            .WithQuery(("minSize", "the smallest group shown (2 to 1000, default 2)."), QueryParameters.Page, QueryParameters.PageSize(50, 200))
            .WithSummary("The open probable/possible pairs joined into groups (connected components), the strongest weakest link first; each with its members and its weakest link.");
        group.MapGet("/groups/{id:long}", GetAsync).Produces<DuplicateGroupView>().ProducesProblem(404)
            .WithSummary("The group of the open item {id}: every member, every open link, the weakest link, the pairs that block merging the whole group; the ETag to merge it.");
        group.MapPost("/groups/{id:long}/merge", MergeAsync).Accepts<MergeGroupRequest>("application/json").Produces<GroupMergeOutcome.Merged>()
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(428)
            .WithSummary("Merge the whole group of item {id} into the member {\"survivorIpp\": …}: one merge (one A40) per merged record, in order, all or nothing. If-Match (the group's ETag) required; 412 when the group changed; 409 naming the pair and the rule when one merge is refused (nothing written).");
    }

    private static async Task<IResult> ListAsync(HttpContext http, DuplicateGroups groups, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var minSize = QueryValues.PositiveNumber(http.Request.Query["minSize"], "minSize", 2, 1000, errors);
        var (page, pageSize) = QueryValues.Paging(http.Request.Query, 50, 200, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        return Results.Ok(await groups.ListAsync(page, pageSize, Math.Max(2, minSize), ct));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext http, DuplicateGroups groups, CancellationToken ct)
    {
        if (await groups.GroupOfAsync(id, ct) is not { } view)
        {
            return Problems.NotFound("Open duplicate group");
        }
        http.Response.Headers.ETag = view.ETag;
        return Results.Ok(view);
    }

    private static async Task<IResult> MergeAsync(long id, HttpContext http, DuplicateGroups groups, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return Results.Problem(statusCode: StatusCodes.Status428PreconditionRequired,
                title: "Send the group's ETag you read in If-Match to merge it.", type: "https://identityref.local/problems/precondition-required");
        }
        var body = await JsonBody.ReadAsync<MergeGroupRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        if (string.IsNullOrWhiteSpace(body.Value.SurvivorIpp))
        {
            return Problems.Validation("survivorIpp", "required", "Name the surviving identity by its IPP.");
        }
        if (body.Value.Comment is { Length: > 500 })
        {
            return Problems.Validation("comment", "too-long", "At most 500 characters.");
        }
        return await groups.MergeAsync(id, body.Value.SurvivorIpp, ifMatch, HttpActor.From(http), body.Value.Comment, ct) switch
        {
            GroupMergeOutcome.Merged merged => Results.Ok(merged),
            GroupMergeOutcome.NotFound => Problems.NotFound("Open duplicate group"),
            GroupMergeOutcome.Stale stale => Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed,
                title: "The group changed since you read it (a pair decided or found, a member changed): nothing was merged; read it again.",
                detail: $"Your version is {ifMatch}, the current one is {stale.Current}.", type: "https://identityref.local/problems/stale",
                extensions: new Dictionary<string, object?> { ["rule"] = "group-changed" }),
            GroupMergeOutcome.NotAMember => Problems.Validation("survivorIpp", "not-in-group", "The survivor must be one of the identities of the group."),
            GroupMergeOutcome.Refused refused => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: refused.Message,
                type: "https://identityref.local/problems/rule",
                extensions: new Dictionary<string, object?>
                {
                    ["rule"] = refused.Rule, ["pair"] = new { ippA = refused.IppA, ippB = refused.IppB, itemId = refused.ItemId },
                }),
            _ => throw new InvalidOperationException("Unknown group merge outcome."),
        };
    }
}
