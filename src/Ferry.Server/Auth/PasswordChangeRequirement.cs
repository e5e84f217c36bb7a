using System.Security.Claims;

namespace Ferry.Server.Auth;

/// <summary>
/// A user who must change their password (after an administrator's reset, or a generated first-admin password) may do
/// only that: every other API call answers 403 "change your password first", and every page but the password change
/// and sign-out redirects to <c>/account/password</c>. Runs after authorization, so it sees API tokens and sign-in
/// cookies alike.
/// </summary>
internal static class PasswordChangeRequirement
{
    public const string PasswordPage = "/account/password";

    private static readonly string[] AllowedPages = [PasswordPage, "/signout", "/signin", "/denied"];

    public static IApplicationBuilder UsePasswordChangeRequirement(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.HasClaim(CallerPrincipal.MustChangePasswordClaim, "true") && context.User.FindFirstValue(Caller.UserIdClaim) is not null)
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
            {
                if (!(HttpMethods.IsPost(context.Request.Method) && path.Equals("/api/auth/password", StringComparison.OrdinalIgnoreCase)))
                {
                    await TypedResults.Problem("change your password first (POST /api/auth/password); an administrator reset it, or it was generated for you",
                        statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(context);
                    return;
                }
            }
            else if (context.GetEndpoint() is not null && !AllowedPages.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase)))
            {
                context.Response.Redirect(PasswordPage);
                return;
            }
        }

        await next(context);
    });
}
