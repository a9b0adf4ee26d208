using System.Globalization;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using IdentityRef.Application.Patients;
using IdentityRef.Application.Queries;
using IdentityRef.Application.Security;
using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;
using IdentityRef.Server.Hosting;
using Task = System.Threading.Tasks.Task;

namespace IdentityRef.Server.Fhir;

/// <summary>
/// The FHIR R4 query side under <c>/fhir</c>: PDQm (ITI-78: search, read, and the <c>$match</c> option) and PIXm (ITI-83,
/// <c>$ihe-pix</c>), patients as FR Core Patient / Patient-INS, a CapabilityStatement at <c>/fhir/metadata</c>, an
/// OperationOutcome for every error. The use cases are <see cref="IdentityQueries"/> and <see cref="PatientMatch"/>;
/// every query is audited (who, parameters, how many results).
/// </summary>
public static class FhirEndpoints
{
    private static readonly string[] SearchParameters = ["family", "given", "birthdate", "gender", "identifier", "address-postalcode", "_count", "_offset", "_format"];
    private const int DefaultCount = 20;
    private const int MaxCount = 200;

    public static void MapFhirEndpoints(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/fhir").WithTags("FHIR").ExcludeFromDescription();
        fhir.MapGet("/metadata", (HttpContext http) => FhirResults.Resource(FhirCapability.Statement(BaseUrl(http)))).AllowAnonymous();
        fhir.MapGet("/Patient", SearchAsync).RequireAuthorization(Policies.PatientsQuery);
        fhir.MapGet("/Patient/$ihe-pix", PixAsync).RequireAuthorization(Policies.PatientsQuery);
        fhir.MapPost("/Patient/$match", MatchAsync).RequireAuthorization(Policies.PatientsQuery);
        fhir.MapGet("/Patient/{id}", ReadAsync).RequireAuthorization(Policies.PatientsQuery);
        fhir.MapFallback("{**rest}", () => FhirResults.Outcome(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotSupported,
            "This FHIR server answers Patient search, read, $match and $ihe-pix, and /fhir/metadata.")).RequireAuthorization(Policies.PatientsQuery);
    }

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/fhir";

