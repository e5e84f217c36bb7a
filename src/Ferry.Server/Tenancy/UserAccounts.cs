using Ferry.Server.Auth;

namespace Ferry.Server.Tenancy;

/// <summary>Creating users and changing passwords, for the API and the pages alike: one set of rules.</summary>
internal sealed class UserAccounts(FerryDbContext db, TimeProvider time)
{
    /// <summary>A new user in <paramref name="companyId"/> (which the caller has already been allowed to use).</summary>
    public async Task<(User? User, Refusal? Refusal)> CreateAsync(long companyId, string? username, string? password, string? role, CancellationToken cancellationToken)
    {
        var name = username?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100 || name.Any(char.IsControl) || name.Any(char.IsWhiteSpace))
        {
            return (null, Refusal.Invalid("give a user name of 1 to 100 characters without spaces"));
        }

        if (!Roles.IsKnown(role))
        {
            return (null, Refusal.Invalid("role must be admin, user or viewer"));
        }

        if (PasswordHashing.Problem(password, name) is { } problem)
        {
            return (null, Refusal.Invalid(problem));
        }

        // User names are unique across the server (they sign in without naming a company).
        if (await db.Users.AcrossCompanies().AnyAsync(u => u.Username == name, cancellationToken).ConfigureAwait(false))
        {
            return (null, Refusal.Conflict($"the user name '{name}' is taken; pick another"));
        }

        var now = time.GetUtcNow();
        var user = new User { CompanyId = companyId, Username = name, PasswordHash = PasswordHashing.Hash(password!), Role = role!, CreatedAt = now, PasswordChangedAt = now };
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (user, null);
    }

    /// <summary>
    /// Changes the password after checking the current one; tokens and sign-ins issued before this second stop
    /// working (they carry whole seconds). Null when changed.
    /// </summary>
    public async Task<Refusal?> ChangePasswordAsync(long userId, string? currentPassword, string? newPassword, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
        if (currentPassword is null || !PasswordHashing.Verify(user.PasswordHash, currentPassword))
        {
            return Refusal.Invalid("the current password is wrong");
        }

        if (PasswordHashing.Problem(newPassword, user.Username) is { } problem)
        {
            return Refusal.Invalid(problem);
        }

        user.PasswordHash = PasswordHashing.Hash(newPassword!);
        user.PasswordChangedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return null;
    }
}
