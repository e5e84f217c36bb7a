using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Ferry.Server.Auth;

/// <summary>
/// After the signature, lifetime, issuer and audience check: the user must still exist and must not have
/// changed their password since the token was issued; their current role and company become the caller's claims.
/// The live-progress stream may carry the token in <c>?access_token=</c>, because browsers' EventSource cannot set headers.
/// </summary>
internal static class TokenValidation
{
    public static JwtBearerEvents Events() => new()
    {
        OnMessageReceived = context =>
        {
            if (context.Request.Path.Value?.EndsWith("/events", StringComparison.Ordinal) == true
                && context.Request.Query.TryGetValue("access_token", out var token))
            {
                context.Token = token;
            }

            return Task.CompletedTask;
        },
        OnTokenValidated = async context =>
        {
            var subject = context.Principal?.FindFirstValue(JwtRegisteredClaimNames.Sub) ?? context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
            if (!long.TryParse(subject, CultureInfo.InvariantCulture, out var userId))
            {
                context.Fail("the token names no user");
                return;
            }

            var db = context.HttpContext.RequestServices.GetRequiredService<FerryDbContext>();
            var issuedAt = context.SecurityToken is JsonWebToken jwt ? new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero) : DateTimeOffset.MinValue;
            var (principal, failure) = await CallerPrincipal.LoadAsync(db, userId, issuedAt, JwtBearerDefaults.AuthenticationScheme, context.HttpContext.RequestAborted).ConfigureAwait(false);
            if (principal is null)
            {
                context.Fail(failure!);
                return;
            }

            context.Principal = principal;
        },
    };
}
