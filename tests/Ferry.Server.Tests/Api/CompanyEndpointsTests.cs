using System.Net;
using System.Text.Json.Nodes;

namespace Ferry.Server.Tests.Api;

/// <summary>/api/companies: the system administrator renames a company and lists its users; nobody else may.</summary>
public abstract class CompanyEndpointsTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Rename_SystemAdmin_RenamesRefusesTakenOrEmptyNamesAndUnknownCompany()
    {
        var system = await fixture.SystemAdminAsync();
        var tenant = await fixture.NewTenantAsync();
        var other = await fixture.NewTenantAsync();
        var otherName = (await CompaniesAsync(system)).Single(c => c["id"]!.GetValue<long>() == other.CompanyId)["name"]!.GetValue<string>();
        var name = fixture.UniqueName("renamed");

        var renamed = await ApiCalls.SendAsync(system, HttpMethod.Patch, $"/api/companies/{tenant.CompanyId}", new { name = "  " + name + " " }, HttpStatusCode.OK);
        var taken = await ApiCalls.StatusAsync(system, HttpMethod.Patch, $"/api/companies/{tenant.CompanyId}", new { name = otherName });
        var empty = await ApiCalls.StatusAsync(system, HttpMethod.Patch, $"/api/companies/{tenant.CompanyId}", new { name = " " });
        var unknown = await ApiCalls.StatusAsync(system, HttpMethod.Patch, "/api/companies/987654321", new { name = fixture.UniqueName("x") });
        var same = await ApiCalls.StatusAsync(system, HttpMethod.Patch, $"/api/companies/{tenant.CompanyId}", new { name });

        Assert.Equal(name, renamed["name"]!.GetValue<string>());
        Assert.Equal(name, (await CompaniesAsync(system)).Single(c => c["id"]!.GetValue<long>() == tenant.CompanyId)["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, taken);
        Assert.Equal(HttpStatusCode.BadRequest, empty);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.OK, same);
    }

    [Fact]
    public async Task Users_SystemAdmin_ListsOnlyThatCompanysUsers_CompanyAdminForbidden()
    {
        var system = await fixture.SystemAdminAsync();
        var tenant = await fixture.NewTenantAsync();
        await fixture.NewTenantAsync();

        var response = await system.GetAsync($"/api/companies/{tenant.CompanyId}/users");
        var users = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, users.Count); // its admin, user and viewer
        Assert.All(users, u => Assert.Equal(tenant.CompanyId, u!["company_id"]!.GetValue<long>()));
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(system, HttpMethod.Get, "/api/companies/987654321/users"));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Get, $"/api/companies/{tenant.CompanyId}/users"));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Patch, $"/api/companies/{tenant.CompanyId}", new { name = fixture.UniqueName("mine") }));
    }

    private static async Task<List<JsonObject>> CompaniesAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/companies");
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(c => c!.AsObject()).ToList();
    }
}

public sealed class CompanyEndpointsTestsOnSqlite(SqliteServerFixture fixture) : CompanyEndpointsTests<SqliteServerFixture>(fixture);

public sealed class CompanyEndpointsTestsOnPostgres(PostgresServerFixture fixture) : CompanyEndpointsTests<PostgresServerFixture>(fixture);
