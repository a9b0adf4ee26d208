using System.Text.RegularExpressions;
using IdentityRef.Domain.Common;
using IdentityRef.Persistence;
using IdentityRef.Persistence.Accounts;
using IdentityRef.Persistence.Audit;
using IdentityRef.Application.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Security;

public enum SignInOutcome
{
    Success,

    /// <summary>Unknown user, inactive account or wrong password: deliberately the same answer for all three.</summary>
    Invalid,

    LockedOut,
}

public sealed record SignInResult(SignInOutcome Outcome, Account? Account, DateTimeOffset? LockedUntil);

/// <summary>
/// Local accounts: PBKDF2 password hashes (ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>), lockout
/// after repeated failures, and an audit line for each sign-in and each change of an account.
/// </summary>
public sealed partial class AccountService(IdentityRefDbContext db, TimeProvider clock, IOptions<SecurityOptions> options, ILogger<AccountService> logger)
{
    private static readonly PasswordHasher<Account> Hasher = new();

    // Verified when the user is unknown, so that the answer takes as long as for a known one.
    private static readonly Account Nobody = new() { UserName = "", Role = "", PasswordHash = "", CreatedAt = default };
    private static readonly string NobodyHash = Hasher.HashPassword(Nobody, Guid.NewGuid().ToString());

    public static string? NormalizeUserName(string? userName) =>
        userName?.Trim().ToLowerInvariant() is { } name && UserNamePattern().IsMatch(name) ? name : null;

    public async Task<SignInResult> SignInAsync(string? userName, string? password, string correlationId, CancellationToken cancellationToken)
    {
        var name = NormalizeUserName(userName);
        var account = name is null ? null : await db.Accounts.FirstOrDefaultAsync(a => a.UserName == name, cancellationToken);
        if (account is null || !account.Active)
        {
            Hasher.VerifyHashedPassword(Nobody, NobodyHash, password ?? "");
            logger.SignInRefused("unknown-or-inactive");
            Telemetry.IdentityRefTelemetry.SignedIn("password", "invalid");
            return new SignInResult(SignInOutcome.Invalid, null, null);
        }
        var now = clock.GetUtcNow();
        if (account.LockedUntil > now)
        {
            logger.SignInRefused("locked");
            Telemetry.IdentityRefTelemetry.SignedIn("password", "locked");
            return new SignInResult(SignInOutcome.LockedOut, account, account.LockedUntil);
        }
        var verdict = Hasher.VerifyHashedPassword(account, account.PasswordHash, password ?? "");
        var actor = new Actor(account.UserName, correlationId);
        if (verdict == PasswordVerificationResult.Failed)
        {
            account.FailedAttempts++;
            var locked = account.FailedAttempts >= options.Value.MaxFailedAttempts;
            if (locked)
            {
                account.LockedUntil = now.AddMinutes(options.Value.LockoutMinutes);
                account.FailedAttempts = 0;
            }
            Audit(locked ? "account.locked" : "account.sign-in-failed", account, actor, now);
            await db.SaveChangesAsync(cancellationToken);
            logger.SignInRefused(locked ? "locked-now" : "wrong-password");
            Telemetry.IdentityRefTelemetry.SignedIn("password", locked ? "locked" : "invalid");
            return locked ? new SignInResult(SignInOutcome.LockedOut, account, account.LockedUntil) : new SignInResult(SignInOutcome.Invalid, null, null);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            account.PasswordHash = Hasher.HashPassword(account, password!);
        }
        account.FailedAttempts = 0;
        account.LockedUntil = null;
        account.LastSignInAt = now;
        Audit("account.signed-in", account, actor, now);
        await db.SaveChangesAsync(cancellationToken);
        Telemetry.IdentityRefTelemetry.SignedIn("password", "success");
        return new SignInResult(SignInOutcome.Success, account, null);
    }

    /// <summary>Creates an account; field errors for a bad name, a short password, an unknown role or a name in use.</summary>
    public async Task<Result<Account>> CreateAsync(string? userName, string? password, string? role, Actor actor, CancellationToken cancellationToken)
    {
        var errors = new ErrorCollector();
        var name = NormalizeUserName(userName);
        if (name is null)
        {
            errors.Add("userName", "invalid-format", "Identifiant : 2 à 100 caractères parmi lettres, chiffres, point, tiret, @ et _.");
        }
        else if (await db.Accounts.AnyAsync(a => a.UserName == name, cancellationToken))
        {
            errors.Add("userName", "already-exists", "Cet identifiant existe déjà.");
        }
        if (CheckPassword(password) is { } passwordError)
        {
            errors.Add(passwordError);
        }
        var canonicalRole = Roles.Parse(role);
        if (canonicalRole is null)
        {
            errors.Add("role", "invalid-value", "Rôle : " + string.Join(", ", Roles.All) + ".");
        }
        if (errors.HasErrors)
        {
            return Result<Account>.Failure(errors.Errors);
        }
        var now = clock.GetUtcNow();
        var account = new Account { UserName = name!, Role = canonicalRole!, PasswordHash = "", CreatedAt = now };
        account.PasswordHash = Hasher.HashPassword(account, password!);
        db.Accounts.Add(account);
        Audit("account.created", account, actor, now, new { role = account.Role });
        await db.SaveChangesAsync(cancellationToken);
        logger.AccountCreated(account.Role);
        return account;
    }

    public FieldError? CheckPassword(string? password) =>
        password is null || password.Length < options.Value.MinimumPasswordLength
            ? new FieldError("password", "too-short", $"Le mot de passe doit compter au moins {options.Value.MinimumPasswordLength} caractères.")
            : null;

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken) =>
        await db.Accounts.AsNoTracking().OrderBy(a => a.UserName).ToListAsync(cancellationToken);

    public Task<Account?> FindAsync(string userName, CancellationToken cancellationToken) =>
        db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.UserName == userName, cancellationToken);

    /// <summary>Ends a lockout before its term (an administrator's decision, audited).</summary>
    public async Task<bool> UnlockAsync(string userName, Actor actor, CancellationToken cancellationToken) =>
        await ChangeAsync(userName, "account.unlocked", a => { a.LockedUntil = null; a.FailedAttempts = 0; }, actor, cancellationToken);

    public async Task<bool> SetActiveAsync(string userName, bool active, Actor actor, CancellationToken cancellationToken) =>
        await ChangeAsync(userName, active ? "account.activated" : "account.deactivated", a => a.Active = active, actor, cancellationToken);

    public bool IsLocked(Account account) => account.LockedUntil > clock.GetUtcNow();

    private async Task<bool> ChangeAsync(string userName, string action, Action<Account> change, Actor actor, CancellationToken cancellationToken)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (account is null)
        {
            return false;
        }
        change(account);
        Audit(action, account, actor, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    // Account events share the append-only audit trail; they concern no identity.
    private void Audit(string action, Account account, Actor actor, DateTimeOffset at, object? details = null) =>
        db.AuditTrail.Add(new AuditEntry
        {
            Action = action,
            Actor = actor.Name,
            At = at,
            CorrelationId = actor.CorrelationId,
            After = System.Text.Json.JsonSerializer.Serialize(new { account = account.UserName }),
            Details = details is null ? null : System.Text.Json.JsonSerializer.Serialize(details),
        });

    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{1,99}$")]
    private static partial Regex UserNamePattern();
}
