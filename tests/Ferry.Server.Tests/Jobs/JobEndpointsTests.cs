using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Ferry.Server.Tests.Jobs;

/// <summary>/api/jobs: allowed roots (with symbolic links resolved), roles, tenants, cancelling.</summary>
public abstract class JobEndpointsTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Create_FolderInsideAllowedRoot_QueuedWithActiveJobSession()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var folder = Folder("inside");

        var job = await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = folder }, HttpStatusCode.Created);

        Assert.Equal("queued", job["status"]!.GetValue<string>());
        Assert.Equal(folder, job["local_directory"]!.GetValue<string>());
        var session = await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions/{job["session_id"]}");
        Assert.Equal("job", session["client"]!.GetValue<string>());
        Assert.Equal("active", session["status"]!.GetValue<string>());
        Assert.Contains(fixture.JobsRoot, (await ApiCalls.GetAsync(tenant.User, "/api/jobs/roots")).ToJsonString());
    }

    [Theory]
    [InlineData("outside")]
    [InlineData("dot-dot")]
    [InlineData("symlink-out")]
    [InlineData("relative")]
    [InlineData("missing")]
    public async Task Create_FolderNotAllowed_400NamesTheProblemAndNothingQueued(string kind)
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var outside = Path.Combine(fixture.DataDirectory, "elsewhere-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(outside);
        var folder = kind switch
        {
            "outside" => outside,
            "dot-dot" => Path.Combine(fixture.JobsRoot, "..", Path.GetFileName(outside)),
            "symlink-out" => Link(outside),
            "relative" => "jobs-root/x",
            _ => Path.Combine(fixture.JobsRoot, "no-such-folder"),
        };

        using var response = await tenant.User.PostAsJsonAsync("/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = folder });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>();
        Assert.Contains(kind switch { "relative" => "absolute", "missing" => "does not exist", _ => "outside" }, detail, StringComparison.Ordinal);
        Assert.Empty((await ApiCalls.GetAsync(tenant.User, "/api/jobs"))["items"]!.AsArray());
    }

    [Fact]
    public async Task RolesAndTenants_ViewerCannotQueueOtherCompanySeesNothing()
    {
        var tenant = await fixture.NewTenantAsync();
        var other = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var body = new { project_id = projectId, cycle_id = cycleId, local_directory = Folder("roles") };

        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Viewer, HttpMethod.Post, "/api/jobs", body));
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(other.Admin, HttpMethod.Post, "/api/jobs", body));
        var job = await ApiCalls.PostAsync(tenant.User, "/api/jobs", body, HttpStatusCode.Created);
        var id = job["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(other.Admin, HttpMethod.Get, $"/api/jobs/{id}"));
        Assert.Equal(HttpStatusCode.NotFound, await ApiCalls.StatusAsync(other.Admin, HttpMethod.Post, $"/api/jobs/{id}/cancel"));
        Assert.Equal(HttpStatusCode.Forbidden, await ApiCalls.StatusAsync(tenant.Viewer, HttpMethod.Post, $"/api/jobs/{id}/cancel"));
        Assert.Empty((await ApiCalls.GetAsync(other.Admin, "/api/jobs"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Cancel_QueuedJob_CancelledAndSessionClosedThenConflict()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var job = await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = Folder("cancel") }, HttpStatusCode.Created);
        var id = job["id"]!.GetValue<long>();

        var cancelled = await ApiCalls.PostAsync(tenant.User, $"/api/jobs/{id}/cancel", new { });

        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.NotEqual("active", (await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{job["session_id"]}"))["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/jobs/{id}/cancel"));
    }

    private string Folder(string name)
    {
        var folder = Path.Combine(fixture.JobsRoot, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.wav"), "a");
        return folder;
    }

    private string Link(string target)
    {
        var link = Path.Combine(fixture.JobsRoot, "link-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateSymbolicLink(link, target);
        return link;
    }
}

public sealed class JobEndpointsTestsOnSqlite(SqliteServerFixture fixture) : JobEndpointsTests<SqliteServerFixture>(fixture);

public sealed class JobEndpointsTestsOnPostgres(PostgresServerFixture fixture) : JobEndpointsTests<PostgresServerFixture>(fixture);
