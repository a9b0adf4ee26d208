using System.Net;
using IdentityRef.Application.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace IdentityRef.Server.Security;

/// <summary>Settings of the Pro Santé Connect sign-in (section <c>ProSanteConnect</c>); docs/pro-sante-connect.md gives PSC's URLs.</summary>
public sealed class ProSanteConnectOptions
{
    public const string Section = "ProSanteConnect";

    public bool Enabled { get; set; }

    /// <summary>The issuer whose <c>/.well-known/openid-configuration</c> is read (PSC production or sandbox realm).</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>False only for a stand-in on loopback (tests, demos): PSC itself is HTTPS.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public string Scope { get; set; } = "openid scope_all";

    /// <summary>The eIDAS level asked for and required in the ID token's <c>acr</c>.</summary>
    public string AcrValues { get; set; } = "eidas1";

    public string CallbackPath { get; set; } = "/signin-psc";
    public string SignedOutCallbackPath { get; set; } = "/signout-callback-psc";
}

/// <summary>
/// Sign-in with Pro Santé Connect (the health professionals' e-CPS / CPS): ASP.NET Core's OpenID Connect handler,
/// authorization code with PKCE, <c>acr_values=eidas1</c> asked and checked, the professional's <c>SubjectNameID</c>
/// read from userinfo and mapped to the local account an administrator linked to that RPPS — never an account
/// created on the fly. The session is then the same cookie as a password sign-in: the roles matrix does not change.
/// </summary>
public static class ProSanteConnect
{
    public const string Scheme = "psc";
    public const string MethodClaim = "identityref:sign-in-method";
    public const string SubjectNameIdClaim = "SubjectNameID";
    public const string AcrRefused = "psc-acr-refused";

    public const string UnknownPath = "/connexion/psc/inconnu";
    public const string FailurePath = "/connexion/psc/echec";
    public const string WelcomePath = "/connexion/psc/bienvenue";

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue($"{ProSanteConnectOptions.Section}:Enabled", false);

    public static AuthenticationBuilder AddProSanteConnect(this AuthenticationBuilder builder, IConfiguration configuration)
    {
        var section = configuration.GetSection(ProSanteConnectOptions.Section);
        builder.Services.AddOptions<ProSanteConnectOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProSanteConnectOptions>>(sp => new Validation(configuration));
        var psc = section.Get<ProSanteConnectOptions>() ?? new ProSanteConnectOptions();
        if (!psc.Enabled)
        {
            return builder;
        }
        return builder.AddOpenIdConnect(Scheme, "Pro Santé Connect", o =>
        {
            o.Authority = psc.Authority;
            o.ClientId = psc.ClientId;
            o.ClientSecret = psc.ClientSecret;
            o.RequireHttpsMetadata = psc.RequireHttpsMetadata;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.ResponseMode = OpenIdConnectResponseMode.Query; // a GET back: the Lax correlation cookie comes along
            o.UsePkce = true;
            o.Scope.Clear();
            foreach (var scope in psc.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                o.Scope.Add(scope);
            }
            o.CallbackPath = psc.CallbackPath;
            o.SignedOutCallbackPath = psc.SignedOutCallbackPath;
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.SignOutScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.GetClaimsFromUserInfoEndpoint = true;
            o.MapInboundClaims = false;
            o.ClaimActions.MapJsonKey(SubjectNameIdClaim, SubjectNameIdClaim);
            o.SaveTokens = true; // the ID token, for the logout at PSC (id_token_hint)
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
            o.Events.OnRedirectToIdentityProvider = context =>
            {
                context.ProtocolMessage.AcrValues = psc.AcrValues;
                return Task.CompletedTask;
            };
            o.Events.OnTokenValidated = context =>
            {
                // The eIDAS level is PSC's promise that a card (or e-CPS) was used: anything else is refused.
                var acr = context.Principal?.FindFirst("acr")?.Value;
                if (!string.Equals(acr, psc.AcrValues, StringComparison.Ordinal))
                {
                    context.Fail(AcrRefused);
                }
                return Task.CompletedTask;
            };
            o.Events.OnTicketReceived = MapToAccountAsync;
            o.Events.OnRemoteFailure = FailedAsync;
        });
    }

