namespace Ferry.Server.Data;

/// <summary>A person who signs in; <see cref="Role"/> is one of <see cref="Roles"/>.</summary>
internal sealed class User : CompanyOwned
{
    public long Id { get; set; }
    public required string Username { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public bool IsSystemAdmin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Tokens issued before this instant are refused (a password change signs every device out).</summary>
    public DateTimeOffset PasswordChangedAt { get; set; }

    /// <summary>When an administrator deactivated the user (null when active): they cannot sign in, their tokens stop working.</summary>
    public DateTimeOffset? DeactivatedAt { get; set; }

    /// <summary>
    /// When an administrator deleted the user (null when not deleted). The row stays so that sessions, jobs and exports
    /// keep naming who made them; the user name stays taken, the user is hidden from lists and can never sign in.
    /// </summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>After a password reset or a generated first-admin password: every API call but the password change is refused, pages lead to the change.</summary>
    public bool MustChangePassword { get; set; }

    /// <summary>Tokens and sign-ins issued before this instant are refused (deactivation, role change, reset and deletion sign the user out everywhere).</summary>
    public DateTimeOffset TokensValidAfter { get; set; }

    /// <summary>Web sign-ins (cookies and page tokens) issued before this instant are refused: signing out of the web app ends them all.</summary>
    public DateTimeOffset WebSignedOutAt { get; set; }

    /// <summary>Active: neither deactivated nor deleted.</summary>
    public bool CanSignIn => DeactivatedAt is null && DeletedAt is null;
}
