using System.Net.Http.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Ferry.Testing;
using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>A donation link's page in Chromium, with no account: policy shown, consent required, a digest bundle sent in chunks, the keyed bundle in S3.</summary>
public sealed partial class DonatePageTests(WebFixture web) : IClassFixture<WebFixture>
{
    [Fact]
    public async Task DonatePage_NoAccount_ConsentThenBundleSent_KeyedBundleInS3WithoutRawIdentifiersOrDigests()
    {
        using var api = await web.AdminApiAsync();
        var created = (await (await api.PostAsJsonAsync("/api/donation-links", new { label = "Browser cohort" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var url = created["url"]!.GetValue<string>();
        var token = created["token"]!.GetValue<string>();
        using var anonymous = new HttpClient { BaseAddress = new Uri(web.Url) };
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        var tag = "w" + Guid.NewGuid().ToString("N")[..10];
        using var home = new TempDirectory("web-link-donor");
        var log = Path.Combine(home.Path, "run.jsonl.gz");
        await File.WriteAllBytesAsync(log, DonationLinkDonor.Corpus(tag, 12));
        var bundle = await DonationLinkDonor.BundleAsync(info, [log], $"donor.{tag}@example.org", Path.Combine(home.Path, "staging"));

        var context = await web.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(url);
        await page.GetByRole(AriaRole.Heading, new() { Name = "Browser cohort" }).WaitForAsync();
        Assert.Contains(info["policy_hash"]!.GetValue<string>(), await page.Locator("#link-hash").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Your bundle (bundle.zip)").SetInputFilesAsync(bundle.Path);
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Donate" }).IsDisabledAsync()); // no consent yet
        await page.GetByLabel("I have read the policy above and agree to donate under it").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Donate" }).ClickAsync();
        await page.GetByText("Thank you: 12 record(s) donated").WaitForAsync();
        var pseudonym = PseudonymPattern().Match(await page.Locator("#send-status").InnerTextAsync()).Value;
        await web.ScreenshotAsync(page, "donate-link");

        var key = Assert.Single(await web.S3.ListKeysAsync(web.DonationBucket), k => k.Contains(pseudonym, StringComparison.Ordinal));
        var texts = DonationLinkDonor.TextsOf(key, (await web.S3.GetObjectAsync(web.DonationBucket, key))!).ToList();
        Assert.All(DonationLinkDonor.Planted(tag), p => Assert.DoesNotContain(texts, t => t.Text.Contains(p, StringComparison.Ordinal)));
        Assert.DoesNotContain(texts, t => DonationLinkDonor.Digest().IsMatch(t.Text));
    }

    [GeneratedRegex("p_[0-9a-f]{32}")]
    private static partial Regex PseudonymPattern();
}
