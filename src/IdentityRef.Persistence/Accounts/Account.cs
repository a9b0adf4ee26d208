namespace IdentityRef.Persistence.Accounts;

/// <summary>
/// A local user of the web interface: a role, a password hash (ASP.NET Core Identity's PBKDF2 format, never the
/// password) and the lockout counters.
/// </summary>
public sealed class Account
{
    public long Id { get; init; }

    /// <summary>The login, lower-cased; what the audit trail records as the actor.</summary>
    public required string UserName { get; init; }

    public required string Role { get; set; }
    public required string PasswordHash { get; set; }

    /// <summary>Failed sign-ins since the last success or lockout.</summary>
    public int FailedAttempts { get; set; }

    /// <summary>While in the future, sign-in is refused even with the right password.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public bool Active { get; set; } = true;
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastSignInAt { get; set; }

    /// <summary>
    /// The health professional's RPPS number (11 digits) that Pro Santé Connect sign-in maps to this account; set by an
    /// administrator, unique, empty for an account that signs in with its password only.
    /// </summary>
    public string? Rpps { get; set; }

    public const int RppsLength = 11;

    /// <summary>The person's name as colleagues know it ("Marie Curie"), shown beside the login; optional.</summary>
    public string? FullName { get; set; }

    public const int FullNameLength = 200;

    /// <summary>
    /// Set when an administrator gave the password (creation from the web interface, reset): the person must choose their
    /// own at the next sign-in before using anything else.
    /// </summary>
    public bool MustChangePassword { get; set; }
}
