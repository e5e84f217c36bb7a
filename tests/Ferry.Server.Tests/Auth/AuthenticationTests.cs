using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ferry.Server.Tests.Auth;

public abstract class AuthenticationTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task FirstStart_WithAdminPasswordSetting_CreatesSystemAdministrator()
    {
        var admin = await fixture.SystemAdminAsync();

        var me = await ApiCalls.GetAsync(admin, "/api/auth/me");

        Assert.Equal("admin", me["username"]!.GetValue<string>());
        Assert.Equal("admin", me["role"]!.GetValue<string>());
        Assert.True(me["is_system_admin"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Login_WrongPassword_Is401AfterDelay()
    {
        var clock = Stopwatch.StartNew();

        var status = await ApiCalls.StatusAsync(fixture.Anonymous(), HttpMethod.Post, "/api/auth/login", new { username = fixture.UniqueName("nobody"), password = "wrong-password" });

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Login_FiveFailures_RefusesEvenTheRightPasswordWith429()
    {
        var tenant = await fixture.NewTenantAsync();
        var username = fixture.UniqueName("target");
        await ApiCalls.PostAsync(tenant.Admin, "/api/users", new { username, password = "right-password-1", role = "user" });
        var client = fixture.Anonymous();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await ApiCalls.StatusAsync(client, HttpMethod.Post, "/api/auth/login", new { username, password = "guess-" + i }));
        }

        var response = await client.PostAsJsonAsync("/api/auth/login", new { username, password = "right-password-1" });

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Request_WithoutToken_Is401Problem()
    {
        var response = await fixture.Anonymous().GetAsync("/api/projects");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Request_TokenSignedWithAnotherKey_Is401()
    {
        var client = WithToken(Token(new SymmetricSecurityKey(new byte[64]), DateTime.UtcNow.AddHours(1)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Request_ExpiredToken_Is401()
    {
        var key = fixture.Factory.Services.GetRequiredService<SymmetricSecurityKey>(); // the one in server_keys
        var valid = WithToken(Token(key, DateTime.UtcNow.AddHours(1), DateTime.UtcNow));
        var expired = WithToken(Token(key, DateTime.UtcNow.AddMinutes(-5)));

        Assert.Equal(HttpStatusCode.OK, (await valid.GetAsync("/api/auth/me")).StatusCode);
        var response = await expired.GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePassword_OldTokensStopWorking()
    {
        var tenant = await fixture.NewTenantAsync();
        var username = fixture.UniqueName("changer");
        await ApiCalls.PostAsync(tenant.Admin, "/api/users", new { username, password = "old-password-1", role = "user" });
        var client = await fixture.SignInAsync(username, "old-password-1");
        await Task.Delay(1100); // tokens carry whole seconds

        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(client, HttpMethod.Post, "/api/auth/password", new { current_password = "wrong", new_password = "new-password-22" }));
        Assert.Equal(HttpStatusCode.NoContent, await ApiCalls.StatusAsync(client, HttpMethod.Post, "/api/auth/password", new { current_password = "old-password-1", new_password = "new-password-22" }));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
        var again = await fixture.SignInAsync(username, "new-password-22");
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task CreateUser_ShortPasswordOrUnknownRole_Is400()
    {
        var tenant = await fixture.NewTenantAsync();

        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Post, "/api/users", new { username = fixture.UniqueName("u"), password = "short", role = "user" }));
        Assert.Equal(HttpStatusCode.BadRequest, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Post, "/api/users", new { username = fixture.UniqueName("u"), password = "long-enough-password", role = "root" }));
    }

    private HttpClient WithToken(string token)
    {
        var client = fixture.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string Token(SymmetricSecurityKey key, DateTime expires, DateTime? issuedAt = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "ferry",
        Audience = "ferry-api",
        Subject = new ClaimsIdentity([new Claim("sub", "1")]),
        IssuedAt = issuedAt ?? expires.AddHours(-2),
        NotBefore = (issuedAt ?? expires.AddHours(-2)).AddMinutes(-1),
        Expires = expires,
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
    });
}

public sealed class AuthenticationTestsOnSqlite(SqliteServerFixture fixture) : AuthenticationTests<SqliteServerFixture>(fixture);

public sealed class AuthenticationTestsOnPostgres(PostgresServerFixture fixture) : AuthenticationTests<PostgresServerFixture>(fixture);
