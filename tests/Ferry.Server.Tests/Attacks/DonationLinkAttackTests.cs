using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Server.Tests.Attacks;

/// <summary>
/// Company A against company B's donation links: A's admin does not see B's links and cannot revoke one by its id,
/// and A's own link token cannot read or append to an upload started under B's link. B's link keeps working.
/// </summary>
public abstract class DonationLinkAttackTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task CompanyA_CannotListRevokeOrReachUploadsOfCompanyBsLink()
    {
        var a = await fixture.NewTenantAsync();
        var b = await fixture.NewTenantAsync();
        var (tokenB, idB) = await CreateLinkAsync(b.Admin, "B's cohort");
        var (tokenA, _) = await CreateLinkAsync(a.Admin, "A's cohort");
        var donor = fixture.Anonymous();
        var info = await DonationLinkDonor.InfoAsync(donor, tokenB);
        using var started = await DonationLinkDonor.StartAsync(donor, tokenB, 1000, null, info["policy_version"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var uploadB = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        var listedByA = await a.Admin.GetStringAsync("/api/donation-links");
        Assert.DoesNotContain("B's cohort", listedByA, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(a.Admin, HttpMethod.Post, $"/api/donation-links/{idB}/revoke", new { }));
        using (var read = DonationLinkDonor.Request(HttpMethod.Get, $"/api/link/uploads/{uploadB}", tokenA))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await donor.SendAsync(read)).StatusCode);
        }

        using (var append = await DonationLinkDonor.ChunkAsync(donor, tokenA, uploadB, new byte[1000], 0, 10))
        {
            Assert.Equal(HttpStatusCode.NotFound, append.StatusCode);
        }

        // B's link and its upload are untouched by A's attempts.
        Assert.Equal("B's cohort", (await DonationLinkDonor.InfoAsync(donor, tokenB))["label"]!.GetValue<string>());
        using var status = DonationLinkDonor.Request(HttpMethod.Get, $"/api/link/uploads/{uploadB}", tokenB);
        Assert.Equal(0, (await ApiCalls.ReadAsync(await donor.SendAsync(status), HttpStatusCode.OK))["offset"]!.GetValue<long>());
    }

    private static async Task<(string Token, long Id)> CreateLinkAsync(HttpClient admin, string label)
    {
        var created = await ApiCalls.PostAsync(admin, "/api/donation-links", new { label }, HttpStatusCode.Created);
        return (created["token"]!.GetValue<string>(), created["link"]!["id"]!.GetValue<long>());
    }
}

public sealed class DonationLinkAttackTestsOnSqlite(SqliteServerFixture fixture) : DonationLinkAttackTests<SqliteServerFixture>(fixture);

public sealed class DonationLinkAttackTestsOnPostgres(PostgresServerFixture fixture) : DonationLinkAttackTests<PostgresServerFixture>(fixture);
