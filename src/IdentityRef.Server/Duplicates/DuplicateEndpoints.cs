using IdentityRef.Application.Security;
using IdentityRef.Application.Qualification;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Patients;
using System.Globalization;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Merges;
using IdentityRef.Server.Patients;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Server.Duplicates;

/// <summary>Check-before-create (<c>/api/patients/match</c>) and the vigilance cell's work queue (<c>/api/duplicates</c>).</summary>
public static class DuplicateEndpoints
{
    public static void MapDuplicateEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/patients/match", MatchAsync).WithTags("Patients").RequireAuthorization(Policies.PatientsRead)
            .Accepts<PatientRequest>("application/json").Produces<MatchResponse>().ProducesValidationProblem()
            .WithSummary("The identities that may be this person, best first, with the explanation of each score; creates nothing.");

        var group = app.MapGroup("/api/duplicates").WithTags("Duplicates").RequireAuthorization(Policies.Duplicates);
        group.MapDuplicateGroupEndpoints();
        group.MapGet("/", ListAsync).Produces<PageResponse<DuplicateItemView>>().ProducesValidationProblem()
            .WithQuery(("state", "open, in-review or resolved."), ("kind", "duplicate or collision."), QueryParameters.Page, QueryParameters.PageSize(50, 200))
            .WithSummary("The work queue: potential duplicates and collisions (same INS, INSi contradictions), by descending score (state=open|in-review|resolved, kind=duplicate|collision).");
        group.MapGet("/{id:long}", GetAsync).Produces<DuplicateDetailView>().ProducesProblem(404)
            .WithSummary("A work item: both identities side by side, the explanation of the score, the decisions taken.");
        group.MapPost("/{id:long}/merge", MergeAsync).Accepts<MergeDuplicateRequest>("application/json").Produces<DuplicateDetailView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412)
            .WithSummary("Merge the pair; the body names the surviving identity ({\"survivorIpp\": …}). Two different INS: refused, the item becomes a collision. If-Match (the pair's ETag, from GET): 412 pair-changed when either identity changed since.");
        group.MapPost("/{id:long}/not-duplicate", NotDuplicateAsync).Accepts<DecisionRequest>("application/json").Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Two different people: the pair is not proposed again unless a strict trait of either changes.");
        group.MapPost("/{id:long}/link", LinkAsync).Accepts<DecisionRequest>("application/json").Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("One person's two records that must not be merged (yet), e.g. two INS in conflict: the pair is linked (A24 to the subscriptions that take it), the item resolved as linked. Audited on both identities.");
        group.MapPost("/{id:long}/unlink", UnlinkAsync).Accepts<DecisionRequest>("application/json").Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Undo the link of a pair decided as linked (A37); the item goes back to the queue. 409 not-linked when the pair is not linked.");
        group.MapPost("/{id:long}/traits-corrected", TraitsCorrectedAsync).Accepts<DecisionRequest>("application/json").Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("INSi contradiction: the identity was corrected. Compared again with the INSi answer; refused (409 contradiction-remains) while a trait still contradicts.");
        group.MapPost("/{id:long}/other-person", OtherPersonAsync).Accepts<DecisionRequest>("application/json").Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("INSi contradiction: the INSi answer is another person. The answer is rejected; an INS of that answer held by the identity is deleted (wrongly attributed).");
        group.MapPost("/{id:long}/accept-answer", AcceptAnswerAsync).Accepts<DecisionRequest>("application/json").Produces<DuplicateDetailView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("INSi contradiction: the cell, having checked the person's documents, takes the INSi answer for this identity although the verdict refused it at the desk. A comment (why) is required; audited. The strict traits are replaced and the document check voided.");
        group.MapPost("/{id:long}/review", ReviewAsync).Accepts<DecisionRequest>("application/json").Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Take the item (state in-review).");
        group.MapPost("/detect", DetectAsync).Produces<DetectionSummary>().ProducesValidationProblem()
            .WithQuery(("full", "true: score the whole base (default: the identities changed since the last run)."), ("train", "true, with full: learn the weights by EM first."))
            .WithSummary("Run detection now: full=true scores the whole base in memory (train=true learns the weights first), else the identities changed since the last run.");
    }

    private static async Task<IResult> MatchAsync(HttpContext http, PatientService patients, DuplicateCandidates candidates, IOptions<JsonOptions> json,
        IOptions<DuplicateOptions> options, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<PatientRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        var traits = patients.Validate(body.Value.ToInput());
        if (!traits.IsSuccess)
        {
            return Problems.Validation(traits.Errors);
        }
        var (found, compared) = await candidates.FindAsync(IdentityMatching.ToRecord(traits.Value), exclude: null, ct);
        return Results.Ok(new MatchResponse(found.Any(c => c.Result.Class == MatchClass.Probable), compared,
            found.Take(options.Value.MaxCandidatesShown).Select(CandidateView.From).ToList()));
    }

    private static async Task<IResult> ListAsync(HttpContext http, VigilanceScreens screens, CancellationToken ct)
    {
        var q = http.Request.Query;
        var errors = new List<FieldError>();
        var state = q["state"].ToString();
        if (state.Length > 0 && !DuplicateStates.IsKnown(state))
        {
            errors.Add(new FieldError("state", "invalid-value", "The state must be open, in-review or resolved."));
        }
        var kind = q["kind"].ToString();
        if (kind.Length > 0 && kind is not (DuplicateKinds.Duplicate or DuplicateKinds.Collision))
        {
            errors.Add(new FieldError("kind", "invalid-value", "The kind must be duplicate or collision."));
        }
        var (page, pageSize) = QueryValues.Paging(q, 50, 200, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        return Results.Ok(await screens.QueueAsync(state.Length > 0 ? state : null, kind.Length > 0 ? kind : null, page, pageSize, ct));
    }

    private static async Task<IResult> GetAsync(long id, HttpContext http, VigilanceScreens screens, CancellationToken ct)
    {
        if (await screens.DetailAsync(id, ct) is not { } detail)
        {
            return Problems.NotFound("Duplicate item");
        }
        http.Response.Headers.ETag = detail.ETag;
        return Results.Ok(detail);
    }

    private static async Task<IResult> MergeAsync(long id, HttpContext http, VigilanceScreens screens, DuplicateResolution resolution,
        IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (await screens.ItemAsync(id, ct) is not { } item)
        {
            return Problems.NotFound("Duplicate item");
        }
        var body = await JsonBody.ReadAsync<MergeDuplicateRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        if (string.IsNullOrWhiteSpace(body.Value.SurvivorIpp))
        {
            return Problems.Validation("survivorIpp", "required", "Name the surviving identity by its IPP.");
        }
        if (await screens.SurvivorOfPairAsync(item, body.Value.SurvivorIpp, ct) is not { } survivorId)
        {
            return Problems.Validation("survivorIpp", "not-in-pair", "The survivor must be one of the two identities of the item.");
        }
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        try
        {
            await resolution.MergeAsync(item, survivorId, HttpActor.From(http), null, ct, shownTag: ifMatch.Length > 0 ? ifMatch.Trim() : null);
        }
        catch (DomainRuleException changed) when (changed.Rule == "pair-changed")
        {
            return Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: changed.Message,
                type: "https://identityref.local/problems/pair-changed", extensions: new Dictionary<string, object?> { ["rule"] = changed.Rule });
        }
        return Results.Ok(await screens.DetailAsync(item, ct));
    }

    private static async Task<IResult> NotDuplicateAsync(long id, HttpContext http, VigilanceScreens screens, DuplicateResolution resolution,
        IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, screens, json, ct, (item, actor, comment) => resolution.NotDuplicateAsync(item, actor, comment, ct));

    private static async Task<IResult> LinkAsync(long id, HttpContext http, VigilanceScreens screens, DuplicateResolution resolution,
        IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, screens, json, ct, (item, actor, comment) => resolution.LinkAsync(item, actor, comment, ct));

    private static async Task<IResult> UnlinkAsync(long id, HttpContext http, VigilanceScreens screens, DuplicateResolution resolution,
        IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, screens, json, ct, (item, actor, comment) => resolution.UnlinkAsync(item, actor, comment, ct));

    private static async Task<IResult> ReviewAsync(long id, HttpContext http, VigilanceScreens screens, DuplicateResolution resolution,
        IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, screens, json, ct, (item, actor, comment) => resolution.ReviewAsync(item, actor, comment, ct));

    private static async Task<IResult> TraitsCorrectedAsync(long id, HttpContext http, VigilanceScreens screens,
        InsiContradictions contradictions, IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, screens, json, ct, (item, actor, comment) => contradictions.TraitsCorrectedAsync(item, actor, comment, ct));

    private static async Task<IResult> OtherPersonAsync(long id, HttpContext http, VigilanceScreens screens,
        InsiContradictions contradictions, IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, screens, json, ct, (item, actor, comment) => contradictions.OtherPersonAsync(item, actor, comment, ct));

    private static async Task<IResult> AcceptAnswerAsync(long id, HttpContext http, VigilanceScreens screens,
        InsiContradictions contradictions, IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, screens, json, ct, (item, actor, comment) => contradictions.AcceptAnswerAsync(item, actor, comment!, ct),
            commentRequired: true);

    private static async Task<IResult> DecideAsync(long id, HttpContext http, VigilanceScreens screens,
        IOptions<JsonOptions> json, CancellationToken ct, Func<DuplicateItem, Actor, string?, Task> decide, bool commentRequired = false)
    {
        if (await screens.ItemAsync(id, ct) is not { } item)
        {
            return Problems.NotFound("Duplicate item");
        }
        string? comment = null;
        if (http.Request.ContentLength is > 0)
        {
            var body = await JsonBody.ReadAsync<DecisionRequest>(http.Request, json.Value.SerializerOptions);
            if (!body.IsSuccess)
            {
                return Problems.Validation(body.Errors);
            }
            if (body.Value.Comment is { Length: > 500 })
            {
                return Problems.Validation("comment", "too-long", "At most 500 characters.");
            }
            comment = body.Value.Comment;
        }
        if (commentRequired && string.IsNullOrWhiteSpace(comment))
        {
            // An override of a safety verdict says why, in the audit trail.
            return Problems.Validation("comment", "required", "Say why the cell takes this answer for this person (documents checked, what explains the differences).");
        }
        try
        {
            await decide(item, HttpActor.From(http), comment);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Two decisions at once on one identity: the second finds its version moved and saves nothing.
            return Problems.Rule(new DomainRuleException("item-changed", "The item or its identities changed meanwhile; read it again."));
        }
        return Results.Ok(await screens.DetailAsync(item, ct));
    }

    private static async Task<IResult> DetectAsync(HttpContext http, DuplicateDetection detection, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var full = Flag(http.Request.Query["full"], "full", errors);
        var train = Flag(http.Request.Query["train"], "train", errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (train && !full)
        {
            return Problems.Validation("train", "requires-full", "Weights are learnt only by a full run (full=true).");
        }
        return Results.Ok(full ? await detection.RunFullAsync(train, ct) : await detection.RunIncrementalAsync(ct));
    }

    private static bool Flag(string? text, string field, List<FieldError> errors)
    {
        switch (text)
        {
            case null or "":
                return false;
            case "true":
                return true;
            case "false":
                return false;
            default:
                errors.Add(new FieldError(field, "invalid-value", "true or false."));
                return false;
        }
    }
}
