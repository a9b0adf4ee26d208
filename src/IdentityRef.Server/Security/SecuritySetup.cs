using IdentityRef.Server.Hosting;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Security;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Security;

/// <summary>
/// Authentication and authorisation of the server: API keys for <c>/api</c>, a cookie for the web interface
/// (never accepted by the API, so a browser session cannot be used for cross-site API calls), one policy per
/// row of <see cref="Policies.Matrix"/>, and an authenticated fallback for anything without a policy.
/// </summary>
public static class SecuritySetup
{
    public const string SmartScheme = "IdentityRef";
    public const string CookieName = "IdentityRef.Session";

    /// <summary>Accounts and their settings: needed by the web host and by the command line.</summary>
    public static void AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateSettings(SecurityOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidation>();
        services.AddScoped<AccountService>();
    }

    public static void AddIdentityRefSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        var sessionMinutes = configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>()?.SessionMinutes ?? new SecurityOptions().SessionMinutes;
        services.AddAuthentication(SmartScheme)
            .AddPolicyScheme(SmartScheme, "API key for /api (and wherever one is sent), session cookie elsewhere", o =>
                o.ForwardDefaultSelector = context => IsApi(context.Request) || context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // HTTPS in production comes from the reverse proxy
                o.LoginPath = "/connexion";
                o.LogoutPath = "/deconnexion";
                o.AccessDeniedPath = "/acces-refuse";
                o.ExpireTimeSpan = TimeSpan.FromMinutes(sessionMinutes);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = ValidateSessionAsync;
                // A browser is sent to the sign-in page; a program calling a route outside /api gets the status it can act on.
                o.Events.OnRedirectToLogin = context => IsBrowser(context.Request)
                    ? Redirect(context)
                    : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required.", type: "https://identityref.local/problems/unauthorized").ExecuteAsync(context.HttpContext);
                o.Events.OnRedirectToAccessDenied = context => IsBrowser(context.Request)
                    ? Redirect(context)
                    : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Your role does not allow this action.", type: "https://identityref.local/problems/forbidden").ExecuteAsync(context.HttpContext);
            })
            .AddProSanteConnect(configuration);
        services.AddAuthorization(o => o.AddMatrix());
    }

    public static void UseIdentityRefSecurity(this WebApplication app)
    {
        // Sign-out of a Pro Santé Connect session is a form whose answer redirects to PSC: form-action must allow it.
        var formAction = "'self'" + (ProSanteConnect.IsEnabled(app.Configuration) && Uri.TryCreate(app.Configuration["ProSanteConnect:Authority"], UriKind.Absolute, out var psc)
            ? " " + psc.GetLeftPart(UriPartial.Authority) : "");
        var policy = $"default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action {formAction}; base-uri 'none'";
        app.Use((context, next) =>
        {
            // The pages use no inline script nor inline style (one script file of our own, the birth-place look-up): a strict
            // policy costs nothing and stops framing and injection.
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            if (!IsApi(context.Request))
            {
                headers.ContentSecurityPolicy = policy;
            }
            return next(context);
        });
        app.UseRouting();
        app.UseAuthentication();
        app.Use((context, next) =>
        {
            // A temporary password (given by an administrator) is changed before anything else (AccountService.ChangePasswordAsync).
            if (context.Items[MustChangePasswordKey] is true && !IsApi(context.Request) && !PasswordChangeAllowed(context.Request.Path))
            {
                context.Response.Redirect("/mot-de-passe");
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.UseAuthorization();
    }

    /// <summary>Set on a request whose session belongs to an account that must change its temporary password.</summary>
    public const string MustChangePasswordKey = "identityref.must-change-password";

    private static bool PasswordChangeAllowed(PathString path) =>
        path.StartsWithSegments("/mot-de-passe") || path.StartsWithSegments("/deconnexion") || path.StartsWithSegments("/css")
        || path.StartsWithSegments("/js") || path.StartsWithSegments("/erreur");

    private static bool IsBrowser(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true) || HttpMethods.IsPost(request.Method) && request.HasFormContentType;

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>The programmatic surfaces, authenticated by API key only: <c>/api</c> and the FHIR endpoint <c>/fhir</c>.</summary>
    public static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || Fhir.FhirResults.IsFhir(request);

    /// <summary>The claims of a signed-in account: its name (the audit actor) and its role.</summary>
    /// <param name="method">How the session started: <c>password</c> or <see cref="ProSanteConnect.Scheme"/> (for the sign-out).</param>
    public static ClaimsPrincipal PrincipalOf(Persistence.Accounts.Account account, string method = "password") => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, account.UserName), new Claim(ClaimTypes.Role, account.Role), new Claim(ProSanteConnect.MethodClaim, method)],
        CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));

    /// <summary>A session ends as soon as its account is deactivated, locked or given another role.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountService>();
        var name = context.Principal?.Identity?.Name;
        var account = name is null ? null : await accounts.FindAsync(name, context.HttpContext.RequestAborted);
        if (account is null || !account.Active || accounts.IsLocked(account) || !context.Principal!.IsInRole(account.Role))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        // A temporary password is changed before anything else, in a session opened with it; a session opened with the
        // e-CPS (Pro Santé Connect) did not use it.
        context.HttpContext.Items[MustChangePasswordKey] = account.MustChangePassword
            && context.Principal!.FindFirst(ProSanteConnect.MethodClaim)?.Value != ProSanteConnect.Scheme;
    }

    /// <summary>Creates the first administrator from <c>Security:Bootstrap</c> when no account of that name exists yet.</summary>
    public static async Task EnsureBootstrapAccountAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var options = services.GetRequiredService<IOptions<SecurityOptions>>().Value.Bootstrap;
        if (string.IsNullOrWhiteSpace(options.User) || string.IsNullOrEmpty(options.Password))
        {
            return;
        }
        var accounts = services.GetRequiredService<AccountService>();
        var name = AccountService.NormalizeUserName(options.User)
            ?? throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions), ["Security:Bootstrap:User is not a valid user name."]);
        if (await accounts.FindAsync(name, cancellationToken) is not null)
        {
            return; // never overwrite a password changed since
        }
        var created = await accounts.CreateAsync(name, options.Password, Roles.Administrateur, Actor.System("bootstrap"), cancellationToken);
        if (!created.IsSuccess)
        {
            throw new OptionsValidationException(SecurityOptions.Section, typeof(SecurityOptions),
                created.Errors.Select(e => $"Security:Bootstrap: {e.Field} {e.Code}").ToList());
        }
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecuritySetup)).BootstrapCreated();
    }
}
