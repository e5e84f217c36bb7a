namespace Ferry.Server.Auth;

/// <summary>What a sign-in attempt came to: the user, or why not (and, when throttled, how long to wait).</summary>
internal sealed record SignInResult(User? User, string? Problem, TimeSpan? RetryAfter);

/// <summary>
/// Checks a user name and password for the API and the web sign-in alike: throttled per user name and address,
/// every failure slowed by <see cref="FerryServerOptions.FailedLoginDelay"/>, unknown names as slow as wrong passwords.
/// </summary>
internal sealed class PasswordCheck(FerryDbContext db, LoginThrottle throttle, FerryServerOptions options)
{
    /// <summary>
    /// What is wrong with the lengths of a sign-in's user name and password (at most <see cref="PasswordHashing.MaximumUsernameLength"/>
    /// and <see cref="PasswordHashing.MaximumLength"/> characters), or null: checked before anything is hashed or looked up.
    /// </summary>
    public static string? BoundsProblem(string username, string password) =>
        username.Length > PasswordHashing.MaximumUsernameLength ? $"the user name is longer than {PasswordHashing.MaximumUsernameLength} characters"
        : password.Length > PasswordHashing.MaximumLength ? $"the password is longer than {PasswordHashing.MaximumLength:N0} characters"
        : null;

    /// <summary>
    /// Deactivated and deleted users get the same answer as a wrong password (after the same hashing work), so
    /// sign-in answers never tell which accounts exist or are active.
    /// </summary>
    public async Task<SignInResult> CheckAsync(string username, string password, string address, CancellationToken cancellationToken)
    {
        if (BoundsProblem(username, password) is { } bounds)
        {
            return new SignInResult(null, bounds, null);
        }

        if (await throttle.RetryAfterAsync(username, address, cancellationToken) is { } wait)
        {
            return new SignInResult(null, $"too many failed sign-ins for this user; try again in {Math.Ceiling(wait.TotalMinutes)} minute(s)", wait);
        }

        // Sign-in comes before any company is known.
        var user = await db.Users.AcrossCompanies().AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, cancellationToken);
        var valid = PasswordHashing.Verify(user?.PasswordHash ?? PasswordHashing.DecoyHash, password) && user is { DeactivatedAt: null, DeletedAt: null };
        if (!valid)
        {
            await throttle.RecordFailureAsync(username, address, cancellationToken);
            await Task.Delay(options.FailedLoginDelay, cancellationToken);
            return new SignInResult(null, "wrong user name or password", null);
        }

        await throttle.RecordSuccessAsync(username, address, cancellationToken);
        return new SignInResult(user, null, null);
    }
}
