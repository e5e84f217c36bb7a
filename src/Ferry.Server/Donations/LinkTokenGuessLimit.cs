using System.Threading.RateLimiting;

namespace Ferry.Server.Donations;

/// <summary>
/// Wrong donation-link tokens per client address: the per-link rate limit (<see cref="DonationLinkRateLimit"/>) is
/// keyed by the token, so every made-up token would get a fresh budget; this one counts the calls whose token is
/// missing or names no link and, past <c>Ferry:DonationLinkWrongTokensPerMinute</c> in a minute, answers 429 before
/// the database is asked. Donors holding a real link never spend from it.
/// </summary>
internal sealed class LinkTokenGuessLimit(FerryServerOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.DonationLinkWrongTokensPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>The refusal for an address that has sent too many wrong tokens this minute, else null.</summary>
    public LinkRefusal? Refusal(string address)
    {
        using var lease = _limiter.AttemptAcquire(address, 0); // 0 permits: asks whether any are left, spends none
        return lease.IsAcquired ? null : new LinkRefusal(StatusCodes.Status429TooManyRequests,
            $"this address sent more than {options.DonationLinkWrongTokensPerMinute:N0} unknown donation-link tokens in a minute (Ferry:DonationLinkWrongTokensPerMinute); check the link and try again in a minute");
    }

    /// <summary>Counts one call from <paramref name="address"/> whose token was missing or unknown.</summary>
    public void CountWrong(string address)
    {
        using var lease = _limiter.AttemptAcquire(address);
    }

    public void Dispose() => _limiter.Dispose();
}
