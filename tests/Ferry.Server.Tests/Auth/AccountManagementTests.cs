using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Ferry.Server.Tests.Auth;

/// <summary>
/// Administrators' account changes (deactivate, reactivate, delete, role, password reset), each revoking the user's
/// tokens and cookies at once; the lock-out rules; sign-out ending web sign-ins; sign-in and password-change bounds.
/// </summary>
public abstract class AccountManagementTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    private sealed record Account(long Id, string Username, string Password, HttpClient Client);

    private async Task<Account> NewUserAsync(Tenant tenant, string role = "user")
    {
        var username = fixture.UniqueName(role);
        var password = "password-" + username;
        var created = await ApiCalls.PostAsync(tenant.Admin, "/api/users", new { username, password, role });
        return new Account(created["id"]!.GetValue<long>(), username, password, await fixture.SignInAsync(username, password));
    }

    private async Task<HttpStatusCode> LoginStatusAsync(string username, string password) =>
        await ApiCalls.StatusAsync(fixture.Anonymous(), HttpMethod.Post, "/api/auth/login", new { username, password });

    [Fact]
    public async Task Deactivate_User_TokenStopsAndSignInAnswersAsForAWrongPassword()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/auth/me")).StatusCode);

        var answer = await ApiCalls.PostAsync(tenant.Admin, $"/api/users/{user.Id}/deactivate", new { });

        Assert.False(answer["active"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/auth/me")).StatusCode);
        var login = await fixture.Anonymous().PostAsJsonAsync("/api/auth/login", new { username = user.Username, password = user.Password });
        var unknown = await fixture.Anonymous().PostAsJsonAsync("/api/auth/login", new { username = fixture.UniqueName("nobody"), password = user.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal((await unknown.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), (await login.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reactivate_DeactivatedUser_SignsInAgainButEarlierTokensStayRevoked()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);
        await ApiCalls.PostAsync(tenant.Admin, $"/api/users/{user.Id}/deactivate", new { });

        var answer = await ApiCalls.PostAsync(tenant.Admin, $"/api/users/{user.Id}/reactivate", new { });

        Assert.True(answer["active"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/auth/me")).StatusCode);
        var again = await fixture.SignInAsync(user.Username, user.Password);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task ChangeRole_UserToViewer_RevokesTokensAndTheNewRoleApplies()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);

        var answer = await ApiCalls.SendAsync(tenant.Admin, HttpMethod.Patch, $"/api/users/{user.Id}", new { role = "viewer" });

        Assert.Equal("viewer", answer["role"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/auth/me")).StatusCode);
        var again = await fixture.SignInAsync(user.Username, user.Password);
        Assert.Equal("viewer", (await ApiCalls.GetAsync(again, "/api/auth/me"))["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task ResetPassword_User_EveryCallButThePasswordChangeIs403UntilChanged()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);

        await ApiCalls.PostAsync(tenant.Admin, $"/api/users/{user.Id}/password-reset", new { password = "temporary-password-1" });

        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(user.Username, user.Password));
        var login = await ApiCalls.PostAsync(fixture.Anonymous(), "/api/auth/login", new { username = user.Username, password = "temporary-password-1" });
        Assert.True(login["must_change_password"]!.GetValue<bool>());
        var temporary = fixture.Anonymous();
        temporary.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login["access_token"]!.GetValue<string>());
        var refused = await temporary.GetAsync("/api/projects");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("change your password first", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await temporary.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(temporary, HttpMethod.Post, "/api/auth/password", new { current_password = "temporary-password-1", new_password = "temporary-password-1" }));
        Assert.Equal(HttpStatusCode.NoContent, await ApiCalls.StatusAsync(temporary, HttpMethod.Post, "/api/auth/password", new { current_password = "temporary-password-1", new_password = "my-own-password-2" }));
        var after = await fixture.SignInAsync(user.Username, "my-own-password-2");
        Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/api/projects")).StatusCode);
    }

    [Fact]
    public async Task ResetPassword_WebSignIn_PagesLeadToThePasswordPage()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);
        await ApiCalls.PostAsync(tenant.Admin, $"/api/users/{user.Id}/password-reset", new { password = "temporary-password-3" });
        var browser = await WebCalls.SignInAsync(fixture, user.Username, "temporary-password-3");

        var upload = await browser.GetAsync("/upload");

        Assert.Equal(HttpStatusCode.Redirect, upload.StatusCode);
        Assert.Equal("/account/password", upload.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password")).StatusCode);
        var changed = await WebCalls.PostFormAsync(browser, "/account/password", new() { ["CurrentPassword"] = "temporary-password-3", ["NewPassword"] = "my-own-password-3" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        var again = await WebCalls.SignInAsync(fixture, user.Username, "my-own-password-3");
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/upload")).StatusCode);
    }

    [Fact]
    public async Task Delete_User_HiddenFromTheListAndNeverSignsInAgain()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);

        Assert.Equal(HttpStatusCode.NoContent, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Delete, $"/api/users/{user.Id}"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(user.Username, user.Password));
        var list = await ApiCalls.GetAsync(tenant.Admin, "/api/users");
        Assert.DoesNotContain(list["items"]!.AsArray(), u => u!["id"]!.GetValue<long>() == user.Id);
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Post, $"/api/users/{user.Id}/reactivate"));
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Post, "/api/users", new { username = user.Username, password = "another-password-1", role = "user" }));
    }

    [Fact]
    public async Task UsersPage_DeactivateAndReset_SameRulesAsTheApi()
    {
        var tenant = await fixture.NewTenantAsync();
        var admin = await NewUserAsync(tenant, "admin");
        var user = await NewUserAsync(tenant);
        var browser = await WebCalls.SignInAsync(fixture, admin.Username, admin.Password);
        var id = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var deactivated = await WebCalls.PostFormAsync(browser, "/users?handler=Deactivate", new() { ["UserId"] = id }, formPage: "/users");
        using var self = await WebCalls.PostFormAsync(browser, "/users?handler=Deactivate", new() { ["UserId"] = admin.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, formPage: "/users");
        using var reset = await WebCalls.PostFormAsync(browser, "/users?handler=Reset", new() { ["UserId"] = id, ["TemporaryPassword"] = "temporary-password-5" }, formPage: "/users");

        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.Contains("is deactivated and signed out everywhere", await deactivated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/auth/me")).StatusCode);
        var row = await ApiCalls.GetAsync(tenant.Admin, $"/api/users/{user.Id}");
        Assert.False(row["active"]!.GetValue<bool>());
        Assert.True(row["must_change_password"]!.GetValue<bool>());
    }

    [Fact]
    public async Task DeactivateOrDelete_OwnAccount_Is409()
    {
        var tenant = await fixture.NewTenantAsync();
        var second = await NewUserAsync(tenant, "admin");

        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(second.Client, HttpMethod.Post, $"/api/users/{second.Id}/deactivate"));
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(second.Client, HttpMethod.Delete, $"/api/users/{second.Id}"));
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(second.Client, HttpMethod.Post, $"/api/users/{second.Id}/password-reset", new { password = "temporary-password-4" }));
        Assert.Equal(HttpStatusCode.OK, (await second.Client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task ChangeRoleDeactivateOrDelete_LastActiveAdmin_Is409()
    {
        var tenant = await fixture.NewTenantAsync();
        var system = await fixture.SystemAdminAsync();
        var adminId = (await ApiCalls.GetAsync(tenant.Admin, "/api/auth/me"))["id"]!.GetValue<long>();

        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Patch, $"/api/users/{adminId}", new { role = "user" }));
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(system, HttpMethod.Patch, $"/api/users/{adminId}", new { role = "viewer" }));
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(system, HttpMethod.Post, $"/api/users/{adminId}/deactivate"));
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(system, HttpMethod.Delete, $"/api/users/{adminId}"));
        Assert.Equal("admin", (await ApiCalls.GetAsync(tenant.Admin, "/api/auth/me"))["role"]!.GetValue<string>());

        // With a second admin, the first may step down.
        await NewUserAsync(tenant, "admin");
        Assert.Equal("user", (await ApiCalls.SendAsync(tenant.Admin, HttpMethod.Patch, $"/api/users/{adminId}", new { role = "user" }))["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChangeUser_MakeSystemAdministrator_Is403()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);
        var system = await fixture.SystemAdminAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Patch, $"/api/users/{user.Id}", new { role = "admin", is_system_admin = true }));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(system, HttpMethod.Patch, $"/api/users/{user.Id}", new { is_system_admin = true }));

        Assert.False((await ApiCalls.GetAsync(tenant.Admin, $"/api/users/{user.Id}"))["is_system_admin"]!.GetValue<bool>());
        Assert.Equal("user", (await ApiCalls.GetAsync(tenant.Admin, $"/api/users/{user.Id}"))["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task CompanyAdmin_TheSystemAdministratorsAccount_Is403()
    {
        var system = await fixture.SystemAdminAsync();
        var systemId = (await ApiCalls.GetAsync(system, "/api/auth/me"))["id"]!.GetValue<long>();
        var username = fixture.UniqueName("default-admin");
        await ApiCalls.PostAsync(system, "/api/users", new { username, password = "password-" + username, role = "admin" });
        var defaultAdmin = await fixture.SignInAsync(username, "password-" + username);

        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(defaultAdmin, HttpMethod.Post, $"/api/users/{systemId}/deactivate"));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(defaultAdmin, HttpMethod.Post, $"/api/users/{systemId}/password-reset", new { password = "hijacked-password-1" }));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(defaultAdmin, HttpMethod.Patch, $"/api/users/{systemId}", new { role = "viewer" }));
        Assert.Equal(HttpStatusCode.OK, (await system.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task SignOut_CookieCopiesAndPageTokensStopWorkingButApiTokensDoNot()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);
        var browser = await WebCalls.SignInAsync(fixture, user.Username, user.Password);
        var pageToken = (await ApiCalls.ReadAsync(await browser.PostAsync("/api/auth/page-token", null), HttpStatusCode.OK))["access_token"]!.GetValue<string>();
        var copy = await CookieCopyAsync(browser);
        var withPageToken = fixture.Anonymous();
        withPageToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", pageToken);
        Assert.Equal(HttpStatusCode.OK, (await withPageToken.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/upload")).StatusCode);

        var signedOut = await WebCalls.PostFormAsync(browser, "/signout", [], formPage: "/upload");

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await withPageToken.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await copy.GetAsync("/upload")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.PostAsync("/api/auth/page-token", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task PageToken_FromTheSignInCookie_LivesFifteenMinutes()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);
        var browser = await WebCalls.SignInAsync(fixture, user.Username, user.Password);

        var fresh = await ApiCalls.ReadAsync(await browser.PostAsync("/api/auth/page-token", null), HttpStatusCode.OK);

        Assert.Equal(900, fresh["expires_in"]!.GetValue<int>());
        var client = fixture.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fresh["access_token"]!.GetValue<string>());
        Assert.Equal(user.Username, (await ApiCalls.GetAsync(client, "/api/auth/me"))["username"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous().PostAsync("/api/auth/page-token", null)).StatusCode);
    }

    [Fact]
    public async Task SessionEvents_TokenInTheQueryString_Is401ButTheCookieStreams()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var sessionId = await SessionCalls.NewSessionAsync(user.Client, projectId, cycleId);
        await ApiCalls.PostAsync(user.Client, $"/api/sessions/{sessionId}/finish", new { });
        var token = user.Client.DefaultRequestHeaders.Authorization!.Parameter!;
        var browser = await WebCalls.SignInAsync(fixture, user.Username, user.Password);

        var byQuery = await fixture.Anonymous().GetAsync($"/api/sessions/{sessionId}/events?access_token={Uri.EscapeDataString(token)}");
        using var byCookie = await browser.GetAsync($"/api/sessions/{sessionId}/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, byQuery.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byCookie.StatusCode);
        Assert.Equal("text/event-stream", byCookie.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Login_UserNameOver100OrPasswordOver1024Characters_Is400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, await LoginStatusAsync(new string('u', 101), "some-password-1"));
        Assert.Equal(HttpStatusCode.BadRequest, await LoginStatusAsync("admin", new string('p', 1025)));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(new string('u', 100), new string('p', 1024)));
    }

    [Fact]
    public async Task ChangePassword_RepeatedWrongCurrentPassword_IsThrottledWith429()
    {
        var tenant = await fixture.NewTenantAsync();
        var user = await NewUserAsync(tenant);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(user.Client, HttpMethod.Post, "/api/auth/password", new { current_password = "guess-" + i, new_password = "new-password-99" }));
        }

        using var response = await user.Client.PostAsJsonAsync("/api/auth/password", new { current_password = user.Password, new_password = "new-password-99" });

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginStatusAsync(user.Username, user.Password));
    }

    [Fact]
    public async Task RequestLog_AuthenticatedRouteWithQueryString_NeverRecordsTheQuery()
    {
        var tenant = await fixture.NewTenantAsync();
        var marker = "query-marker-" + Guid.NewGuid().ToString("N");

        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.GetAsync($"/api/sessions?status=active&note={marker}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous().GetAsync($"/api/sessions?access_token={marker}")).StatusCode);

        Assert.DoesNotContain(fixture.Logs.Messages, m => m.Contains(marker, StringComparison.Ordinal));
    }

    /// <summary>A second client carrying a copy of <paramref name="browser"/>'s sign-in cookie (as a thief would).</summary>
    private async Task<HttpClient> CookieCopyAsync(HttpClient browser)
    {
        var response = await browser.GetAsync("/api/auth/me");
        var cookie = response.RequestMessage!.Headers.TryGetValues("Cookie", out var values) ? string.Join("; ", values) : "";
        var copy = fixture.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        copy.DefaultRequestHeaders.Add("Cookie", cookie);
        return copy;
    }
}

public sealed class AccountManagementTestsOnSqlite(SqliteServerFixture fixture) : AccountManagementTests<SqliteServerFixture>(fixture);

public sealed class AccountManagementTestsOnPostgres(PostgresServerFixture fixture) : AccountManagementTests<PostgresServerFixture>(fixture);
