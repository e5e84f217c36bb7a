using System.Net;
using Ferry.Testing;

namespace Ferry.Server.Tests.Api;

/// <summary>The role × company matrix: another company's things are 404 to everyone; a role that may not act gets 403.</summary>
public abstract class TenantIsolationTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task OtherCompany_EveryRole_GetsNotFoundForProjectsCyclesAndSessions()
    {
        var owner = await fixture.NewTenantAsync();
        var stranger = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(owner);
        var session = await ApiCalls.PostAsync(owner.User, "/api/sessions", new { project_id = projectId, cycle_id = cycleId, local_directory = "/data" });
        var sessionId = session["id"]!.GetValue<long>();
        await ApiCalls.PostAsync(owner.User, $"/api/sessions/{sessionId}/files", new { files = new[] { new { path = "a.wav", size = 1 } } });

        var calls = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/api/projects/{projectId}", null),
            (HttpMethod.Put, $"/api/projects/{projectId}", new { name = "x", bucket_name = "xxx", region = "us-east-1" }),
            (HttpMethod.Delete, $"/api/projects/{projectId}", null),
            (HttpMethod.Get, $"/api/projects/{projectId}/cycles", null),
            (HttpMethod.Post, $"/api/projects/{projectId}/cycles", new { name = "C9" }),
            (HttpMethod.Post, "/api/sessions", new { project_id = projectId, cycle_id = cycleId }),
            (HttpMethod.Get, $"/api/sessions/{sessionId}", null),
            (HttpMethod.Get, $"/api/sessions/{sessionId}/files", null),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/files", new { files = new[] { new { path = "b.wav", size = 1 } } }),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/presign", new { paths = new[] { "a.wav" } }),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/complete", new { files = new[] { new { path = "a.wav" } } }),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/finish", null),
            (HttpMethod.Get, $"/api/sessions/{sessionId}/events", null),
            (HttpMethod.Post, $"/api/sessions/{sessionId}/multipart", new { path = "a.wav" }),
        };
        foreach (var (method, path, body) in calls)
        {
            // Admins and users get 404; viewers get 403 first where the call writes (they may not write anywhere).
            Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(stranger.Admin, method, path, body));
            var asUser = await ApiCalls.StatusAsync(stranger.User, method, path, body);
            Assert.True(asUser is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{method} {path} as another company's user: {asUser}");
        }

        var projects = await ApiCalls.GetAsync(stranger.Admin, "/api/projects");
        Assert.Empty(projects["items"]!.AsArray());
        var sessions = await ApiCalls.GetAsync(stranger.Viewer, "/api/sessions");
        Assert.Empty(sessions["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, await ApiCalls.StatusAsync(owner.Viewer, HttpMethod.Get, $"/api/sessions/{sessionId}"));
    }

    [Fact]
    public async Task Roles_MayOnlyDoWhatTheirRoleAllows()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var bucket = await fixture.S3.CreateBucketAsync("srv");
        await FerryServerClient.GrantBucketAsync(await fixture.SystemAdminAsync(), fixture.S3.Endpoint, bucket, tenant.CompanyId);
        var newProject = new { name = fixture.UniqueName("p"), bucket_name = bucket, region = "us-east-1" };

        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, "/api/projects", newProject));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Viewer, HttpMethod.Post, "/api/projects", newProject));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/projects/{projectId}/cycles", new { name = "C2" }));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Get, "/api/users"));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Post, "/api/companies", new { name = "x" }));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Viewer, HttpMethod.Post, "/api/sessions", new { project_id = projectId, cycle_id = cycleId }));
        Assert.Equal(HttpStatusCode.OK, await ApiCalls.StatusAsync(tenant.Viewer, HttpMethod.Get, $"/api/projects/{projectId}/cycles"));
        Assert.Equal(HttpStatusCode.Created, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, "/api/sessions", new { project_id = projectId, cycle_id = cycleId }));
        Assert.Equal(HttpStatusCode.Created, await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Post, "/api/projects", newProject));
    }

    [Fact]
    public async Task CompanyAdmin_CannotCreateUsersInAnotherCompany()
    {
        var tenant = await fixture.NewTenantAsync();
        var other = await fixture.NewTenantAsync();

        var status = await ApiCalls.StatusAsync(tenant.Admin, HttpMethod.Post, "/api/users",
            new { username = fixture.UniqueName("intruder"), password = "long-enough-password", role = "admin", company_id = other.CompanyId });

        Assert.Equal(HttpStatusCode.NotFound, status);
        var users = await ApiCalls.GetAsync(other.Admin, "/api/users");
        Assert.Equal(3, users["items"]!.AsArray().Count);
    }
}

public sealed class TenantIsolationTestsOnSqlite(SqliteServerFixture fixture) : TenantIsolationTests<SqliteServerFixture>(fixture);

public sealed class TenantIsolationTestsOnPostgres(PostgresServerFixture fixture) : TenantIsolationTests<PostgresServerFixture>(fixture);