    private static async Task<IResult> SearchAsync(HttpContext http, IdentityQueries queries, IdentifierDomains domains, IBirthPlaceDirectory places,
        PatientService patients, CancellationToken cancellationToken)
    {
        if ((CheckFormat(http) ?? CheckParameters(http, null)) is { } refused)
        {
            return refused;
        }
        var q = http.Request.Query;
        var seen = new HashSet<string>();
        foreach (var key in q.Keys)
        {
            var name = key.Split(':')[0];
            var modifier = key.Contains(':') ? key[(key.IndexOf(':') + 1)..] : null;
            if (!SearchParameters.Contains(name))
            {
                return FhirResults.NotSupported(key, $"The search parameter '{key}' is not supported; supported: {string.Join(", ", SearchParameters)}.");
            }
            if (modifier is not null && !(name is "family" or "given" && modifier is "exact" or "contains"))
            {
                return FhirResults.NotSupported(key, $"The modifier ':{modifier}' is not supported on '{name}' (family and given take :exact and :contains).");
            }
            if (!seen.Add(name) || (name != "identifier" && q[key].Count > 1))
            {
                return FhirResults.NotSupported(key, $"'{name}' is given more than once; only identifier may repeat (all must hold).");
            }
        }

        var query = new DemographicsQuery();
        var noMatch = false;
        foreach (var key in q.Keys)
        {
            var name = key.Split(':')[0];
            var value = q[key].ToString();
            if (name is "_count" or "_offset" or "_format")
            {
                continue;
            }
            if (string.IsNullOrWhiteSpace(value))
            {
                return FhirResults.Invalid(key, $"'{key}' has no value.");
            }
            if (name != "identifier" && value.Contains(','))
            {
                return FhirResults.NotSupported(key, $"Several values separated by commas (OR) are not supported on '{name}'.");
            }
            switch (name)
            {
                case "family" or "given":
                    var normalised = InsText.Normalize(value, key, name == "family" ? NameKind.Name : NameKind.FirstName);
                    if (!normalised.IsSuccess)
                    {
                        return FhirResults.Invalid(key, normalised.Errors[0].Message);
                    }
                    var text = new TextCriterion(normalised.Value, key.EndsWith(":exact", StringComparison.Ordinal) ? TextMatch.Exact
                        : key.EndsWith(":contains", StringComparison.Ordinal) ? TextMatch.Contains : TextMatch.StartsWith);
                    query = name == "family" ? query with { Family = text } : query with { Given = text };
                    break;
                case "birthdate":
                    var dateText = value.StartsWith("eq", StringComparison.Ordinal) ? value[2..] : value;
                    if (dateText.Length >= 2 && char.IsLetter(dateText[0]))
                    {
                        return FhirResults.NotSupported(key, "Only an exact birth date is supported (YYYY-MM-DD, optionally with the prefix eq).");
                    }
                    if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    {
                        return FhirResults.Invalid(key, "The birth date must be a full date, YYYY-MM-DD.");
                    }
                    query = query with { BirthDate = date };
                    break;
                case "gender":
                    Sex? sex = value switch { "male" => Sex.Male, "female" => Sex.Female, "unknown" => Sex.Unknown, _ => null };
                    if (sex is null && value != "other")
                    {
                        return FhirResults.Invalid(key, "The gender must be male, female, other or unknown.");
                    }
                    noMatch |= sex is null; // no identity has the gender "other": the traits know M, F, U
                    query = query with { Sex = sex };
                    break;
                case "address-postalcode":
                    query = query with { Postcode = value.Trim() };
                    break;
                case "identifier":
                    var criteria = new List<IdentifierCriterion>();
                    foreach (var token in q[key])
                    {
                        var (system, identifier) = SplitToken(token!);
                        if (identifier.Length == 0)
                        {
                            return FhirResults.Invalid(key, "identifier takes system|value or value; a search by system alone is not supported.");
                        }
                        var domain = system.Length > 0 ? domains.FromFhirSystem(system) : null;
                        if (system.Length > 0 && (domain is null || !await queries.IsKnownAsync(domain, cancellationToken)))
                        {
                            return FhirResults.Outcome(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound,
                                $"The identifier domain {system} is not known to this server.", key);
                        }
                        criteria.Add(new IdentifierCriterion(domain, identifier));
                    }
                    query = query with { Identifiers = criteria };
                    break;
            }
        }
        if (query.IsEmpty && !noMatch)
        {
            return FhirResults.Invalid("Patient", "Give at least one search parameter: family, given, birthdate, gender, identifier or address-postalcode.");
        }
        var count = IntParameter(q["_count"], DefaultCount, 1, MaxCount);
        var offset = IntParameter(q["_offset"], 0, 0, 1_000_000);
        if (count is null)
        {
            return FhirResults.Invalid("_count", $"_count must be a whole number from 1 to {MaxCount}.");
        }
        if (offset is null)
        {
            return FhirResults.Invalid("_offset", "_offset must be a whole number from 0 to 1000000.");
        }

        var (items, total) = noMatch ? ([], 0) : await queries.SearchAsync(query, offset.Value, count.Value, cancellationToken);
        await queries.AuditAsync(HttpActor.From(http), "pdqm.search", Parameters(q), items.Select(i => i.Ipp).ToList(), cancellationToken);

        var baseUrl = BaseUrl(http);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = total, Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow } };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = PageUrl(baseUrl, q, offset.Value, count.Value) });
        if (offset.Value + count.Value < total)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = PageUrl(baseUrl, q, offset.Value + count.Value, count.Value) });
        }
        if (offset.Value > 0)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "previous", Url = PageUrl(baseUrl, q, Math.Max(0, offset.Value - count.Value), count.Value) });
        }
        var identifiers = await queries.IdentifiersOfAsync(items, cancellationToken);
        foreach (var identity in items)
        {
            var patient = FrCorePatients.ToPatient(identity, new FrCorePatients.Context(identifiers[identity.Id].All, identifiers[identity.Id].MergedIpps, null, places));
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/Patient/{identity.Ipp}",
                Resource = patient,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }
        return FhirResults.Resource(bundle);
    }

    private static async Task<IResult> ReadAsync(string id, HttpContext http, IdentityQueries queries, IBirthPlaceDirectory places, CancellationToken cancellationToken)
    {
        if ((CheckFormat(http) ?? CheckParameters(http, OnlyFormat)) is { } refused)
        {
            return refused;
        }
        if (TextPolicy.Check(id, "id") is { } badId)
        {
            return FhirResults.Invalid("id", badId.Message);
        }
        var identity = await queries.FindByIppAsync(id, cancellationToken);
        await queries.AuditAsync(HttpActor.From(http), "pdqm.read", new Dictionary<string, string> { ["id"] = id }, identity is null ? [] : [identity.Ipp],
            cancellationToken, identity);
        if (identity is null)
        {
            return FhirResults.Outcome(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, $"No Patient has the id {id}.", "id");
        }
        var identifiers = await queries.IdentifiersOfAsync(identity, cancellationToken);
        var survivor = identity.MergedIntoId is { } merged ? await queries.IppOfAsync(merged, cancellationToken) : null;
        http.Response.Headers.ETag = $"W/\"{identity.Version.ToString(CultureInfo.InvariantCulture)}\"";
        return FhirResults.Resource(FrCorePatients.ToPatient(identity, new FrCorePatients.Context(identifiers.All, identifiers.MergedIpps, survivor, places)));
    }

    /// <summary>PIXm (ITI-83): the identifiers of the patient that <c>sourceIdentifier</c> designates, in the <c>targetSystem</c> domains (all by default).</summary>
    private static async Task<IResult> PixAsync(HttpContext http, IdentityQueries queries, IdentifierDomains domains, CancellationToken cancellationToken)
    {
        if ((CheckFormat(http) ?? CheckParameters(http, null)) is { } refused)
        {
            return refused;
        }
        var q = http.Request.Query;
        if (q.Keys.FirstOrDefault(k => k is not ("sourceIdentifier" or "targetSystem" or "_format")) is { } unknown)
        {
            return FhirResults.NotSupported(unknown, $"The parameter '{unknown}' is not a parameter of $ihe-pix (sourceIdentifier, targetSystem).");
        }
        if (q["sourceIdentifier"].Count != 1)
        {
            return FhirResults.Invalid("sourceIdentifier", "sourceIdentifier is required once, as system|value.");
        }
        var (system, value) = SplitToken(q["sourceIdentifier"].ToString());
        if (system.Length == 0 || value.Length == 0)
        {
            return FhirResults.Invalid("sourceIdentifier", "sourceIdentifier must be system|value (both parts).");
        }
        var source = domains.FromFhirSystem(system);
        if (source is null || !await queries.IsKnownAsync(source, cancellationToken))
        {
            return FhirResults.Outcome(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.CodeInvalid, "sourceIdentifier Assigning Authority not found", "sourceIdentifier");
        }
        var targets = new List<IdentifierDomain>();
        foreach (var target in q["targetSystem"].SelectMany(t => t!.Split(',')).Select(t => t.Trim()))
        {
            var domain = domains.FromFhirSystem(target);
            if (domain is null || !await queries.IsKnownAsync(domain, cancellationToken))
            {
                return FhirResults.Outcome(StatusCodes.Status403Forbidden, OperationOutcome.IssueType.CodeInvalid, "targetSystem not found", "targetSystem");
            }
            targets.Add(domain);
        }
        var parameters = Parameters(q);
        var identity = await queries.ResolveAsync(source, value, cancellationToken);
        if (identity is null)
        {
            await queries.AuditAsync(HttpActor.From(http), "pixm", parameters, [], cancellationToken);
            return FhirResults.Outcome(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, "sourceIdentifier Patient Identifier not found", "sourceIdentifier");
        }
        var identifiers = await queries.IdentifiersOfAsync(identity, cancellationToken);
        var answer = new Parameters();
        foreach (var reference in identifiers.All)
        {
            var isSource = reference.Domain.FhirSystem == source.FhirSystem && reference.Value == value;
            if (!isSource && (targets.Count == 0 || targets.Any(t => t.FhirSystem == reference.Domain.FhirSystem)))
            {
                answer.Parameter.Add(new Parameters.ParameterComponent { Name = "targetIdentifier", Value = FrCorePatients.IdentifierOf(reference) });
            }
        }
        answer.Parameter.Add(new Parameters.ParameterComponent { Name = "targetId", Value = new ResourceReference($"{BaseUrl(http)}/Patient/{identity.Ipp}") });
        await queries.AuditAsync(HttpActor.From(http), "pixm", parameters, [identity.Ipp], cancellationToken, identity);
        return FhirResults.Resource(answer);
    }

    /// <summary>The PDQm match option: a Patient in a Parameters resource, the ranked candidates with score and grade.</summary>
    private static async Task<IResult> MatchAsync(HttpContext http, IdentityQueries queries, PatientService patients, PatientMatch matcher,
        IBirthPlaceDirectory places, CancellationToken cancellationToken)
    {
        if ((CheckFormat(http) ?? CheckParameters(http, OnlyFormat)) is { } refused)
        {
            return refused;
        }
        if (http.Request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return FhirResults.Outcome(StatusCodes.Status415UnsupportedMediaType, OperationOutcome.IssueType.NotSupported, "The body must be application/fhir+json.");
        }
        string body;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(cancellationToken);
        }
        Parameters? input;
        try
        {
            input = body.Length == 0 ? null : JsonSerializer.Deserialize<Parameters>(body, FhirResults.Json);
        }
        catch (Exception e) when (e is JsonException or DeserializationFailedException or InvalidCastException or NotSupportedException)
        {
            return FhirResults.Invalid("Parameters", "The body is not a valid FHIR Parameters resource: " + FirstLine(e.Message));
        }
        if (input?.Parameter.FirstOrDefault(p => p.Name == "resource")?.Resource is not Patient probe)
        {
            return FhirResults.Invalid("Parameters.parameter.resource", "$match needs a Parameters resource with a Patient in the parameter 'resource'.");
        }
        var onlyCertain = input.Parameter.FirstOrDefault(p => p.Name == "onlyCertainMatches")?.Value is FhirBoolean { Value: true };
        var countValue = input.Parameter.FirstOrDefault(p => p.Name == "count")?.Value;
        var count = 10;
        if (countValue is Integer { Value: { } given })
        {
            if (given is < 1 or > 50)
            {
                return FhirResults.Invalid("Parameters.parameter.count", "count must be from 1 to 50.");
            }
            count = given;
        }
        else if (countValue is not null)
        {
            return FhirResults.Invalid("Parameters.parameter.count", "count must be an integer.");
        }
        var traits = patients.Validate(MatchInput.From(probe));
        if (!traits.IsSuccess)
        {
            var outcome = new OperationOutcome();
            foreach (var error in traits.Errors)
            {
                outcome.Issue.Add(new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Error,
                    Code = OperationOutcome.IssueType.Invalid,
                    Diagnostics = $"{error.Field}: {error.Message}",
                    Expression = [MatchInput.ExpressionOf(error.Field)],
                });
            }
            return FhirResults.Resource(outcome, StatusCodes.Status400BadRequest);
        }
        var candidates = await matcher.MatchAsync(traits.Value, count, onlyCertain, cancellationToken);
        var strict = traits.Value.Strict;
        await queries.AuditAsync(HttpActor.From(http), "pdqm.match", new Dictionary<string, string>
        {
            ["birthName"] = strict.BirthName,
            ["firstNames"] = strict.FirstNames,
            ["birthDate"] = strict.BirthDate.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["sex"] = strict.Sex.Code(),
            ["count"] = count.ToString(CultureInfo.InvariantCulture),
            ["onlyCertainMatches"] = onlyCertain ? "true" : "false",
        }, candidates.Select(c => c.Identity.Ipp).ToList(), cancellationToken);

        var baseUrl = BaseUrl(http);
        var identities = candidates.Select(c => c.Identity).ToList();
        var identifiers = await queries.IdentifiersOfAsync(identities, cancellationToken);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = candidates.Count, Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow } };
        foreach (var candidate in candidates)
        {
            var ids = identifiers[candidate.Identity.Id];
            var search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match, Score = (decimal)candidate.Score };
            search.Extension.Add(new Extension("http://hl7.org/fhir/StructureDefinition/match-grade", new Code(candidate.Grade switch
            {
                MatchGrade.Certain => "certain",
                MatchGrade.Probable => "probable",
                _ => "possible",
            })));
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/Patient/{candidate.Identity.Ipp}",
                Resource = FrCorePatients.ToPatient(candidate.Identity, new FrCorePatients.Context(ids.All, ids.MergedIpps, null, places)),
                Search = search,
            });
        }
        return FhirResults.Resource(bundle);
    }

    private static readonly string[] OnlyFormat = ["_format"];

    /// <summary>
    /// The query string: with <paramref name="allowed"/>, nothing else (nothing is silently ignored); every name and value under
    /// the text policy, so that a NUL or a bidi control is a 400 naming the parameter and never reaches a database.
    /// </summary>
    private static IResult? CheckParameters(HttpContext http, IReadOnlyCollection<string>? allowed)
    {
        foreach (var (key, values) in http.Request.Query)
        {
            if (TextPolicy.Check(key, "parameter") is { } badKey)
            {
                return FhirResults.Invalid("parameter", badKey.Message);
            }
            if (allowed is not null && !allowed.Contains(key))
            {
                return FhirResults.NotSupported(key, $"The parameter '{key}' is not a parameter of this interaction (supported: {string.Join(", ", allowed)}).");
            }
            foreach (var value in values)
            {
                if (TextPolicy.Check(value, key) is { } badValue)
                {
                    return FhirResults.Invalid(key, badValue.Message);
                }
            }
        }
        return null;
    }

    /// <summary>JSON only: a <c>_format</c> or an Accept header that asks for XML gets 406.</summary>
    private static IResult? CheckFormat(HttpContext http)
    {
        var format = http.Request.Query["_format"].ToString();
        if (format.Length > 0 && !format.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return FhirResults.Outcome(StatusCodes.Status406NotAcceptable, OperationOutcome.IssueType.NotSupported, "This server answers JSON only (_format=json).", "_format");
        }
        var accept = http.Request.Headers.Accept.ToString();
        if (accept.Length > 0 && accept.Contains("xml", StringComparison.OrdinalIgnoreCase) && !accept.Contains("json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("*/*", StringComparison.Ordinal))
        {
            return FhirResults.Outcome(StatusCodes.Status406NotAcceptable, OperationOutcome.IssueType.NotSupported, "This server answers JSON only (application/fhir+json).");
        }
        return null;
    }

    private static (string System, string Value) SplitToken(string token)
    {
        var bar = token.IndexOf('|');
        return bar < 0 ? ("", token.Trim()) : (token[..bar].Trim(), token[(bar + 1)..].Trim());
    }

    private static int? IntParameter(string? text, int fallback, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value : null;
    }

    private static Dictionary<string, string> Parameters(IQueryCollection q) =>
        q.Where(p => p.Key != "_format").ToDictionary(p => p.Key, p => p.Value.ToString());

    private static string PageUrl(string baseUrl, IQueryCollection q, int offset, int count)
    {
        var parts = q.Where(p => p.Key is not ("_offset" or "_count"))
            .SelectMany(p => p.Value.Select(v => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(v ?? "")))
            .Append("_count=" + count.ToString(CultureInfo.InvariantCulture))
            .Append("_offset=" + offset.ToString(CultureInfo.InvariantCulture));
        return baseUrl + "/Patient?" + string.Join("&", parts);
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
