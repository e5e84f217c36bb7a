using System.Text.RegularExpressions;
using Ferry.Testing;
using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>
/// The admin's donation-links page in Chromium: a link made on the page, its donor URL shown once and working on
/// /donate with no account, the donation counted in the list, and revoke making the donor page refuse.
/// </summary>
public sealed partial class DonationLinksPageTests(WebFixture web) : IClassFixture<WebFixture>
{
    [Fact]
    public async Task DonationLinksPage_AdminMakesLink_UrlShownOnceWorksOnDonatePage_RevokeMakesItRefuse()
    {
        var label = "Page cohort " + Guid.NewGuid().ToString("N")[..6];
        var admin = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await admin.GetByRole(AriaRole.Link, new() { Name = "Donation links" }).ClickAsync();
        await admin.GetByRole(AriaRole.Heading, new() { Name = "Donation links", Exact = true }).WaitForAsync();
        await admin.GetByLabel("Label (the study or cohort it is for)").FillAsync(label);
        await admin.GetByLabel("Donations in all").FillAsync("5");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Make link" }).ClickAsync();
        var url = await admin.GetByLabel("Donor URL").InputValueAsync();
        Assert.StartsWith(web.Url + "/donate#", url, StringComparison.Ordinal);
        var token = url[(url.IndexOf('#', StringComparison.Ordinal) + 1)..];
        await web.ScreenshotAsync(admin, "donation-links-created");
        var row = admin.Locator("#links tr", new() { HasText = label });
        Assert.Equal("0 of 5", await row.Locator("td").Nth(4).InnerTextAsync());

        await admin.GotoAsync(web.Url + "/donation-links"); // shown once: the next visit has no URL and no token
        Assert.Equal(0, await admin.GetByLabel("Donor URL").CountAsync());
        Assert.DoesNotContain(token, await admin.ContentAsync(), StringComparison.Ordinal);

        // A donor with no account uses the URL on the donate page.
        using var anonymous = new HttpClient { BaseAddress = new Uri(web.Url) };
        var info = await DonationLinkDonor.InfoAsync(anonymous, token);
        var tag = "l" + Guid.NewGuid().ToString("N")[..10];
        using var home = new TempDirectory("web-links-donor");
        var log = Path.Combine(home.Path, "run.jsonl.gz");
        await File.WriteAllBytesAsync(log, DonationLinkDonor.Corpus(tag, 7));
        var bundle = await DonationLinkDonor.BundleAsync(info, [log], $"donor.{tag}@example.org", Path.Combine(home.Path, "staging"));
        var donorContext = await web.Browser.NewContextAsync();
        var donor = await donorContext.NewPageAsync();
        donor.SetDefaultTimeout(60_000);
        await donor.GotoAsync(url);
        await donor.GetByRole(AriaRole.Heading, new() { Name = label }).WaitForAsync();
        await donor.GetByLabel("Your bundle (bundle.zip)").SetInputFilesAsync(bundle.Path);
        await donor.GetByLabel("I have read the policy above and agree to donate under it").CheckAsync();
        await donor.GetByRole(AriaRole.Button, new() { Name = "Donate" }).ClickAsync();
        await donor.GetByText("Thank you: 7 record(s) donated").WaitForAsync();
        Assert.Matches(PseudonymPattern(), await donor.Locator("#send-status").InnerTextAsync());

        await admin.ReloadAsync();
        Assert.Equal("1 of 5", await row.Locator("td").Nth(4).InnerTextAsync());
        await admin.GetByRole(AriaRole.Button, new() { Name = "Revoke " + label }).ClickAsync();
        await admin.GetByText($"Link \"{label}\" revoked").WaitForAsync();
        Assert.StartsWith("revoked", await row.Locator(".link-status").InnerTextAsync(), StringComparison.Ordinal);
        await web.ScreenshotAsync(admin, "donation-links-revoked");

        var after = await donorContext.NewPageAsync();
        after.SetDefaultTimeout(60_000);
        await after.GotoAsync(url);
        await after.Locator("#link-error").GetByText("was revoked").WaitForAsync();
        Assert.True(await after.Locator("#link").IsHiddenAsync()); // no form to send with
    }

    [GeneratedRegex("p_[0-9a-f]{32}")]
    private static partial Regex PseudonymPattern();
}
