using System.Globalization;
using System.Security.Claims;

namespace Ferry.Server.Auth;

/// <summary>
/// The caller as the database says now, for a token or sign-in cookie naming <c>userId</c> and issued at <c>issuedAt</c>:
/// null (with the reason) when the user no longer exists or changed their password since. Role and company come
/// from here, never from the token.
/// </summary>
internal static class CallerPrincipal
{
    public const string IssuedAtClaim = "ferry:issued_at";

    public static async Task<(ClaimsPrincipal? Principal, string? Failure)> LoadAsync(FerryDbContext db, long userId, DateTimeOffset issuedAt, string scheme, CancellationToken cancellationToken)
    {
        // Runs while the request is being authenticated, before its company is known.
        var user = await db.Users.AcrossCompanies().AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Username, u.CompanyId, u.Role, u.IsSystemAdmin, u.PasswordChangedAt })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return (null, "the user no longer exists");
        }

        // Tokens carry whole seconds: compare at that precision.
        if (issuedAt.ToUnixTimeSeconds() < user.PasswordChangedAt.ToUnixTimeSeconds())
        {
            return (null, "the password changed after this sign-in");
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, user.Username),
            new Claim(Caller.UserIdClaim, userId.ToString(CultureInfo.InvariantCulture)),
            new Claim(Caller.CompanyClaim, user.CompanyId.ToString(CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Role, user.Role),
            new Claim(Caller.SystemAdminClaim, user.IsSystemAdmin ? "true" : "false"),
            new Claim(IssuedAtClaim, issuedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ], scheme, ClaimTypes.Name, ClaimTypes.Role);
        return (new ClaimsPrincipal(identity), null);
    }
}
