using System.Security.Cryptography;
using System.Text;

namespace Ferry.Server.Donations;

/// <summary>
/// A donation link's secret: 32 random bytes, base64url. Only its SHA-256 is stored; it travels in the link's fragment
/// (<c>https://HOST/donate#TOKEN</c>, which browsers never send) and in the <see cref="Header"/> of each call, never in a
/// path or query, so no access log, trace or proxy records it.
/// </summary>
internal static class DonationLinkToken
{
    /// <summary>The request header that carries the token.</summary>
    public const string Header = "Ferry-Donation-Link";

    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));

    /// <summary>The token of a request, or null when the header is missing or not of a token's shape (at most 128 characters).</summary>
    public static string? From(HttpContext http) =>
        http.Request.Headers[Header].ToString() is { Length: > 0 and <= 128 } token ? token.Trim() : null;
}
