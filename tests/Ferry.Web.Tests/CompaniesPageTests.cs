using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Testing;
using Microsoft.Playwright;

namespace Ferry.Web.Tests;

/// <summary>The Companies page in Chromium: the system administrator creates, renames and lists a company's users; a company admin is refused.</summary>
public sealed class CompaniesPageTests(WebFixture web) : IClassFixture<WebFixture>
{
    [Fact]
    public async Task SystemAdmin_CreatesRenamesAndListsUsers_DuplicateNameRefused_CompanyAdminNotAllowed()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var name = "Field Co " + suffix;
        var renamed = "Field Research Co " + suffix;
        var page = await web.SignedInPageAsync("admin", WebFixture.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Companies" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create company" }).ClickAsync();
        await page.GetByText($"Created company {name}").WaitForAsync();
        using var api = await web.AdminApiAsync();
        var company = (await api.GetFromJsonAsync<JsonArray>("/api/companies"))!.Single(c => c!["name"]!.GetValue<string>() == name)!["id"]!.GetValue<long>();
        var username = "co-admin-" + suffix;
        (await api.PostAsJsonAsync("/api/users", new { username, password = "password-" + username, role = "admin", company_id = company })).EnsureSuccessStatusCode();

        await page.GotoAsync($"{web.Url}/companies");
        var row = page.Locator($"tr[data-company='{company}']");
        await row.GetByLabel($"New name for {name}").FillAsync(renamed);
        await row.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await page.GetByText($"Renamed company {company} to {renamed}.").WaitForAsync();
        await page.Locator($"tr[data-company='{company}']").GetByRole(AriaRole.Link, new() { Name = renamed }).ClickAsync();
        var users = await page.Locator("#company-users").InnerTextAsync();
        await web.ScreenshotAsync(page, "companies");
        var usersRow = await page.Locator($"tr[data-company='{company}'] td").Nth(2).InnerTextAsync();

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(renamed);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create company" }).ClickAsync();
        await page.GetByText($"A company named '{renamed}' already exists").WaitForAsync();

        Assert.Contains(username, users, StringComparison.Ordinal);
        Assert.Contains("admin", users, StringComparison.Ordinal);
        Assert.DoesNotContain("system administrator", users, StringComparison.Ordinal); // the system administrator is not this company's user
        Assert.Equal("1", usersRow.Trim());
        Assert.Equal(renamed, (await api.GetFromJsonAsync<JsonArray>("/api/companies"))!.Single(c => c!["id"]!.GetValue<long>() == company)!["name"]!.GetValue<string>());
        Assert.Single((await api.GetFromJsonAsync<JsonArray>("/api/companies"))!, c => c!["name"]!.GetValue<string>() == renamed);

        var companyAdmin = await web.SignedInPageAsync(username, "password-" + username);
        Assert.DoesNotContain("href=\"/companies\"", await companyAdmin.ContentAsync(), StringComparison.Ordinal);
        await companyAdmin.GotoAsync($"{web.Url}/companies");
        Assert.DoesNotContain(renamed, await companyAdmin.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        using var companyApi = await FerryServerClient.SignInAsync(web.Url, username, "password-" + username);
        Assert.Equal(HttpStatusCode.Forbidden, (await companyApi.PatchAsJsonAsync($"/api/companies/{company}", new { name = "taken over" })).StatusCode);
    }
}
