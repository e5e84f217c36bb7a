using System.Threading.RateLimiting;

namespace Ferry.Server.Donations;

/// <summary>
/// ASP.NET Core's rate limiter for donation-link calls: one fixed window of a minute per link (partitioned by the
/// SHA-256 of the token in the request, so every donor holding one link shares its
/// <c>Ferry:DonationLinkRequestsPerMinute</c>); past it, 429 with Retry-After and a problem document.
/// </summary>
internal static class DonationLinkRateLimit
{
    public const string Policy = "donation-link";

    public static IServiceCollection AddDonationLinkRateLimit(this IServiceCollection services) => services.AddRateLimiter(limiter =>
    {
        limiter.AddPolicy(Policy, http =>
        {
            var perMinute = http.RequestServices.GetRequiredService<FerryServerOptions>().DonationLinkRequestsPerMinute;
            var key = DonationLinkToken.From(http) is { } token ? DonationLinkToken.Hash(token) : "";
            return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        });
        limiter.OnRejected = async (rejected, cancellationToken) =>
        {
            var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;
            rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var perMinute = rejected.HttpContext.RequestServices.GetRequiredService<FerryServerOptions>().DonationLinkRequestsPerMinute;
            await TypedResults.Problem($"this donation link made more than {perMinute:N0} requests in a minute (Ferry:DonationLinkRequestsPerMinute); try again in {seconds} s",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(rejected.HttpContext);
        };
    });
}
