using System.Text.Json;
using IdentityRef.Domain.Common;
using Microsoft.AspNetCore.Mvc;

namespace IdentityRef.Server.Hosting;

/// <summary>
/// Every expected failure leaves the API as RFC 9457 ProblemDetails: 400 names each bad field, 404 the unknown
/// resource, 409/422 the national rule that forbids the operation. Validation is never a 500.
/// </summary>
public static class Problems
{
    public static IResult Validation(IReadOnlyList<FieldError> errors) => Results.Problem(new ValidationProblemDetails(
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()))
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "The request holds invalid fields.",
        Type = "https://identityref.local/problems/validation",
        Extensions = { ["fieldErrors"] = errors },
    });

    public static IResult Validation(string field, string code, string message) => Validation([new FieldError(field, code, message)]);

    public static IResult NotFound(string what) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound, title: $"{what} not found.", type: "https://identityref.local/problems/not-found");

    public static IResult Rule(DomainRuleException rule, int status = StatusCodes.Status409Conflict) => Results.Problem(
        statusCode: status,
        title: rule.Message,
        type: "https://identityref.local/problems/rule",
        extensions: rule.Reason is null
            ? new Dictionary<string, object?> { ["rule"] = rule.Rule }
            : new Dictionary<string, object?> { ["rule"] = rule.Rule, ["reason"] = rule.Reason });

    /// <summary>A resend the broadcast's order or the INS rule forbids: 409, the stable code in <c>rule</c>, the reason in <c>detail</c>.</summary>
    public static IResult ResendRefused(Application.Broadcast.ResendRefusal refusal)
    {
        var extensions = new Dictionary<string, object?> { ["rule"] = refusal.Rule };
        if (refusal.LaterMessageId is { } later)
        {
            extensions["laterMessageId"] = later;
        }
        return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "This message cannot be sent again.", detail: refusal.Detail,
            type: "https://identityref.local/problems/rule", extensions: extensions);
    }

    public static IResult PreconditionFailed(string detail) => Results.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed, title: "The identity changed since you read it.", detail: detail,
        type: "https://identityref.local/problems/stale");

    /// <summary>Another change to the same item was saved while this one was being made: nothing of this one was written.</summary>
    public static IResult ConcurrentChange() => Rule(new DomainRuleException("concurrent-change",
        "Another change to this item was saved at the same time; nothing of yours was written: read it again and retry."));

    /// <summary>The database takes no writes (read-only, full disk): the request may be sent again later.</summary>
    public static IResult DatabaseUnavailable(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "60";
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The database does not accept changes at the moment (read-only or full); nothing was written. Try again later.",
            type: "https://identityref.local/problems/database-unavailable",
            extensions: new Dictionary<string, object?> { ["rule"] = "database-unavailable" });
    }

    public static IResult PreconditionRequired() => Results.Problem(
        statusCode: StatusCodes.Status428PreconditionRequired, title: "Send the ETag you read in If-Match to change an identity.",
        type: "https://identityref.local/problems/precondition-required");
}

/// <summary>Reads a JSON body so that malformed JSON and wrong types become field errors (the JSON path names the field).</summary>
public static class JsonBody
{
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options) where T : class
    {
        if (request.ContentLength == 0)
        {
            return new FieldError("body", "required", "A JSON body is required.");
        }
        if (request.HasJsonContentType() is false && request.ContentType is not null)
        {
            return new FieldError("body", "unsupported-media-type", "The body must be JSON (application/json).");
        }
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, request.HttpContext.RequestAborted);
            return value is null ? new FieldError("body", "required", "A JSON object is required.") : Result<T>.Success(value);
        }
        catch (JsonException e)
        {
            return new FieldError(FieldOf(e.Path), "invalid-json", WhatWentWrong(e));
        }
    }

    /// <summary><c>$.ins.value</c> → <c>ins.value</c>; the root → <c>body</c>.</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    // The exception message may quote the input, which can be patient data: say only what kind of error it is.
    private static string WhatWentWrong(JsonException e) =>
        e.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "The body gives this field more than one value."
        : e.InnerException is InvalidOperationException or FormatException || e.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? "The value has the wrong type."
            : "The body is not well-formed JSON.";
}