    private static async Task MapToAccountAsync(TicketReceivedContext context)
    {
        var http = context.HttpContext;
        var accounts = http.RequestServices.GetRequiredService<AccountService>();
        var subject = context.Principal?.FindFirst(SubjectNameIdClaim)?.Value;
        var result = await accounts.SignInWithRppsAsync(subject, http.TraceIdentifier, http.RequestAborted);
        if (result.Outcome == SignInOutcome.Success)
        {
            context.Principal = SecuritySetup.PrincipalOf(result.Account!, Scheme);
            // The session cookie is SameSite=Strict: a redirect chain that started at PSC would not send it, so the
            // welcome page (same site) moves on to the page asked for.
            var target = context.ReturnUri is { } asked && asked.StartsWith('/') && !asked.StartsWith("//", StringComparison.Ordinal) ? asked : "/";
            context.ReturnUri = WelcomePath + "?ReturnUrl=" + WebUtility.UrlEncode(target);
            return;
        }
        context.HandleResponse();
        context.Response.Redirect(result.Outcome == SignInOutcome.UnknownRpps
            ? UnknownPath + "?rpps=" + WebUtility.UrlEncode(AccountService.NormalizeRpps(subject))
            : FailurePath + "?motif=" + (result.Outcome switch
            {
                SignInOutcome.LockedOut => "verrouille",
                SignInOutcome.InvalidRpps => "rpps",
                _ => "inactif",
            }));
    }

    /// <summary>A failed exchange with PSC (wrong state, expired or replayed code, eIDAS level, cancelled): audited, then a French page.</summary>
    private static async Task FailedAsync(RemoteFailureContext context)
    {
        var reason = Classify(context.Failure);
        var http = context.HttpContext;
        await http.RequestServices.GetRequiredService<AccountService>().RecordPscRefusalAsync(reason, null, http.TraceIdentifier, CancellationToken.None);
        context.HandleResponse();
        context.Response.Redirect(FailurePath + "?motif=" + reason);
    }

    internal static string Classify(Exception? failure)
    {
        var message = failure?.Message ?? "";
        return message switch
        {
            AcrRefused => "acr",
            _ when message.Contains("access_denied", StringComparison.Ordinal) => "annule",
            _ when message.Contains("invalid_grant", StringComparison.Ordinal) => "code",
            _ when message.Contains("message.State", StringComparison.OrdinalIgnoreCase) || message.Contains("state", StringComparison.Ordinal) => "state",
            _ when message.Contains("Correlation", StringComparison.OrdinalIgnoreCase) => "correlation",
            _ => "protocole",
        };
    }

    private sealed class Validation(IConfiguration configuration) : IValidateOptions<ProSanteConnectOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProSanteConnectOptions options)
        {
            var errors = new List<string>();
            var passwords = configuration.GetValue($"{SecurityOptions.Section}:{nameof(SecurityOptions.LocalPasswords)}", true);
            if (!options.Enabled)
            {
                if (!passwords)
                {
                    errors.Add("Security:LocalPasswords=false needs ProSanteConnect:Enabled=true, or nobody can sign in.");
                }
                return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
            }
            if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            {
                errors.Add("ProSanteConnect:Authority must be the absolute URL of the PSC realm (see docs/pro-sante-connect.md).");
            }
            else if (authority.Scheme != "https" && options.RequireHttpsMetadata)
            {
                errors.Add("ProSanteConnect:Authority must be HTTPS (RequireHttpsMetadata=false is only for a stand-in on loopback).");
            }
            else if (!options.RequireHttpsMetadata && !authority.IsLoopback)
            {
                errors.Add("ProSanteConnect:RequireHttpsMetadata=false is accepted only for an authority on loopback (a test stand-in).");
            }
            if (string.IsNullOrWhiteSpace(options.ClientId))
            {
                errors.Add("ProSanteConnect:ClientId is required.");
            }
            if (string.IsNullOrWhiteSpace(options.ClientSecret))
            {
                errors.Add("ProSanteConnect:ClientSecret is required.");
            }
            if (string.IsNullOrWhiteSpace(options.AcrValues))
            {
                errors.Add("ProSanteConnect:AcrValues is required (eidas1).");
            }
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
