using System.Globalization;
using System.Security.Claims;

namespace Ferry.Server.Auth;

/// <summary>
/// The caller as the database says now, for a token or sign-in cookie naming <c>userId</c> and issued at <c>issuedAt</c>:
/// null (with the reason) when the user no longer exists, is deactivated, changed their password since, had their
/// account changed by an administrator since (<see cref="User.TokensValidAfter"/>), or — for web sign-ins (cookies and
/// page tokens) — signed out of the web app since. Role and company come from here, never from the token. Runs on
/// every authenticated request, so each of these takes effect at once.
/// </summary>
internal static class CallerPrincipal
{
    /// <summary>Unix seconds (sign-in cookies written before milliseconds were recorded).</summary>
    public const string IssuedAtClaim = "ferry:issued_at";

    /// <summary>Unix milliseconds: revocations are compared at this precision.</summary>
    public const string IssuedAtMillisecondsClaim = "ferry:issued_at_ms";

    /// <summary>"true" on a page token (a web sign-in's token for the page's script): signing out of the web app ends it.</summary>
    public const string WebClaim = "ferry:web";

    /// <summary>"true" while the user must change their password before doing anything else.</summary>
    public const string MustChangePasswordClaim = "ferry:must_change_password";

    /// <summary>The instant a credential was issued, and whether it is known only to whole seconds (older tokens and cookies).</summary>
    public readonly record struct IssuedAt(DateTimeOffset At, bool WholeSeconds)
    {
        /// <summary>
        /// Whether a revocation at <paramref name="instant"/> ends this credential: issued at or before it (to the
        /// millisecond; older credentials, known to whole seconds only, when issued in an earlier second).
        /// </summary>
        public bool IsRevokedBy(DateTimeOffset instant) => WholeSeconds
            ? At.ToUnixTimeSeconds() < instant.ToUnixTimeSeconds()
            : At.ToUnixTimeMilliseconds() <= instant.ToUnixTimeMilliseconds();

        /// <summary>From a principal's claims: milliseconds when present, else seconds; null when neither.</summary>
        public static IssuedAt? From(ClaimsPrincipal? principal)
        {
            if (long.TryParse(principal?.FindFirstValue(IssuedAtMillisecondsClaim), CultureInfo.InvariantCulture, out var ms))
            {
                return new IssuedAt(DateTimeOffset.FromUnixTimeMilliseconds(ms), false);
            }

            return long.TryParse(principal?.FindFirstValue(IssuedAtClaim), CultureInfo.InvariantCulture, out var seconds)
                ? new IssuedAt(DateTimeOffset.FromUnixTimeSeconds(seconds), true)
                : null;
        }
    }

    public static async Task<(ClaimsPrincipal? Principal, string? Failure)> LoadAsync(FerryDbContext db, long userId, IssuedAt issuedAt, bool web, string scheme, CancellationToken cancellationToken)
    {
        // Runs while the request is being authenticated, before its company is known.
        var user = await db.Users.AcrossCompanies().AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Username, u.CompanyId, u.Role, u.IsSystemAdmin, u.PasswordChangedAt, u.DeactivatedAt, u.DeletedAt, u.MustChangePassword, u.TokensValidAfter, u.WebSignedOutAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (user is null || user.DeletedAt is not null)
        {
            return (null, "the user no longer exists");
        }

        if (user.DeactivatedAt is not null)
        {
            return (null, "the user is deactivated");
        }

        if (issuedAt.IsRevokedBy(user.PasswordChangedAt))
        {
            return (null, "the password changed after this sign-in");
        }

        if (issuedAt.IsRevokedBy(user.TokensValidAfter))
        {
            return (null, "an administrator changed this account after this sign-in");
        }

        if (web && issuedAt.IsRevokedBy(user.WebSignedOutAt))
        {
            return (null, "signed out of the web app after this sign-in");
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, user.Username),
            new Claim(Caller.UserIdClaim, userId.ToString(CultureInfo.InvariantCulture)),
            new Claim(Caller.CompanyClaim, user.CompanyId.ToString(CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Role, user.Role),
            new Claim(Caller.SystemAdminClaim, user.IsSystemAdmin ? "true" : "false"),
            new Claim(IssuedAtClaim, issuedAt.At.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new Claim(MustChangePasswordClaim, user.MustChangePassword ? "true" : "false"),
        ], scheme, ClaimTypes.Name, ClaimTypes.Role);
        if (!issuedAt.WholeSeconds)
        {
            identity.AddClaim(new Claim(IssuedAtMillisecondsClaim, issuedAt.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        }

        if (web)
        {
            identity.AddClaim(new Claim(WebClaim, "true"));
        }

        return (new ClaimsPrincipal(identity), null);
    }
}
