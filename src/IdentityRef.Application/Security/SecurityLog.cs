namespace IdentityRef.Application.Security;

/// <summary>Security log lines: reasons and roles, never a password, a key or patient data.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(LogEvents.SignInRefused, LogLevel.Warning, "Sign-in refused ({Reason})")]
    public static partial void SignInRefused(this ILogger logger, string reason);

    [LoggerMessage(LogEvents.AccountCreated, LogLevel.Information, "Account created with role {Role}")]
    public static partial void AccountCreated(this ILogger logger, string role);

    [LoggerMessage(LogEvents.BootstrapAdministratorCreated, LogLevel.Information, "Bootstrap administrator account created")]
    public static partial void BootstrapCreated(this ILogger logger);

    [LoggerMessage(LogEvents.ApiKeyRejected, LogLevel.Warning, "Request with an unknown API key refused")]
    public static partial void ApiKeyRejected(this ILogger logger);
}
