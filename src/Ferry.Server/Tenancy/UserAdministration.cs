namespace Ferry.Server.Tenancy;

/// <summary>What an administrator's change to an account came to: the changed user, or the HTTP status and reason it was refused.</summary>
internal sealed record AccountChange(User? User, int Status, string? Problem)
{
    public static AccountChange Done(User user) => new(user, StatusCodes.Status200OK, null);

    public static AccountChange NotFound(long userId) => new(null, StatusCodes.Status404NotFound, $"user {userId}");

    public static AccountChange Forbidden(string problem) => new(null, StatusCodes.Status403Forbidden, problem);

    public static AccountChange Conflict(string problem) => new(null, StatusCodes.Status409Conflict, problem);

    public static AccountChange Invalid(string problem) => new(null, StatusCodes.Status400BadRequest, problem);
}

/// <summary>
/// Administrators' changes to accounts, for the API and the Users page alike: deactivate, reactivate, delete, change
/// role, reset password. The rules:
/// <list type="bullet">
/// <item>A company admin reaches only their own company's users (any other user is "not found", 404); the system
/// administrator reaches every company's users. Deleted users are not found.</item>
/// <item>Only the system administrator may change a system administrator's account (403); no change here makes anyone a
/// system administrator.</item>
/// <item>No lock-out: a change that would leave a company without an active admin (demoting, deactivating or deleting
/// its last one) is refused (409), and nobody deactivates, deletes or resets the password of their own account (409;
/// the own password is changed with <c>POST /api/auth/password</c>).</item>
/// <item>Every change moves <see cref="User.TokensValidAfter"/> to now: the user's tokens, page tokens and sign-in
/// cookies stop working on their next request.</item>
/// <item>Deletion keeps the row (sessions, jobs and exports keep naming who made them): the user is hidden, can never
/// sign in, and the name stays taken.</item>
/// </list>
/// </summary>
internal sealed class UserAdministration(FerryDbContext db, TimeProvider time)
{
    private enum Action { Deactivate, Reactivate, Delete, ChangeRole, ResetPassword }

    /// <summary>The company's users that are not deleted, oldest first (the caller's own company: the request's scope applies).</summary>
    public Task<List<User>> ListAsync(long companyId, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().Where(u => u.CompanyId == companyId && u.DeletedAt == null).OrderBy(u => u.Id).ToListAsync(cancellationToken);

    /// <summary>The user, when <paramref name="caller"/> (an admin) may manage them; null when not found or not theirs.</summary>
    public async Task<User?> FindAsync(Caller caller, long userId, CancellationToken cancellationToken) =>
        !caller.IsAdmin && !caller.IsSystemAdmin
            ? null
            // The system administrator manages every company's users; anyone else their own company's.
            : await (caller.IsSystemAdmin ? db.Users.AcrossCompanies() : db.Users).FirstOrDefaultAsync(u => u.Id == userId && u.DeletedAt == null && (caller.IsSystemAdmin || u.CompanyId == caller.CompanyId), cancellationToken);

    public Task<AccountChange> DeactivateAsync(Caller caller, long userId, CancellationToken cancellationToken) => ChangeAsync(caller, userId, Action.Deactivate, null, cancellationToken);

    public Task<AccountChange> ReactivateAsync(Caller caller, long userId, CancellationToken cancellationToken) => ChangeAsync(caller, userId, Action.Reactivate, null, cancellationToken);

    public Task<AccountChange> DeleteAsync(Caller caller, long userId, CancellationToken cancellationToken) => ChangeAsync(caller, userId, Action.Delete, null, cancellationToken);

    /// <summary>Role admin, user or viewer.</summary>
    public Task<AccountChange> ChangeRoleAsync(Caller caller, long userId, string? role, CancellationToken cancellationToken) => ChangeAsync(caller, userId, Action.ChangeRole, role, cancellationToken);

    /// <summary>Sets a temporary password (same rules as any password); the user must change it at their next sign-in.</summary>
    public Task<AccountChange> ResetPasswordAsync(Caller caller, long userId, string? temporaryPassword, CancellationToken cancellationToken) => ChangeAsync(caller, userId, Action.ResetPassword, temporaryPassword, cancellationToken);

    private async Task<AccountChange> ChangeAsync(Caller caller, long userId, Action action, string? argument, CancellationToken cancellationToken)
    {
        if (await FindAsync(caller, userId, cancellationToken) is not { } user)
        {
            return AccountChange.NotFound(userId);
        }

        if (user.IsSystemAdmin && !caller.IsSystemAdmin)
        {
            return AccountChange.Forbidden("only the system administrator can change the system administrator's account");
        }

        var self = user.Id == caller.UserId;
        var now = time.GetUtcNow();
        switch (action)
        {
            case Action.Deactivate:
                if (self)
                {
                    return AccountChange.Conflict("you cannot deactivate your own account; another admin can");
                }

                if (await IsLastActiveAdminAsync(user, cancellationToken))
                {
                    return AccountChange.Conflict($"{user.Username} is the company's last active admin; make another user admin first");
                }

                user.DeactivatedAt ??= now;
                break;
            case Action.Reactivate:
                user.DeactivatedAt = null;
                break;
            case Action.Delete:
                if (self)
                {
                    return AccountChange.Conflict("you cannot delete your own account; another admin can");
                }

                if (await IsLastActiveAdminAsync(user, cancellationToken))
                {
                    return AccountChange.Conflict($"{user.Username} is the company's last active admin; make another user admin first");
                }

                user.DeletedAt = now;
                break;
            case Action.ChangeRole:
                if (!Roles.IsKnown(argument))
                {
                    return AccountChange.Invalid("role must be admin, user or viewer");
                }

                if (argument != Roles.Admin && await IsLastActiveAdminAsync(user, cancellationToken))
                {
                    return AccountChange.Conflict($"{user.Username} is the company's last active admin; make another user admin first");
                }

                user.Role = argument!;
                break;
            case Action.ResetPassword:
                if (self)
                {
                    return AccountChange.Conflict("change your own password with POST /api/auth/password (or the Change password page), not a reset");
                }

                if (PasswordHashing.Problem(argument, user.Username) is { } problem)
                {
                    return AccountChange.Invalid(problem);
                }

                user.PasswordHash = PasswordHashing.Hash(argument!);
                user.PasswordChangedAt = now;
                user.MustChangePassword = true;
                break;
        }

        user.TokensValidAfter = now;
        await db.SaveChangesAsync(cancellationToken);
        return AccountChange.Done(user);
    }

    /// <summary>True when <paramref name="user"/> is an active admin and no other active admin is left in their company.</summary>
    private async Task<bool> IsLastActiveAdminAsync(User user, CancellationToken cancellationToken) =>
        user.Role == Roles.Admin && user.DeactivatedAt is null && user.DeletedAt is null
        && !await db.Users.AcrossCompanies().AnyAsync(u => u.CompanyId == user.CompanyId && u.Id != user.Id && u.Role == Roles.Admin && u.DeactivatedAt == null && u.DeletedAt == null, cancellationToken);
}
