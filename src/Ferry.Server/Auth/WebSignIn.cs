using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Ferry.Server.Auth;

/// <summary>
/// The web app's sign-in: an HttpOnly, SameSite=Strict cookie naming the user and when they signed in. Every request
/// re-reads the user (as for API tokens), so a deleted user or a changed password ends the sign-in at once.
/// Pages that call the API get a short-lived bearer token rendered into the page.
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
        cookie.Events.OnValidatePrincipal = async context =>
        {
            var id = context.Principal?.FindFirstValue(Caller.UserIdClaim);
            var issued = context.Principal?.FindFirstValue(CallerPrincipal.IssuedAtClaim);
            if (!long.TryParse(id, CultureInfo.InvariantCulture, out var userId) || !long.TryParse(issued, CultureInfo.InvariantCulture, out var issuedAt))
            {
                context.RejectPrincipal();
                return;
            }

            var db = context.HttpContext.RequestServices.GetRequiredService<FerryDbContext>();
            var (principal, _) = await CallerPrincipal.LoadAsync(db, userId, DateTimeOffset.FromUnixTimeSeconds(issuedAt), Scheme, context.HttpContext.RequestAborted).ConfigureAwait(false);
            if (principal is null)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(Scheme).ConfigureAwait(false);
                return;
            }

            context.ReplacePrincipal(principal);
        };
    }

    public static async Task SignInAsync(HttpContext http, FerryDbContext db, User user, TimeProvider time)
    {
        var (principal, failure) = await CallerPrincipal.LoadAsync(db, user.Id, time.GetUtcNow(), Scheme, http.RequestAborted).ConfigureAwait(false);
        await http.SignInAsync(Scheme, principal ?? throw new InvalidOperationException(failure)).ConfigureAwait(false);
    }
}
