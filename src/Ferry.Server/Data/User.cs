namespace Ferry.Server.Data;

/// <summary>A person who signs in; <see cref="Role"/> is one of <see cref="Roles"/>.</summary>
internal sealed class User
{
    public long Id { get; set; }
    public long CompanyId { get; set; }
    public required string Username { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public bool IsSystemAdmin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Tokens issued before this instant are refused (a password change signs every device out).</summary>
    public DateTimeOffset PasswordChangedAt { get; set; }
}
