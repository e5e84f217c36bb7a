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
