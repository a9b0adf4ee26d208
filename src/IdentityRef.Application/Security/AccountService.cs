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

    /// <summary>Local passwords are switched off (<c>Security:LocalPasswords</c>): only Pro Santé Connect signs in.</summary>
    PasswordsDisabled,

    /// <summary>Pro Santé Connect: a valid RPPS that no account is linked to (an administrator must link it).</summary>
    UnknownRpps,

    /// <summary>Pro Santé Connect: the identity provider sent no usable RPPS.</summary>
    InvalidRpps,
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
        if (!options.Value.LocalPasswords)
        {
            logger.SignInRefused("passwords-disabled");
            Telemetry.IdentityRefTelemetry.SignedIn("password", "disabled");
            return new SignInResult(SignInOutcome.PasswordsDisabled, null, null);
        }
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

    /// <summary>
    /// An RPPS number as an administrator types it or as Pro Santé Connect sends it (<c>SubjectNameID</c>: the national
    /// identifier, "8" followed by the RPPS): the 11 digits of the RPPS, whose last one is a Luhn key; null when it is none.
    /// </summary>
    public static string? NormalizeRpps(string? value)
    {
        var digits = value?.Trim().Replace(" ", "", StringComparison.Ordinal);
        if (digits is { Length: Account.RppsLength + 1 } && digits[0] == '8')
        {
            digits = digits[1..];
        }
        return digits is { Length: Account.RppsLength } && digits.All(char.IsAsciiDigit) && LuhnValid(digits) ? digits : null;
    }

    private static bool LuhnValid(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[^(i + 1)] - '0';
            if (i % 2 == 1)
            {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    /// <summary>
    /// Pro Santé Connect sign-in, once the provider's tokens were validated (eIDAS level included): the account linked
    /// to the RPPS, if active and not locked. Never creates an account. Audited either way.
    /// </summary>
    public async Task<SignInResult> SignInWithRppsAsync(string? subjectNameId, string correlationId, CancellationToken cancellationToken)
    {
        var rpps = NormalizeRpps(subjectNameId);
        if (rpps is null)
        {
            await RecordPscRefusalAsync("invalid-rpps", null, correlationId, cancellationToken);
            return new SignInResult(SignInOutcome.InvalidRpps, null, null);
        }
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Rpps == rpps, cancellationToken);
        var now = clock.GetUtcNow();
        if (account is null || !account.Active || account.LockedUntil > now)
        {
            var reason = account is null ? "unknown-rpps" : !account.Active ? "inactive" : "locked";
            await RecordPscRefusalAsync(reason, rpps, correlationId, cancellationToken);
            return account is null ? new SignInResult(SignInOutcome.UnknownRpps, null, null)
                : !account.Active ? new SignInResult(SignInOutcome.Invalid, null, null)
                : new SignInResult(SignInOutcome.LockedOut, account, account.LockedUntil);
        }
        account.LastSignInAt = now;
        Audit("account.signed-in", account, new Actor(account.UserName, correlationId), now, new { method = "psc", rpps });
        await db.SaveChangesAsync(cancellationToken);
        Telemetry.IdentityRefTelemetry.SignedIn("psc", "success");
        return new SignInResult(SignInOutcome.Success, account, null);
    }

    /// <summary>A Pro Santé Connect sign-in refused (protocol failure, eIDAS level, unknown RPPS…): audited with its reason, logged without the RPPS.</summary>
    public async Task RecordPscRefusalAsync(string reason, string? rpps, string correlationId, CancellationToken cancellationToken)
    {
        db.AuditTrail.Add(new AuditEntry
        {
            Action = "account.psc-refused",
            Actor = rpps is null ? "psc" : "psc:" + rpps,
            At = clock.GetUtcNow(),
            CorrelationId = correlationId,
            Details = System.Text.Json.JsonSerializer.Serialize(new { reason, rpps }),
        });
        await db.SaveChangesAsync(cancellationToken);
        logger.SignInRefused("psc-" + reason);
        Telemetry.IdentityRefTelemetry.SignedIn("psc", reason);
    }

    /// <summary>The end of a web session, audited with how it had started.</summary>
    public async Task RecordSignOutAsync(string userName, string method, string correlationId, CancellationToken cancellationToken)
    {
        if (await db.Accounts.FirstOrDefaultAsync(a => a.UserName == userName, cancellationToken) is { } account)
        {
            Audit("account.signed-out", account, new Actor(account.UserName, correlationId), clock.GetUtcNow(), new { method });
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Links an RPPS to an account (or unlinks it when <paramref name="rpps"/> is empty); one account per RPPS.</summary>
    public async Task<Result<Account>?> LinkRppsAsync(string userName, string? rpps, Actor actor, CancellationToken cancellationToken)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (account is null)
        {
            return null;
        }
        string? normalized = null;
        if (!string.IsNullOrWhiteSpace(rpps))
        {
            normalized = NormalizeRpps(rpps);
            if (normalized is null)
            {
                return Result<Account>.Failure([new FieldError("rpps", "invalid-format", "RPPS : 11 chiffres dont une clé de contrôle (ou l'identifiant national 8 suivi du RPPS).")]);
            }
            if (await db.Accounts.AnyAsync(a => a.Rpps == normalized && a.Id != account.Id, cancellationToken))
            {
                return Result<Account>.Failure([new FieldError("rpps", "already-linked", "Ce RPPS est déjà associé à un autre compte.")]);
            }
        }
        var previous = account.Rpps;
        account.Rpps = normalized;
        Audit(normalized is null ? "account.rpps-unlinked" : "account.rpps-linked", account, actor, clock.GetUtcNow(), new { before = previous, after = normalized });
        await db.SaveChangesAsync(cancellationToken);
        return account;
    }

    /// <summary>
    /// Creates an account; field errors for a bad name, a short password, an unknown role or a name in use, a full name
    /// too long. <paramref name="temporaryPassword"/>: the password was chosen by an administrator, the person changes it
    /// at the first sign-in.
    /// </summary>
    public async Task<Result<Account>> CreateAsync(string? userName, string? password, string? role, Actor actor, CancellationToken cancellationToken,
        string? fullName = null, bool temporaryPassword = false)
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
        var full = NormalizeFullName(fullName, errors);
        if (errors.HasErrors)
        {
            return Result<Account>.Failure(errors.Errors);
        }
        var now = clock.GetUtcNow();
        var account = new Account { UserName = name!, Role = canonicalRole!, PasswordHash = "", CreatedAt = now, FullName = full, MustChangePassword = temporaryPassword };
        account.PasswordHash = Hasher.HashPassword(account, password!);
        db.Accounts.Add(account);
        Audit("account.created", account, actor, now, new { role = account.Role });
        await db.SaveChangesAsync(cancellationToken);
        logger.AccountCreated(account.Role);
        return account;
    }

    /// <summary>Whether any account exists (the sign-in page of a first start says how to create the first one).</summary>
    public Task<bool> AnyAsync(CancellationToken cancellationToken) => db.Accounts.AnyAsync(cancellationToken);

    /// <summary>
    /// Changes an account's full name and role (an administrator's decision, audited with the values before and after).
    /// The last active administrator keeps that role: nobody could manage the accounts any more.
    /// </summary>
    public async Task<Result<Account>?> UpdateProfileAsync(string userName, string? fullName, string? role, Actor actor, CancellationToken cancellationToken)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (account is null)
        {
            return null;
        }
        var errors = new ErrorCollector();
        var full = NormalizeFullName(fullName, errors);
        var canonicalRole = Roles.Parse(role);
        if (canonicalRole is null)
        {
            errors.Add("role", "invalid-value", "Rôle : " + string.Join(", ", Roles.All) + ".");
        }
        else if (account.Role == Roles.Administrateur && canonicalRole != Roles.Administrateur && account.Active
            && !await db.Accounts.AnyAsync(a => a.Id != account.Id && a.Active && a.Role == Roles.Administrateur, cancellationToken))
        {
            errors.Add("role", "last-administrator", "This is the last active administrator: give the role to another account first.");
        }
        if (errors.HasErrors)
        {
            return Result<Account>.Failure(errors.Errors);
        }
        var now = clock.GetUtcNow();
        if (account.FullName != full)
        {
            Audit("account.profile-changed", account, actor, now, new { fullNameChanged = true });
            account.FullName = full;
        }
        if (account.Role != canonicalRole)
        {
            Audit("account.role-changed", account, actor, now, new { before = account.Role, after = canonicalRole });
            account.Role = canonicalRole!;
        }
        await db.SaveChangesAsync(cancellationToken);
        return account;
    }

    /// <summary>
    /// An administrator's reset: a new temporary password (returned once, to be handed to the person; never stored in
    /// clear nor audited), to be changed at the next sign-in; the lockout ends. Null for an unknown account.
    /// </summary>
    public async Task<string?> ResetPasswordAsync(string userName, Actor actor, CancellationToken cancellationToken)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.UserName == userName, cancellationToken);
        if (account is null)
        {
            return null;
        }
        var temporary = TemporaryPassword();
        account.PasswordHash = Hasher.HashPassword(account, temporary);
        account.MustChangePassword = true;
        account.FailedAttempts = 0;
        account.LockedUntil = null;
        Audit("account.password-reset", account, actor, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return temporary;
    }

    /// <summary>
    /// The person changes their own password: the current one is checked, the new one must be long enough and differ
    /// from it; a temporary password stops being one. Field errors otherwise; nothing is written.
    /// </summary>
    public async Task<Result<Account>> ChangePasswordAsync(string userName, string? current, string? replacement, Actor actor, CancellationToken cancellationToken)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.UserName == userName && a.Active, cancellationToken);
        var errors = new ErrorCollector();
        if (account is null || Hasher.VerifyHashedPassword(account, account.PasswordHash, current ?? "") == PasswordVerificationResult.Failed)
        {
            errors.Add("currentPassword", "wrong-password", "The current password is not this one.");
        }
        if (CheckPassword(replacement) is { } tooShort)
        {
            errors.Add(tooShort with { Field = "newPassword" });
        }
        else if (replacement == current)
        {
            errors.Add("newPassword", "same-password", "The new password must differ from the current one.");
        }
        if (errors.HasErrors)
        {
            return Result<Account>.Failure(errors.Errors);
        }
        account!.PasswordHash = Hasher.HashPassword(account, replacement!);
        account.MustChangePassword = false;
        Audit("account.password-changed", account, actor, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return account;
    }

    /// <summary>16 characters drawn from letters and digits that cannot be mistaken for one another (no 0/O, 1/l/I).</summary>
    public static string TemporaryPassword()
    {
        const string Alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
        return System.Security.Cryptography.RandomNumberGenerator.GetString(Alphabet, 16);
    }

    private static string? NormalizeFullName(string? fullName, ErrorCollector errors)
    {
        var trimmed = string.Join(' ', (fullName ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (trimmed.Length > Account.FullNameLength)
        {
            errors.Add("fullName", "too-long", $"{Account.FullNameLength} characters at most.");
        }
        else if (trimmed.Any(char.IsControl))
        {
            errors.Add("fullName", "invalid-character", "Control characters are not allowed.");
        }
        return trimmed.Length == 0 ? null : trimmed;
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
