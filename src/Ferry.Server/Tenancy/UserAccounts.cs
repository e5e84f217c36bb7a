namespace Ferry.Server.Tenancy;

/// <summary>Creating users and changing passwords, for the API and the pages alike: one set of rules.</summary>
internal sealed class UserAccounts(FerryDbContext db, TimeProvider time, LoginThrottle throttle, FerryServerOptions options)
{
    /// <summary>A new user in <paramref name="companyId"/> (which the caller has already been allowed to use).</summary>
    public async Task<(User? User, Refusal? Refusal)> CreateAsync(long companyId, string? username, string? password, string? role, CancellationToken cancellationToken)
    {
        var name = username?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > PasswordHashing.MaximumUsernameLength || name.Any(char.IsControl) || name.Any(char.IsWhiteSpace))
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
        if (await db.Users.AcrossCompanies().AnyAsync(u => u.Username == name, cancellationToken))
        {
            return (null, Refusal.Conflict($"the user name '{name}' is taken; pick another"));
        }

        var now = time.GetUtcNow();
        var user = new User { CompanyId = companyId, Username = name, PasswordHash = PasswordHashing.Hash(password!), Role = role!, CreatedAt = now, PasswordChangedAt = now, TokensValidAfter = now, WebSignedOutAt = now };
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        return (user, null);
    }

    /// <summary>
    /// Changes the password after checking the current one, through the sign-in throttle (per user name and
    /// <paramref name="address"/>: wrong current passwords count as failed sign-ins, and once throttled even the right
    /// one waits for <c>RetryAfter</c>). Tokens and sign-ins issued before stop working; a required change
    /// (<see cref="User.MustChangePassword"/>) is done. Refusal null when changed.
    /// </summary>
    public async Task<(Refusal? Refusal, TimeSpan? RetryAfter)> ChangePasswordAsync(long userId, string? currentPassword, string? newPassword, string address, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        if (await throttle.RetryAfterAsync(user.Username, address, cancellationToken) is { } wait)
        {
            return (Refusal.Invalid($"too many failed attempts for this user; try again in {Math.Ceiling(wait.TotalMinutes)} minute(s)"), wait);
        }

        if (currentPassword is null || currentPassword.Length > PasswordHashing.MaximumLength || !PasswordHashing.Verify(user.PasswordHash, currentPassword))
        {
            await throttle.RecordFailureAsync(user.Username, address, cancellationToken);
            await Task.Delay(options.FailedLoginDelay, cancellationToken);
            return (Refusal.Invalid("the current password is wrong"), null);
        }

        if (PasswordHashing.Problem(newPassword, user.Username) is { } problem)
        {
            return (Refusal.Invalid(problem), null);
        }

        if (PasswordHashing.Verify(user.PasswordHash, newPassword!) && user.MustChangePassword)
        {
            return (Refusal.Invalid("choose a new password, not the temporary one"), null);
        }

        await throttle.RecordSuccessAsync(user.Username, address, cancellationToken);
        user.PasswordHash = PasswordHashing.Hash(newPassword!);
        user.PasswordChangedAt = time.GetUtcNow();
        user.MustChangePassword = false;
        await db.SaveChangesAsync(cancellationToken);
        if (user.IsSystemAdmin && user.Username == AdminBootstrap.AdminUsername)
        {
            AdminBootstrap.ForgetPasswordFile(options.ResolvedDataDirectory);
        }
        return (null, null);
    }
}
