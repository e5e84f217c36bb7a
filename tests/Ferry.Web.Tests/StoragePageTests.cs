using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;
using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>The Storage page in Chromium: the system administrator adds a location with keys, tests and grants it; a company admin sees only its grants.</summary>
public sealed class StoragePageTests(WebFixture web) : IClassFixture<WebFixture>
{
    [Fact]
    public async Task SystemAdmin_AddsTestsAndGrantsALocationWithKeys_CompanyAdminSeesOnlyGrantedBuckets_SecretNeverShown()
    {
        var bucket = await web.BucketAsync();
        var notGranted = await web.BucketAsync();
        var name = "lab-s3-" + Guid.NewGuid().ToString("N")[..6];
        var seen = new List<string>();
        using var api = await web.AdminApiAsync();
        await FerryServerClient.GrantBucketAsync(api, web.S3.Endpoint, notGranted); // the Default company's, not the new company's
        var companyName = "Storage Co " + Guid.NewGuid().ToString("N")[..6];
        var company = (await (await api.PostAsJsonAsync("/api/companies", new { name = companyName })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var username = "storage-admin-" + Guid.NewGuid().ToString("N")[..6];
        (await api.PostAsJsonAsync("/api/users", new { username, password = "password-" + username, role = "admin", company_id = company })).EnsureSuccessStatusCode();

        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Storage" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Endpoint (empty for AWS)").FillAsync(web.S3.Endpoint);
        await page.GetByLabel("Credentials").SelectOptionAsync("keys");
        await page.GetByLabel("Access key id").FillAsync(S3rverServer.AccessKey);
        await page.GetByLabel("Secret access key").FillAsync(S3rverServer.SecretKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add location" }).ClickAsync();
        await page.GetByText($"Storage location '{name}' added.").WaitForAsync();
        seen.Add(await page.ContentAsync());
        var location = page.Locator($"section[data-location='{name}']");
        await location.GetByLabel("Bucket to test").FillAsync(bucket);
        await location.GetByRole(AriaRole.Button, new() { Name = "Test" }).ClickAsync();
        await page.GetByText("the location works").WaitForAsync();
        seen.Add(await page.ContentAsync());
        location = page.Locator($"section[data-location='{name}']");
        await location.GetByLabel("Company").SelectOptionAsync(new SelectOptionValue { Label = companyName });
        await location.GetByLabel("Buckets (a name or prefix-*)").FillAsync(bucket);
        await location.GetByRole(AriaRole.Button, new() { Name = "Grant" }).ClickAsync();
        await page.GetByText($"Granted {bucket} at '{name}'.").WaitForAsync();
        await web.ScreenshotAsync(page, "storage");
        seen.Add(await page.ContentAsync());
        seen.Add(await api.GetStringAsync("/api/storage-locations"));

        var companyPage = await web.SignedInPageAsync(username, "password-" + username);
        Assert.DoesNotContain(await companyPage.ContentAsync(), "href=\"/storage\"", StringComparison.Ordinal);
        await companyPage.GetByRole(AriaRole.Link, new() { Name = "Projects" }).ClickAsync();
        var granted = await companyPage.Locator("#granted").InnerTextAsync();
        seen.Add(await companyPage.ContentAsync());
        using var companyApi = await FerryServerClient.SignInAsync(web.Url, username, "password-" + username);
        seen.Add(await companyApi.GetStringAsync("/api/storage-grants"));
        await companyPage.GetByLabel("Name").FillAsync("Granted project");
        await companyPage.GetByLabel("Storage location").SelectOptionAsync(new SelectOptionValue { Label = $"{name} ({web.S3.Endpoint})" });
        await companyPage.GetByLabel("Bucket").FillAsync(bucket);
        await companyPage.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await companyPage.GetByRole(AriaRole.Heading, new() { Name = "Granted project" }).WaitForAsync();
        seen.Add(await companyPage.ContentAsync());

        Assert.Contains($"{bucket} at {name}", granted, StringComparison.Ordinal);
        Assert.DoesNotContain(notGranted, granted, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await companyApi.GetAsync("/api/storage-locations")).StatusCode);
        Assert.All(seen, text => Assert.DoesNotContain(S3rverServer.SecretKey, text, StringComparison.Ordinal));
    }
}
