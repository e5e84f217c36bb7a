using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Ferry.Server.Auth;

/// <summary>
/// The web app's sign-in: an HttpOnly, SameSite=Strict cookie naming the user and when they signed in. Every request
/// re-reads the user (as for API tokens), so a deleted user or a changed password ends the sign-in at once.
/// Pages that call the API get a page token (minutes; <c>POST /api/auth/page-token</c> gives a fresh one for the
/// cookie); signing out ends the cookie, its copies and its page tokens at once. The cookie is <c>Secure</c> whenever
/// the request's scheme is https — after forwarded headers from a known proxy (<see cref="ForwardedHeadersSetup"/>).
/// </summary>
internal static class WebSignIn
{
    public const string Scheme = "ferry-web";
    public const string Policy = "web";
    public const string AdminPolicy = "web-admin";

    public static void Configure(CookieAuthenticationOptions cookie, TimeSpan lifetime)
    {
        cookie.Cookie.Name = "ferry";
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Strict;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.ExpireTimeSpan = lifetime;
        cookie.SlidingExpiration = false;
        cookie.LoginPath = "/signin";
        cookie.LogoutPath = "/signout";
        cookie.AccessDeniedPath = "/denied";
        // API routes that accept the cookie (server-sent events) answer 401/403, not a redirect to the sign-in page.
        cookie.Events.OnRedirectToLogin = context => Answer(context, StatusCodes.Status401Unauthorized);
        cookie.Events.OnRedirectToAccessDenied = context => Answer(context, StatusCodes.Status403Forbidden);
        cookie.Events.OnValidatePrincipal = async context =>
        {
            var id = context.Principal?.FindFirstValue(Caller.UserIdClaim);
            if (!long.TryParse(id, CultureInfo.InvariantCulture, out var userId) || CallerPrincipal.IssuedAt.From(context.Principal) is not { } issuedAt)
            {
                context.RejectPrincipal();
                return;
            }

            var db = context.HttpContext.RequestServices.GetRequiredService<FerryDbContext>();
            var (principal, _) = await CallerPrincipal.LoadAsync(db, userId, issuedAt, web: true, Scheme, context.HttpContext.RequestAborted);
            if (principal is null)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(Scheme);
                return;
            }

            context.ReplacePrincipal(principal);
        };
    }

    private static Task Answer(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }

    public static async Task SignInAsync(HttpContext http, FerryDbContext db, User user, TimeProvider time)
    {
        var (principal, failure) = await CallerPrincipal.LoadAsync(db, user.Id, new CallerPrincipal.IssuedAt(time.GetUtcNow(), false), web: true, Scheme, http.RequestAborted);
        await http.SignInAsync(Scheme, principal ?? throw new InvalidOperationException(failure));
    }

    /// <summary>
    /// Ends every web sign-in of the caller at once — this browser's cookie, copies of it, and the page tokens issued
    /// for it — by moving <see cref="User.WebSignedOutAt"/> to now; API tokens from <c>/api/auth/login</c> stay valid.
    /// </summary>
    public static async Task SignOutAsync(HttpContext http, FerryDbContext db, TimeProvider time)
    {
        if (Caller.From(http.User) is { } caller)
        {
            var now = time.GetUtcNow();
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == caller.UserId, http.RequestAborted);
            if (user is not null)
            {
                user.WebSignedOutAt = now;
                await db.SaveChangesAsync(http.RequestAborted);
            }
        }

        await http.SignOutAsync(Scheme);
    }
}
