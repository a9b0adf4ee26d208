using Microsoft.AspNetCore.Authorization;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Security;
using System.Globalization;
using System.Text.Json;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Patients;

/// <summary>The patient master index over HTTP: <c>/api/patients</c>.</summary>
public static class PatientEndpoints
{
    public static void MapPatientEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/patients").WithTags("Patients");

        group.MapPost("/", CreateAsync)
            .RequireAuthorization(Policies.PatientsWrite)
            .Accepts<PatientRequest>("application/json")
            .Produces<PatientResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create an identity (PROV), after checking for probable duplicates.");

        group.MapGet("/{ipp}", GetAsync)
            .ForIdentity(IfMatch.Ignored)
            .RequireAuthorization(Policies.PatientsRead)
            .Produces<PatientResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Read an identity; the ETag header is the version to send back in If-Match.");

        group.MapPut("/{ipp}", UpdateAsync)
            .ForIdentity(IfMatch.Required)
            .RequireAuthorization(Policies.PatientsWrite)
            .Accepts<PatientRequest>("application/json")
            .Produces<PatientResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithSummary("Correct the traits of an identity (If-Match required).");

        group.MapGet("/", SearchAsync)
            .WithQuery(("birthName", "Birth or used name (its start)."), ("firstName", "A first name (its start)."), ("birthDate", "YYYY-MM-DD."),
                ("sex", "F, M or U."), ("status", "PROV, RECUP, VALI or QUAL."), ("includeMerged", "true: merged identities too."),
                QueryParameters.Page, QueryParameters.PageSize(50, 200))
            .RequireAuthorization(Policies.PatientsRead)
            .Produces<PageResponse<PatientResponse>>()
            .ProducesValidationProblem()
            .WithSummary("Find identities by birth or used name (start), first name, birth date, sex, status.");

        group.MapGet("/{ipp}/history", HistoryAsync)
            .ForIdentity(IfMatch.Ignored, etag: false)
            .RequireAuthorization(Policies.PatientsRead)
            .Produces<IReadOnlyList<HistoryEntryResponse>>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The audit trail of an identity: who changed what, when, before and after.");
    }

    private static async Task<IResult> CreateAsync(HttpContext http, PatientService patients, IBirthPlaceDirectory places,
        IOptions<JsonOptions> json, Admission admission, CancellationToken cancellationToken)
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
        var admitted = await admission.CreateAsync(traits.Value, body.Value.ConfirmDuplicate, HttpActor.From(http), cancellationToken);
        if (admitted.Blocked is { } verdict)
        {
            return ProbableDuplicate(verdict);
        }
        var identity = admitted.Created!;
        http.Response.Headers.ETag = IdentityRoute.ETagOf(identity);
        return Results.Created($"/api/patients/{identity.Ipp}", PatientResponse.From(identity, places, warnings: traits.Value.Warnings));
    }

    private static async Task<IResult> GetAsync(IdentityInRoute route, PatientService patients, IBirthPlaceDirectory places, CancellationToken cancellationToken)
    {
        var identity = route.Identity;
        return Results.Ok(PatientResponse.From(identity, places, await patients.IppOfAsync(identity.MergedIntoId, cancellationToken)));
    }

    private static async Task<IResult> UpdateAsync(IdentityInRoute route, HttpContext http, PatientService patients, IBirthPlaceDirectory places,
        IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var identity = route.Identity;
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
        try
        {
            var warnings = await patients.UpdateAsync(identity, traits.Value, HttpActor.From(http), cancellationToken);
            return Results.Ok(PatientResponse.From(identity, places, warnings: [.. traits.Value.Warnings, .. warnings]));
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.PreconditionFailed("Another change was saved first: read the identity again.");
        }
    }

    private static async Task<IResult> SearchAsync(HttpContext http, PatientService patients, IBirthPlaceDirectory places, CancellationToken cancellationToken)
    {
        var q = http.Request.Query;
        var errors = new ErrorCollector();
        string? Name(string field, NameKind kind) =>
            string.IsNullOrWhiteSpace(q[field]) ? null : errors.Take(InsText.Normalize(q[field], field, kind));
        var birthName = Name("birthName", NameKind.Name);
        var firstName = Name("firstName", NameKind.FirstName);
        DateOnly? birthDate = string.IsNullOrWhiteSpace(q["birthDate"]) ? null : errors.Take(BirthDate.Parse(q["birthDate"], patients.Today)).Value;
        Sex? sex = string.IsNullOrWhiteSpace(q["sex"]) ? null : errors.Take(SexCodes.Parse(q["sex"]));
        string? status = q["status"];
        if (!string.IsNullOrWhiteSpace(status) && IdentityStatusCodes.Parse(status) is null)
        {
            errors.Add("status", "invalid-value", "The status must be PROV, RECUP, VALI or QUAL.");
        }
        var page = PositiveInt(q["page"], "page", 1, int.MaxValue, errors);
        var pageSize = PositiveInt(q["pageSize"], "pageSize", 50, 200, errors);
        if (errors.HasErrors)
        {
            return Problems.Validation(errors.Errors);
        }
        var criteria = new PatientService.SearchCriteria(birthName, firstName, birthDate, sex, string.IsNullOrWhiteSpace(status) ? null : status,
            IncludeMerged: q["includeMerged"] == "true", page, pageSize);
        var (items, total) = await patients.SearchAsync(criteria, cancellationToken);
        return Results.Ok(new PageResponse<PatientResponse>(items.Select(i => PatientResponse.From(i, places)).ToList(), page, pageSize, total));
    }

    private static async Task<IResult> HistoryAsync(IdentityInRoute route, HttpContext http, IdentityHistory history,
        IAuthorizationService authorization, CancellationToken cancellationToken)
    {
        var identity = route.Identity;
        // An INS in the trail (a withdrawn one may be another person's) is for the identity vigilance cell only.
        var showIns = (await authorization.AuthorizeAsync(http.User, Policies.Duplicates)).Succeeded;
        var entries = await history.ReadAsync(identity.Id, showIns, newestFirst: false, cancellationToken);
        return Results.Ok(entries.Select(e => new HistoryEntryResponse(e.Id, e.Action, e.Actor, e.At, e.CorrelationId, e.Before, e.After,
            e.Details is null ? null : JsonSerializer.Deserialize<JsonElement>(e.Details))).ToList());
    }

    private static int PositiveInt(string? text, string field, int fallback, int max, ErrorCollector errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > max)
        {
            errors.Add(field, "invalid-value", $"A whole number from 1 to {max}.");
            return fallback;
        }
        return value;
    }

    private static IResult ProbableDuplicate(AdmissionVerdict verdict) => Results.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "A probable duplicate of this person already exists: check the candidates, or confirm with \"confirmDuplicate\": true.",
        type: "https://identityref.local/problems/probable-duplicate",
        extensions: new Dictionary<string, object?> { ["rule"] = "probable-duplicate", ["candidates"] = verdict.Body });
}
