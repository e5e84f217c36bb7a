using System.Net;
using Ferry.Testing;

namespace Ferry.Server.Tests.Attacks;

/// <summary>A SQLite server where each donation link may make 3 requests a minute.</summary>
public sealed class SlowLinksSqliteFixture : SqliteServerFixture
{
    protected override void AddSettings(Dictionary<string, string?> settings) => settings["Ferry:DonationLinkRequestsPerMinute"] = "3";
}

/// <summary>Flooding through a donation link: each link has its own budget of requests per minute; past it, 429 with Retry-After.</summary>
public sealed class DonationLinkRateLimitTests(SlowLinksSqliteFixture fixture) : IClassFixture<SlowLinksSqliteFixture>
{
    [Fact]
    public async Task LinkCalls_PastTheLinksRate_429WithRetryAfterWhileAnotherLinkStillWorks()
    {
        var tenant = await fixture.NewTenantAsync();
        var flooded = (await ApiCalls.PostAsync(tenant.Admin, "/api/donation-links", new { label = "flooded" }, HttpStatusCode.Created))["token"]!.GetValue<string>();
        var other = (await ApiCalls.PostAsync(tenant.Admin, "/api/donation-links", new { label = "other" }, HttpStatusCode.Created))["token"]!.GetValue<string>();
        var anonymous = fixture.Anonymous();

        for (var i = 0; i < 3; i++)
        {
            using var allowed = DonationLinkDonor.Request(HttpMethod.Get, "/api/link", flooded);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(allowed)).StatusCode);
        }

        using var fourth = DonationLinkDonor.Request(HttpMethod.Get, "/api/link", flooded);
        using var refused = await anonymous.SendAsync(fourth);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("more than 3 requests in a minute", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var start = await DonationLinkDonor.StartAsync(anonymous, flooded, 100, null, "2026-11"); // uploads share the link's budget
        Assert.Equal(HttpStatusCode.TooManyRequests, start.StatusCode);

        using var another = DonationLinkDonor.Request(HttpMethod.Get, "/api/link", other);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(another)).StatusCode);
    }
}

/// <summary>A SQLite server where one address may send 3 unknown donation-link tokens a minute.</summary>
public sealed class GuessedLinksSqliteFixture : SqliteServerFixture
{
    protected override void AddSettings(Dictionary<string, string?> settings) => settings["Ferry:DonationLinkWrongTokensPerMinute"] = "3";
}

/// <summary>Guessing donation-link tokens: each made-up token would have a fresh per-link budget, so wrong tokens are counted per address.</summary>
public sealed class DonationLinkGuessTests(GuessedLinksSqliteFixture fixture) : IClassFixture<GuessedLinksSqliteFixture>
{
    [Fact]
    public async Task MadeUpTokens_PastTheAddressBudget_429BeforeAnyLookupEvenForARealLink()
    {
        var tenant = await fixture.NewTenantAsync();
        var real = (await ApiCalls.PostAsync(tenant.Admin, "/api/donation-links", new { label = "real" }, HttpStatusCode.Created))["token"]!.GetValue<string>();
        var anonymous = fixture.Anonymous();
        using (var before = DonationLinkDonor.Request(HttpMethod.Get, "/api/link", real))
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(before)).StatusCode); // real tokens spend nothing of the address's budget
        }

        for (var i = 0; i < 3; i++)
        {
            using var guess = DonationLinkDonor.Request(HttpMethod.Get, "/api/link", Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.SendAsync(guess)).StatusCode);
        }

        using var fourth = DonationLinkDonor.Request(HttpMethod.Get, "/api/link", Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        using var refused = await anonymous.SendAsync(fourth);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("more than 3 unknown donation-link tokens in a minute", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var realAfter = DonationLinkDonor.Request(HttpMethod.Get, "/api/link", real);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await anonymous.SendAsync(realAfter)).StatusCode);
    }
}
