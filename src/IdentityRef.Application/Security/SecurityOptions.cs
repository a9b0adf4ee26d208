using System.ComponentModel.DataAnnotations;

namespace IdentityRef.Application.Security;

/// <summary>Settings of accounts and API keys (section <c>Security</c>).</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Keys of the system clients (<c>Security__ApiKeys__0__Name</c>, <c>__Key</c>, <c>__Role</c>), sent in <c>X-Api-Key</c>.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>The first administrator, created at start-up when no account of that name exists.</summary>
    public BootstrapOptions Bootstrap { get; set; } = new();

    /// <summary>Failed sign-ins in a row before the account is locked.</summary>
    [Range(1, 100)]
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    [Range(1, 24 * 60)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>ANSSI recommends at least 12 characters for a password without other factor.</summary>
    [Range(8, 128)]
    public int MinimumPasswordLength { get; set; } = 12;

    /// <summary>Sign-in with a local password (the form of the sign-in page); false leaves Pro Santé Connect only.</summary>
    public bool LocalPasswords { get; set; } = true;

    /// <summary>Idle time after which a web session ends.</summary>
    [Range(1, 24 * 60)]
    public int SessionMinutes { get; set; } = 8 * 60;
}

public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    public string Role { get; set; } = "";
}

public sealed class BootstrapOptions
{
    public string User { get; set; } = "";
    public string Password { get; set; } = "";
}
