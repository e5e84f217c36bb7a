using System.Net;
using Ferry.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Attacks;

/// <summary>
/// Company A's admin, user and viewer against company B's accounts, through the API and the Users page: every attempt
/// is refused with the documented status (admin: 404, B's users do not exist for them; user and viewer: 403, no user
/// management at all), B's user rows are the same before and after, and B's people stay signed in.
/// </summary>
public abstract class AccountAttackTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Theory]
    [InlineData("admin", HttpStatusCode.NotFound)]
    [InlineData("user", HttpStatusCode.Forbidden)]
    [InlineData("viewer", HttpStatusCode.Forbidden)]
    public async Task ManageUsers_OfAnotherCompany_RefusedAndRowsUnchanged(string role, HttpStatusCode expected)
    {
        var a = await fixture.NewTenantAsync();
        var b = await fixture.NewTenantAsync();
        var attacker = role switch { "admin" => a.Admin, "user" => a.User, _ => a.Viewer };
        var victims = (await ApiCalls.GetAsync(b.Admin, "/api/users"))["items"]!.AsArray().Select(u => u!["id"]!.GetValue<long>()).ToList();
        var before = await RowsAsync(b.CompanyId);

        var answers = new List<(string Attack, HttpStatusCode Status)>();
        foreach (var id in victims)
        {
            answers.Add(($"GET {id}", await ApiCalls.StatusAsync(attacker, HttpMethod.Get, $"/api/users/{id}")));
            answers.Add(($"PATCH {id} admin", await ApiCalls.StatusAsync(attacker, HttpMethod.Patch, $"/api/users/{id}", new { role = "admin" })));
            answers.Add(($"PATCH {id} viewer", await ApiCalls.StatusAsync(attacker, HttpMethod.Patch, $"/api/users/{id}", new { role = "viewer" })));
            answers.Add(($"deactivate {id}", await ApiCalls.StatusAsync(attacker, HttpMethod.Post, $"/api/users/{id}/deactivate")));
            answers.Add(($"reactivate {id}", await ApiCalls.StatusAsync(attacker, HttpMethod.Post, $"/api/users/{id}/reactivate")));
            answers.Add(($"reset {id}", await ApiCalls.StatusAsync(attacker, HttpMethod.Post, $"/api/users/{id}/password-reset", new { password = "attacker-password-1" })));
            answers.Add(($"DELETE {id}", await ApiCalls.StatusAsync(attacker, HttpMethod.Delete, $"/api/users/{id}")));
        }

        answers.Add(("create in B", await ApiCalls.StatusAsync(attacker, HttpMethod.Post, "/api/users", new { username = fixture.UniqueName("planted"), password = "planted-password-1", role = "admin", company_id = b.CompanyId })));

        Assert.All(answers, answer => Assert.True(answer.Status == expected, $"{answer.Attack}: {(int)answer.Status}"));
        Assert.Equal(before, await RowsAsync(b.CompanyId));
        Assert.Equal(HttpStatusCode.OK, (await b.Admin.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.User.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.Viewer.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task UsersPage_AdminOfAnotherCompany_NotFoundAndRowsUnchanged()
    {
        var a = await fixture.NewTenantAsync();
        var b = await fixture.NewTenantAsync();
        var username = fixture.UniqueName("page-admin");
        await ApiCalls.PostAsync(a.Admin, "/api/users", new { username, password = "password-" + username, role = "admin" });
        var browser = await WebCalls.SignInAsync(fixture, username, "password-" + username);
        var victim = (await ApiCalls.GetAsync(b.Admin, "/api/users"))["items"]!.AsArray().Select(u => u!["id"]!.GetValue<long>()).First();
        var before = await RowsAsync(b.CompanyId);

        var statuses = new List<HttpStatusCode>();
        foreach (var (handler, fields) in new (string, Dictionary<string, string>)[]
        {
            ("Deactivate", []), ("Reactivate", []), ("Delete", []),
            ("Role", new() { ["NewRole"] = "viewer" }), ("Reset", new() { ["TemporaryPassword"] = "attacker-password-2" }),
        })
        {
            fields["UserId"] = victim.ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var response = await WebCalls.PostFormAsync(browser, $"/users?handler={handler}", fields, formPage: "/users");
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NotFound, s));
        Assert.Equal(before, await RowsAsync(b.CompanyId));
        Assert.Equal(HttpStatusCode.OK, (await b.Admin.GetAsync("/api/auth/me")).StatusCode);
    }

    /// <summary>Every column of the company's user rows, as text.</summary>
    private async Task<List<string>> RowsAsync(long companyId)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        var users = await db.Users.AsNoTracking().Where(u => u.CompanyId == companyId).OrderBy(u => u.Id).ToListAsync();
        return users.Select(u => string.Join('|', u.Id, u.Username, u.PasswordHash, u.Role, u.IsSystemAdmin, u.PasswordChangedAt.ToUnixTimeMilliseconds(), u.DeactivatedAt, u.DeletedAt,
            u.MustChangePassword, u.TokensValidAfter.ToUnixTimeMilliseconds(), u.WebSignedOutAt.ToUnixTimeMilliseconds())).ToList();
    }
}

public sealed class AccountAttackTestsOnSqlite(SqliteServerFixture fixture) : AccountAttackTests<SqliteServerFixture>(fixture);

public sealed class AccountAttackTestsOnPostgres(PostgresServerFixture fixture) : AccountAttackTests<PostgresServerFixture>(fixture);
