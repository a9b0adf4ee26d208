using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Qualification;
using IdentityRef.Application.Security;
using System.Globalization;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Patients;
using IdentityRef.Server.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Qualification;

/// <summary>INS qualification over HTTP: INSi search, acceptance, document check, withdrawal, attributes.</summary>
public static class QualificationEndpoints
{
    public static void MapQualificationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/patients/{ipp}").WithTags("Qualification").RequireAuthorization(Policies.Qualification);

        group.MapPost("/insi/search", SearchAsync)
            .ForIdentity(IfMatch.Ignored, etag: false)
            .Accepts<InsiSearchRequest>("application/json")
            .Produces<InsiSearchResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .WithSummary("Call the INSi teleservice for this identity (traits, or carte Vitale data) and compare the answer.");
        group.MapPost("/insi/accept", AcceptAsync)
            .ForIdentity(IfMatch.CheckedWhenSent)
            .Accepts<InsiAcceptRequest>("application/json")
            .Produces<PatientResponse>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Accept the INSi answer: the INS traits replace the strict traits; RECUP, or QUAL after a document check.");
        group.MapPost("/insi/reject", RejectAsync)
            .ForIdentity(IfMatch.Ignored, etag: false)
            .Accepts<InsiAcceptRequest>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Reject the INSi answer (the traits do not match the person).");
        group.MapPost("/documents", CheckDocumentAsync)
            .ForIdentity(IfMatch.CheckedWhenSent)
            .Accepts<DocumentRequest>("application/json")
            .Produces<PatientResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Record a high-trust identity document check: PROV → VALI, RECUP → QUAL.");
        group.MapPost("/ins/withdraw", WithdrawAsync)
            .ForIdentity(IfMatch.CheckedWhenSent)
            .Accepts<WithdrawRequest>("application/json")
            .Produces<PatientResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Downgrade: document-invalid (QUAL → RECUP, INS kept locally) or wrongly-attributed (INS deleted).");
        group.MapPut("/attributes", SetAttributesAsync)
            .ForIdentity(IfMatch.CheckedWhenSent)
            .Accepts<AttributesRequest>("application/json")
            .Produces<PatientResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Set the attributes douteuse, fictive, homonyme (douteuse and fictive force PROV).");
    }

    private static async Task<IResult> SearchAsync(IdentityInRoute route, HttpContext http, QualificationService qualification,
        IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var identity = route.Identity;
        VitaleCardDto? vitale = null;
        if (http.Request.ContentLength > 0)
        {
            var body = await JsonBody.ReadAsync<InsiSearchRequest>(http.Request, json.Value.SerializerOptions);
            if (!body.IsSuccess)
            {
                return Problems.Validation(body.Errors);
            }
            vitale = body.Value.Vitale;
        }
        var result = await qualification.SearchAsync(identity, vitale, HttpActor.From(http), cancellationToken);
        if (result.Outcome is not { } outcome)
        {
            return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The INSi teleservice gave no usable answer.",
                detail: result.Call.Error, type: "https://identityref.local/problems/insi",
                extensions: new Dictionary<string, object?> { ["callId"] = result.Call.Id, ["error"] = result.Error!.GetType().Name });
        }
        var individual = outcome.Individual;
        var traits = individual is null ? null : new InsiTraitsDto(individual.Traits.BirthName, individual.Traits.FirstName,
            individual.Traits.FirstNamesList, individual.Traits.Sex.ToString(), individual.Traits.BirthDate, individual.Traits.BirthPlaceCode);
        return Results.Ok(new InsiSearchResponse(
            result.Call.Id, outcome.CodeText, outcome.Label, outcome.Calls,
            individual is null ? null : new InsDto(individual.ActiveIns.WithKey, individual.ActiveIns.Oid),
            individual?.History.Select(h => new InsDto(h.WithKey ?? h.Matricule13, h.Oid)).ToList(),
            traits,
            traits is null ? [] : QualificationService.Differences(identity, traits),
            Warnings(result.Warnings),
            result.Verdict is null ? null : InsiVerdictDto.From(result.Verdict)));
    }

    private static async Task<IResult> AcceptAsync(IdentityInRoute route, HttpContext http, QualificationService qualification,
        IBirthPlaceDirectory places, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var identity = route.Identity;
        var body = await OptionalBody<InsiAcceptRequest>(http, json);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        var accepted = await qualification.AcceptAsync(identity, body.Value?.CallId, HttpActor.From(http), cancellationToken);
        // The identity, with the remarks on side effects (the document check voided by corrected traits).
        return Results.Ok(PatientResponse.From(identity, places, warnings: accepted.Warnings));
    }

    private static async Task<IResult> RejectAsync(IdentityInRoute route, HttpContext http, QualificationService qualification,
        IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var identity = route.Identity;
        var body = await OptionalBody<InsiAcceptRequest>(http, json);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        await qualification.RejectAsync(identity, body.Value?.CallId, HttpActor.From(http), cancellationToken);
        return Results.NoContent();
    }

    private static async Task<IResult> CheckDocumentAsync(IdentityInRoute route, HttpContext http, QualificationService qualification,
        IBirthPlaceDirectory places, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var identity = route.Identity;
        var body = await JsonBody.ReadAsync<DocumentRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        var errors = new ErrorCollector();
        if (string.IsNullOrWhiteSpace(body.Value.Type) || body.Value.Type.Trim().Length > 4)
        {
            errors.Add("type", "required", "The document type is required (PAM FR ZFD-7 code, e.g. PA, CN, CS, IE, AV).");
        }
        DateOnly? expires = null;
        if (!string.IsNullOrWhiteSpace(body.Value.Expires))
        {
            if (DateOnly.TryParseExact(body.Value.Expires, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                expires = date;
            }
            else
            {
                errors.Add("expires", "invalid-format", "Expected a date as YYYY-MM-DD.");
            }
        }
        DocumentCheck.ValidateNumber(body.Value.Number, errors);
        if (errors.HasErrors)
        {
            return Problems.Validation(errors.Errors);
        }
        await qualification.CheckDocumentAsync(identity, body.Value.Type!, body.Value.Number, expires, HttpActor.From(http), cancellationToken);
        return Ok(identity, places);
    }

    private static async Task<IResult> WithdrawAsync(IdentityInRoute route, HttpContext http, QualificationService qualification,
        IBirthPlaceDirectory places, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var identity = route.Identity;
        var body = await JsonBody.ReadAsync<WithdrawRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        InsWithdrawal? reason = body.Value.Reason switch
        {
            "document-invalid" => InsWithdrawal.DocumentInvalid,
            "wrongly-attributed" => InsWithdrawal.WronglyAttributed,
            _ => null,
        };
        if (reason is null)
        {
            return Problems.Validation("reason", "invalid-value", "The reason must be document-invalid or wrongly-attributed.");
        }
        await qualification.WithdrawInsAsync(identity, reason.Value, HttpActor.From(http), cancellationToken);
        return Ok(identity, places);
    }

    private static async Task<IResult> SetAttributesAsync(IdentityInRoute route, HttpContext http, QualificationService qualification,
        IBirthPlaceDirectory places, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var identity = route.Identity;
        var body = await JsonBody.ReadAsync<AttributesRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        if (body.Value.Attributes is null)
        {
            return Problems.Validation("attributes", "required", "The list of attributes is required (it may be empty).");
        }
        var attributes = IdentityAttributes.None;
        var errors = new ErrorCollector();
        for (var i = 0; i < body.Value.Attributes.Count; i++)
        {
            var code = body.Value.Attributes[i]?.Trim().ToLowerInvariant();
            var known = IdentityAttributeCodes.All.FirstOrDefault(a => a.Code == code);
            if (known.Code is null)
            {
                errors.Add($"attributes[{i}]", "invalid-value", "An attribute is douteuse, fictive or homonyme.");
            }
            attributes |= known.Flag;
        }
        if (errors.HasErrors)
        {
            return Problems.Validation(errors.Errors);
        }
        await qualification.SetAttributesAsync(identity, attributes, HttpActor.From(http), cancellationToken);
        return Ok(identity, places);
    }

    private static async Task<Result<T?>> OptionalBody<T>(HttpContext http, IOptions<JsonOptions> json) where T : class
    {
        if (http.Request.ContentLength is null or 0)
        {
            return Result<T?>.Success(null);
        }
        var body = await JsonBody.ReadAsync<T>(http.Request, json.Value.SerializerOptions);
        return body.IsSuccess ? Result<T?>.Success(body.Value) : Result<T?>.Failure(body.Errors);
    }

    private static IResult Ok(Identity identity, IBirthPlaceDirectory places) => Results.Ok(PatientResponse.From(identity, places));

    private static IReadOnlyList<WarningDto>? Warnings(IReadOnlyList<FieldWarning> warnings) =>
        warnings.Count == 0 ? null : warnings.Select(w => new WarningDto(w.Field, w.Code, w.Message)).ToList();
}
