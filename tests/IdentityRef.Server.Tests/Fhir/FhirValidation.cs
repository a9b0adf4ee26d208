using System.Text.Json;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace IdentityRef.Server.Tests.Fhir;

/// <summary>
/// Parses what the server answered with the Firely SDK and validates it with the Firely validator against the R4 base
/// specification (Hl7.Fhir.Specification.Data.R4). The FR Core package is not available offline: its profiles and
/// extensions cannot be resolved, so those unresolved canonicals are the only issues tolerated, and the FR Core
/// Patient-INS rules are asserted by <see cref="FrCoreRules"/> instead.
/// </summary>
public static class FhirValidation
{
    private static readonly Lazy<Validator> Instance = new(() =>
    {
        var resolver = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(resolver, new LocalTerminologyService(resolver));
    });

    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static async Task<T> ReadValidAsync<T>(HttpResponseMessage response) where T : Resource
    {
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var resource = JsonSerializer.Deserialize<Resource>(text, Json)!;
        AssertValid(resource);
        return Assert.IsType<T>(resource);
    }

    public static void AssertValid(Resource resource)
    {
        OperationOutcome outcome;
        lock (Instance)
        {
            outcome = Instance.Value.Validate(resource);
        }
        var problems = outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Where(i => !IsUnresolvedFrenchOrIheCanonical(i))
            .Select(i => $"{i.Code} {i.Details?.Text ?? i.Diagnostics} at {string.Join(",", i.Expression)}")
            .ToList();
        Assert.True(problems.Count == 0, $"{resource.TypeName} is not valid FHIR R4:\n" + string.Join("\n", problems));
    }

    private static bool IsUnresolvedFrenchOrIheCanonical(OperationOutcome.IssueComponent issue)
    {
        var text = issue.Details?.Text ?? issue.Diagnostics ?? "";
        return (text.Contains("https://hl7.fr/ig/fhir/core/", StringComparison.Ordinal) || text.Contains("https://profiles.ihe.net/", StringComparison.Ordinal)
                || text.Contains("https://mos.esante.gouv.fr/", StringComparison.Ordinal))
            && (text.Contains("resolve", StringComparison.OrdinalIgnoreCase) || text.Contains("not found", StringComparison.OrdinalIgnoreCase)
                || text.Contains("unknown", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>The validator used by the FHIR tests does find errors (otherwise every "valid" above would mean nothing).</summary>
public sealed class FhirValidationSelfTest
{
    [Fact]
    public void AnInvalidPatient_FailsValidation()
    {
        var invalid = new Patient { Contact = [new Patient.ContactComponent()] }; // pat-1: a contact needs a name, telecom, address or organization
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => FhirValidation.AssertValid(invalid));
    }
}
