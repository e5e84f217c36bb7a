using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ferry.Server.Auth;

/// <summary>Issues HMAC-SHA256 signed JWT access tokens naming the user; everything else about the caller is read from the database per request.</summary>
internal sealed class TokenIssuer(SymmetricSecurityKey key, FerryServerOptions options, TimeProvider time)
{
    public const string Issuer = "ferry";
    public const string Audience = "ferry-api";

    /// <summary>An API token (<c>POST /api/auth/login</c>) living <see cref="FerryServerOptions.TokenLifetime"/>.</summary>
    public (string Token, int ExpiresIn) Issue(User user) => Issue(user, options.TokenLifetime, web: false);

    /// <summary>
    /// A page token: for the script of a page the user is signed in to, living <see cref="FerryServerOptions.PageTokenLifetime"/>;
    /// signing out of the web app ends it with the sign-in cookie.
    /// </summary>
    public (string Token, int ExpiresIn) IssuePageToken(User user) => Issue(user, options.PageTokenLifetime, web: true);

    private (string Token, int ExpiresIn) Issue(User user, TimeSpan lifetime, bool web)
    {
        var now = time.GetUtcNow();
        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(JwtRegisteredClaimNames.Name, user.Username),
            new(CallerPrincipal.IssuedAtMillisecondsClaim, now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
        };
        if (web)
        {
            claims.Add(new Claim(CallerPrincipal.WebClaim, "true"));
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        return (new JsonWebTokenHandler().CreateToken(descriptor), (int)lifetime.TotalSeconds);
    }
}
