using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Ferry.Server.Auth;

/// <summary>
/// After the signature, lifetime, issuer and audience check: the user must still exist, be active and hold no
/// revocation newer than the token (see <see cref="CallerPrincipal"/>); their current role and company become the
/// caller's claims. Tokens are read from the <c>Authorization</c> header only: never from a URL, where proxies,
/// browser history and logs would keep them.
/// </summary>
internal static class TokenValidation
{
    public static JwtBearerEvents Events() => new()
    {
        OnTokenValidated = async context =>
        {
            var subject = context.Principal?.FindFirstValue(JwtRegisteredClaimNames.Sub) ?? context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
            if (!long.TryParse(subject, CultureInfo.InvariantCulture, out var userId))
            {
                context.Fail("the token names no user");
                return;
            }

            var db = context.HttpContext.RequestServices.GetRequiredService<FerryDbContext>();
            var issuedAt = CallerPrincipal.IssuedAt.From(context.Principal)
                ?? new CallerPrincipal.IssuedAt(context.SecurityToken is JsonWebToken jwt ? new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero) : DateTimeOffset.MinValue, true);
            var web = context.Principal?.HasClaim(CallerPrincipal.WebClaim, "true") == true;
            var (principal, failure) = await CallerPrincipal.LoadAsync(db, userId, issuedAt, web, JwtBearerDefaults.AuthenticationScheme, context.HttpContext.RequestAborted);
            if (principal is null)
            {
                context.Fail(failure!);
                return;
            }

            context.Principal = principal;
        },
    };
}
