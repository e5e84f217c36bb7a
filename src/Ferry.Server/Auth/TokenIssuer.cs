using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ferry.Server.Auth;

/// <summary>Issues HMAC-SHA256 signed JWT access tokens naming the user; everything else about the caller is read from the database per request.</summary>
internal sealed class TokenIssuer(SymmetricSecurityKey key, FerryServerOptions options, TimeProvider time)
{
    public const string Issuer = "ferry";
    public const string Audience = "ferry-api";

    public (string Token, int ExpiresIn) Issue(User user)
    {
        var now = time.GetUtcNow();
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim(JwtRegisteredClaimNames.Name, user.Username)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + options.TokenLifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        return (new JsonWebTokenHandler().CreateToken(descriptor), (int)options.TokenLifetime.TotalSeconds);
    }
}
