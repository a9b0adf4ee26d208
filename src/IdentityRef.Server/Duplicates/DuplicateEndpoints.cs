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
        group.MapGet("/", ListAsync).Produces<PageResponse<DuplicateItemView>>().ProducesValidationProblem()
            .WithSummary("The work queue: potential duplicates and collisions (same INS, INSi contradictions), by descending score (state=open|in-review|resolved, kind=duplicate|collision).");
        group.MapGet("/{id:long}", GetAsync).Produces<DuplicateDetailView>().ProducesProblem(404)
            .WithSummary("A work item: both identities side by side, the explanation of the score, the decisions taken.");
        group.MapPost("/{id:long}/merge", MergeAsync).Produces<DuplicateDetailView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Merge the pair; the body names the surviving identity ({\"survivorIpp\": …}). Two different INS: refused, the item becomes a collision.");
        group.MapPost("/{id:long}/not-duplicate", NotDuplicateAsync).Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Two different people: the pair is not proposed again unless a strict trait of either changes.");
        group.MapPost("/{id:long}/traits-corrected", TraitsCorrectedAsync).Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("INSi contradiction: the identity was corrected. Compared again with the INSi answer; refused (409 contradiction-remains) while a trait still contradicts.");
        group.MapPost("/{id:long}/other-person", OtherPersonAsync).Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("INSi contradiction: the INSi answer is another person. The answer is rejected; an INS of that answer held by the identity is deleted (wrongly attributed).");
        group.MapPost("/{id:long}/accept-answer", AcceptAnswerAsync).Produces<DuplicateDetailView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("INSi contradiction: the cell, having checked the person's documents, takes the INSi answer for this identity although the verdict refused it at the desk. A comment (why) is required; audited. The strict traits are replaced and the document check voided.");
        group.MapPost("/{id:long}/review", ReviewAsync).Produces<DuplicateDetailView>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Take the item (state in-review).");
        group.MapPost("/detect", DetectAsync).Produces<DetectionSummary>().ProducesValidationProblem()
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

    private static async Task<IResult> ListAsync(HttpContext http, IdentityRefDbContext db, CancellationToken ct)
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
        return Results.Ok(await QueueAsync(db, state.Length > 0 ? state : null, kind.Length > 0 ? kind : null, page, pageSize, ct));
    }

    /// <summary>A page of the work queue by descending score (the API and the web screen share it); null filters take everything.</summary>
    public static async Task<PageResponse<DuplicateItemView>> QueueAsync(IdentityRefDbContext db, string? state, string? kind, int page, int pageSize,
        CancellationToken ct)
    {
        var query = db.DuplicateItems.AsNoTracking();
        if (state is not null)
        {
            query = query.Where(d => d.State == state);
        }
        if (kind is not null)
        {
            query = query.Where(d => d.Kind == kind);
        }
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(d => d.Score).ThenBy(d => d.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var ipps = await IppsAsync(db, items, ct);
        return new PageResponse<DuplicateItemView>(items.Select(d => DuplicateViews.From(d, ipps)).ToList(), page, pageSize, total);
    }

    /// <summary>The identity named by <paramref name="survivorIpp"/> when it is one of the pair, else null.</summary>
    public static async Task<Guid?> SurvivorOfPairAsync(IdentityRefDbContext db, DuplicateItem item, string survivorIpp, CancellationToken ct)
    {
        var ipp = survivorIpp.Trim();
        var survivor = await db.Identities.AsNoTracking().Where(i => i.Ipp == ipp).Select(i => (Guid?)i.Id).FirstOrDefaultAsync(ct);
        return survivor is { } id && (id == item.IdentityA || id == item.IdentityB) ? id : null;
    }

    private static async Task<IResult> GetAsync(long id, IdentityRefDbContext db, IBirthPlaceDirectory places, InsiContradictions contradictions, CancellationToken ct) =>
        await db.DuplicateItems.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) is { } item
            ? Results.Ok(await DetailAsync(db, item, places, contradictions, ct))
            : Problems.NotFound("Duplicate item");

    private static async Task<IResult> MergeAsync(long id, HttpContext http, IdentityRefDbContext db, DuplicateResolution resolution, IBirthPlaceDirectory places,
        InsiContradictions contradictions, IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (await db.DuplicateItems.FirstOrDefaultAsync(d => d.Id == id, ct) is not { } item)
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
        if (await SurvivorOfPairAsync(db, item, body.Value.SurvivorIpp, ct) is not { } survivorId)
        {
            return Problems.Validation("survivorIpp", "not-in-pair", "The survivor must be one of the two identities of the item.");
        }
        await resolution.MergeAsync(item, survivorId, HttpActor.From(http), null, ct);
        return Results.Ok(await DetailAsync(db, item, places, contradictions, ct));
    }

    private static async Task<IResult> NotDuplicateAsync(long id, HttpContext http, IdentityRefDbContext db, DuplicateResolution resolution,
        IBirthPlaceDirectory places, InsiContradictions contradictions, IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, db, places, contradictions, json, ct, (item, actor, comment) => resolution.NotDuplicateAsync(item, actor, comment, ct));

    private static async Task<IResult> ReviewAsync(long id, HttpContext http, IdentityRefDbContext db, DuplicateResolution resolution,
        IBirthPlaceDirectory places, InsiContradictions contradictions, IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, db, places, contradictions, json, ct, (item, actor, comment) => resolution.ReviewAsync(item, actor, comment, ct));

    private static async Task<IResult> TraitsCorrectedAsync(long id, HttpContext http, IdentityRefDbContext db, IBirthPlaceDirectory places,
        InsiContradictions contradictions, IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, db, places, contradictions, json, ct, (item, actor, comment) => contradictions.TraitsCorrectedAsync(item, actor, comment, ct));

    private static async Task<IResult> OtherPersonAsync(long id, HttpContext http, IdentityRefDbContext db, IBirthPlaceDirectory places,
        InsiContradictions contradictions, IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, db, places, contradictions, json, ct, (item, actor, comment) => contradictions.OtherPersonAsync(item, actor, comment, ct));

    private static async Task<IResult> AcceptAnswerAsync(long id, HttpContext http, IdentityRefDbContext db, IBirthPlaceDirectory places,
        InsiContradictions contradictions, IOptions<JsonOptions> json, CancellationToken ct) =>
        await DecideAsync(id, http, db, places, contradictions, json, ct, (item, actor, comment) => contradictions.AcceptAnswerAsync(item, actor, comment!, ct),
            commentRequired: true);

    private static async Task<IResult> DecideAsync(long id, HttpContext http, IdentityRefDbContext db, IBirthPlaceDirectory places, InsiContradictions contradictions,
        IOptions<JsonOptions> json, CancellationToken ct, Func<DuplicateItem, Actor, string?, Task> decide, bool commentRequired = false)
    {
        if (await db.DuplicateItems.FirstOrDefaultAsync(d => d.Id == id, ct) is not { } item)
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
        return Results.Ok(await DetailAsync(db, item, places, contradictions, ct));
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

    public static async Task<DuplicateDetailView> DetailAsync(IdentityRefDbContext db, DuplicateItem item, IBirthPlaceDirectory places, InsiContradictions contradictions,
        CancellationToken ct)
    {
        var identities = await db.Identities.AsNoTracking().Where(i => i.Id == item.IdentityA || i.Id == item.IdentityB).ToDictionaryAsync(i => i.Id, ct);
        var mergedInto = identities.Values.Where(i => i.MergedIntoId is not null).Select(i => i.MergedIntoId!.Value).ToList();
        var survivors = await db.Identities.AsNoTracking().Where(i => mergedInto.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Ipp, ct);
        PatientResponse View(Guid id)
        {
            var identity = identities[id];
            return PatientResponse.From(identity, places, identity.MergedIntoId is { } s ? survivors.GetValueOrDefault(s) : null);
        }
        var ipps = identities.ToDictionary(p => p.Key, p => p.Value.Ipp);
        // The teleservice's side of a contradiction is shown as it answered; a local INS only for a qualified identity.
        var explanation = IdentityMatching.FromJson(item.Explanation) is { } stored
            ? IdentityMatching.Masked(stored, identities[item.IdentityA].Status == IdentityStatus.Qual,
                item.IdentityB is not { } b || identities[b].Status == IdentityStatus.Qual)
            : null;
        var insi = item.IsInsiContradiction && item.InsiCallId is { } callId
            ? await InsiAnswerAsync(db, identities[item.IdentityA], callId, contradictions, ct)
            : null;
        return new DuplicateDetailView(DuplicateViews.From(item, ipps), View(item.IdentityA), item.IdentityB is { } other ? View(other) : null, explanation,
            DuplicateQueue.Decisions(item), insi);
    }

    private static async Task<InsiAnswerView?> InsiAnswerAsync(IdentityRefDbContext db, Identity identity, long callId, InsiContradictions contradictions,
        CancellationToken ct)
    {
        var call = await db.InsiCalls.AsNoTracking().FirstAsync(c => c.Id == callId, ct);
        if (InsiContradictions.TraitsOf(call) is not { } traits)
        {
            return null;
        }
        var differences = QualificationService.Differences(identity, traits);
        var local = new (string Field, string? Value)[]
        {
            ("birthName", identity.BirthName), ("firstNames", identity.FirstNames), ("firstName", identity.FirstName),
            ("birthDate", identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("sex", identity.Sex.Code()), ("birthPlaceCode", identity.BirthPlaceCode),
        };
        var insi = new Dictionary<string, string?>
        {
            ["birthName"] = traits.BirthName, ["firstNames"] = traits.FirstNames, ["firstName"] = traits.FirstName, ["birthDate"] = traits.BirthDate,
            ["sex"] = traits.Sex, ["birthPlaceCode"] = traits.BirthPlaceCode,
        };
        var rows = local.Select(l => new InsiTraitRow(l.Field, l.Value, insi[l.Field], differences.Any(d => d.Field == l.Field))).ToList();
        var now = await contradictions.CompareAsync(identity, traits, call.InsValue, ct);
        return new InsiAnswerView(call.Id, call.CalledAt, call.Operation, call.Actor, call.Outcome, call.Decision,
            call.InsValue is null ? null : new InsDto(call.InsValue, call.InsOid), traits, rows, now.Contradicting);
    }

    private static async Task<Dictionary<Guid, string>> IppsAsync(IdentityRefDbContext db, IReadOnlyList<DuplicateItem> items, CancellationToken ct)
    {
        var ids = items.SelectMany(d => d.IdentityB is { } b ? new[] { d.IdentityA, b } : [d.IdentityA]).Distinct().ToList();
        return await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Ipp, ct);
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
