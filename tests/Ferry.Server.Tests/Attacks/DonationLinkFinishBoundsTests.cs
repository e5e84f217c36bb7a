using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Core.Privacy;
using Ferry.Server.Donations;
using Ferry.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Attacks;

/// <summary>A SQLite server that runs one donation-link finish at a time.</summary>
public sealed class OneFinishSqliteFixture : SqliteServerFixture
{
    protected override void AddSettings(Dictionary<string, string?> settings) => settings["Ferry:DonationLinkFinishesAtOnce"] = "1";
}

/// <summary>
/// Finishes unpack, check and re-key a whole bundle inside the request: a flood of them (each link's budget is its own)
/// must not run all at once. Past Ferry:DonationLinkFinishesAtOnce the next is a 503 with Retry-After, its upload kept.
/// </summary>
public sealed class DonationLinkFinishBoundsTests(OneFinishSqliteFixture fixture) : IClassFixture<OneFinishSqliteFixture>
{
    [Fact]
    public async Task TwoFinishesAtOnce_OneRunsTheOther503WithRetryAfter_AndItsUploadFinishesWhenSentAgain()
    {
        var tenant = await fixture.NewTenantAsync();
        var anonymous = fixture.Anonymous();
        var uploads = new List<(string Token, string Id)>();
        using var home = new TempDirectory("link-finishes");
        for (var i = 0; i < 2; i++)
        {
            var token = (await ApiCalls.PostAsync(tenant.Admin, "/api/donation-links", new { label = $"cohort {i}" }, HttpStatusCode.Created))["token"]!.GetValue<string>();
            var info = await DonationLinkDonor.InfoAsync(anonymous, token);
            var log = Path.Combine(home.Path, $"run{i}.jsonl.gz");
            await File.WriteAllBytesAsync(log, DonationLinkDonor.Corpus($"finish{i}", 3));
            var bundle = await DonationLinkDonor.BundleAsync(info, [log], $"donor{i}", Path.Combine(home.Path, $"staging{i}"));
            var bytes = await File.ReadAllBytesAsync(bundle.Path);
            using var started = await DonationLinkDonor.StartAsync(anonymous, token, bytes.Length, bundle.Sha256, info["policy_version"]!.GetValue<string>());
            var id = (await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
            (await DonationLinkDonor.ChunkAsync(anonymous, token, id, bytes, 0, bytes.Length)).EnsureSuccessStatusCode();
            uploads.Add((token, id));
        }

        // An erasure holds the donation lock: the finish that gets the one slot waits for it, the other is turned away.
        var intake = fixture.Factory.Services.GetRequiredService<DonationLinkIntake>();
        Task<HttpResponseMessage>[] finishes;
        using (await DonationLock.ExclusiveAsync(intake.StagingRoot, TimeSpan.FromSeconds(30), CancellationToken.None))
        {
            finishes = uploads.Select(u => Finish(anonymous, u.Token, u.Id)).ToArray();
            var first = await await Task.WhenAny(finishes);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
            Assert.Contains("checking 1 other donation(s)", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(30), first.Headers.RetryAfter?.Delta);
        }

        var turnedAway = uploads[Array.FindIndex(finishes, f => f.IsCompleted && f.Result.StatusCode == HttpStatusCode.ServiceUnavailable)];
        var other = finishes.Single(f => !f.IsCompleted || f.Result.StatusCode != HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, (await other).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Finish(anonymous, turnedAway.Token, turnedAway.Id)).StatusCode);
    }

    private static async Task<HttpResponseMessage> Finish(HttpClient client, string token, string id)
    {
        using var request = DonationLinkDonor.Request(HttpMethod.Post, $"/api/link/uploads/{id}/finish", token);
        return await client.SendAsync(request);
    }
}
