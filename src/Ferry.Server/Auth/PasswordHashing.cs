using Microsoft.AspNetCore.Identity;

namespace Ferry.Server.Auth;

/// <summary>Salted PBKDF2 password hashes (ASP.NET Core Identity's v3 format: HMAC-SHA512, 100,000 iterations).</summary>
internal static class PasswordHashing
{
    /// <summary>The shortest password accepted.</summary>
    public const int MinimumLength = 10;

    /// <summary>The longest password accepted, at sign-in and as a new password: longer ones are refused before hashing.</summary>
    public const int MaximumLength = 1024;

    /// <summary>The longest user name accepted, at sign-in and for a new user.</summary>
    public const int MaximumUsernameLength = 100;

    private static readonly PasswordHasher<User> Hasher = new();

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    public static bool Verify(string hash, string password) =>
        Hasher.VerifyHashedPassword(null!, hash, password) != PasswordVerificationResult.Failed;

    /// <summary>What is wrong with <paramref name="password"/> as a new password, or null.</summary>
    public static string? Problem(string? password, string? username) =>
        string.IsNullOrEmpty(password) || password.Length < MinimumLength ? $"the password must have at least {MinimumLength} characters"
        : password.Length > MaximumLength ? $"the password must have at most {MaximumLength:N0} characters"
        : string.Equals(password, username, StringComparison.OrdinalIgnoreCase) ? "the password must not be the user name"
        : null;

    /// <summary>A hash that no password matches in the same time as a real one, so unknown user names are not faster to reject.</summary>
    public static readonly string DecoyHash = Hash(Guid.NewGuid().ToString());
}
