using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace IdentityRef.Server.Fhir;

/// <summary>FHIR answers: resources serialised by the Firely SDK as <c>application/fhir+json</c>, and an OperationOutcome for every error.</summary>
public static class FhirResults
{
    public const string ContentType = "application/fhir+json";

    public static JsonSerializerOptions Json { get; } = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static IResult Resource(Resource resource, int status = StatusCodes.Status200OK) =>
        Results.Text(JsonSerializer.Serialize(resource, resource.GetType(), Json), ContentType + "; charset=utf-8", System.Text.Encoding.UTF8, status);

    /// <summary>An error as FHIR says it: the HTTP status, and an OperationOutcome naming the parameter (expression) that is wrong.</summary>
    public static IResult Outcome(int status, OperationOutcome.IssueType code, string diagnostics, string? expression = null) =>
        Resource(OutcomeOf(code, diagnostics, expression), status);

    public static OperationOutcome OutcomeOf(OperationOutcome.IssueType code, string diagnostics, string? expression = null, OperationOutcome.IssueSeverity severity = OperationOutcome.IssueSeverity.Error)
    {
        var issue = new OperationOutcome.IssueComponent { Severity = severity, Code = code, Diagnostics = diagnostics };
        if (expression is not null)
        {
            issue.Expression = [expression];
        }
        return new OperationOutcome { Issue = [issue] };
    }

    public static IResult Invalid(string parameter, string diagnostics) =>
        Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Invalid, diagnostics, parameter);

    public static IResult NotSupported(string parameter, string diagnostics) =>
        Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.NotSupported, diagnostics, parameter);

    /// <summary>Writes an error outside an endpoint (authentication, unhandled errors on <c>/fhir</c>).</summary>
    public static Task WriteOutcomeAsync(HttpContext context, int status, OperationOutcome.IssueType code, string diagnostics) =>
        Outcome(status, code, diagnostics).ExecuteAsync(context);

    public static bool IsFhir(HttpRequest request) => request.Path.StartsWithSegments("/fhir", StringComparison.OrdinalIgnoreCase);
}
