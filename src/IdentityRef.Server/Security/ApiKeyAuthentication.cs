using IdentityRef.Application.Security;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Security;

/// <summary>
/// System clients (PAM gateways, integration engines) authenticate with a key in the <c>X-Api-Key</c> header.
/// The principal's name is the key's configured name, so the audit trail shows which system acted.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<SecurityOptions> security)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || string.IsNullOrEmpty(values.ToString()))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var match = Find(security.CurrentValue.ApiKeys, values.ToString());
        if (match is null)
        {
            Logger.ApiKeyRejected();
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, match.Name), new Claim(ClaimTypes.Role, Roles.Parse(match.Role)!)], SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>
    /// Compares the given key with every configured one in constant time (SHA-256 digests, so lengths never
    /// leak either) and without stopping at the first match.
    /// </summary>
    internal static ApiKeyOptions? Find(IReadOnlyList<ApiKeyOptions> keys, string given)
    {
        var givenDigest = SHA256.HashData(Encoding.UTF8.GetBytes(given));
        ApiKeyOptions? found = null;
        foreach (var key in keys)
        {
            var digest = SHA256.HashData(Encoding.UTF8.GetBytes(key.Key));
            if (CryptographicOperations.FixedTimeEquals(digest, givenDigest) && key.Key.Length > 0)
            {
                found ??= key;
            }
        }
        return found;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = SchemeName + " header=\"" + Header + "\"";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication required: send an API key in the X-Api-Key header.",
            "https://identityref.local/problems/unauthorized");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Your role does not allow this action.", "https://identityref.local/problems/forbidden");

    private Task WriteProblemAsync(int status, string title, string type) => Fhir.FhirResults.IsFhir(Request)
        ? Fhir.FhirResults.WriteOutcomeAsync(Context, status, status == StatusCodes.Status401Unauthorized
            ? global::Hl7.Fhir.Model.OperationOutcome.IssueType.Login : global::Hl7.Fhir.Model.OperationOutcome.IssueType.Forbidden, title)
        : Results.Problem(statusCode: status, title: title, type: type).ExecuteAsync(Context);
}

/// <summary>Validates the configured API keys at start-up: a bad key is a configuration error, not an open door.</summary>
public sealed class SecurityOptionsValidation : IValidateOptions<SecurityOptions>
{
    public const int MinimumKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                failures.Add($"Security:ApiKeys:{i}:Name is required.");
            }
            if (key.Key.Length < MinimumKeyLength)
            {
                failures.Add($"Security:ApiKeys:{i}:Key must have at least {MinimumKeyLength} characters.");
            }
            if (Roles.Parse(key.Role) is null)
            {
                failures.Add($"Security:ApiKeys:{i}:Role must be one of {string.Join(", ", Roles.All)}.");
            }
        }
        if (options.ApiKeys.Select(k => k.Key).Distinct(StringComparer.Ordinal).Count() != options.ApiKeys.Count)
        {
            failures.Add("Security:ApiKeys: two keys are identical.");
        }
        // The name is the actor of the audit trail: two keys of one name would make two systems one.
        foreach (var shared in options.ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k.Name)).GroupBy(k => k.Name.Trim(), StringComparer.OrdinalIgnoreCase)
                     .Where(g => g.Count() > 1).Select(g => g.Key))
        {
            failures.Add($"Security:ApiKeys: two keys are named '{shared}'; each system needs a name of its own (it is the actor of the audit trail).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
