using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Server.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Jobs;

/// <summary>/api/jobs and /api/companies/{id}/roots: per-company server folders (with symbolic links resolved), roles, tenants, cancelling.</summary>
public abstract class JobEndpointsTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Fact]
    public async Task Create_FolderInsideCompanyRoot_QueuedWithActiveJobSession()
    {
        var tenant = await fixture.NewTenantAsync();
        var root = await fixture.NewRootAsync(tenant);
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var folder = Folder(root, "inside");

        var job = await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = folder }, HttpStatusCode.Created);

        Assert.Equal("queued", job["status"]!.GetValue<string>());
        Assert.Equal(folder, job["local_directory"]!.GetValue<string>());
        var session = await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions/{job["session_id"]}");
        Assert.Equal("job", session["client"]!.GetValue<string>());
        Assert.Equal("active", session["status"]!.GetValue<string>());
        Assert.Equal([root], (await ApiCalls.GetAsync(tenant.User, "/api/jobs/roots"))["items"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task Create_Queued_WakesAnIdleWorkerInTheSameProcess()
    {
        // The fixture runs no worker, so the signal this queueing leaves is still there: a worker's wait ends at once.
        var tenant = await fixture.NewTenantAsync();
        var root = await fixture.NewRootAsync(tenant);
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);

        var wakeUp = fixture.Factory.Services.GetRequiredService<JobWakeUp>();
        await wakeUp.WaitAsync(TimeSpan.Zero, TimeProvider.System, CancellationToken.None); // takes a signal earlier tests left

        await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = Folder(root, "wake") }, HttpStatusCode.Created);

        await wakeUp.WaitAsync(TimeSpan.FromHours(1), TimeProvider.System, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("outside")]
    [InlineData("dot-dot")]
    [InlineData("symlink-out")]
    [InlineData("relative")]
    [InlineData("missing")]
    [InlineData("no-roots")]
    public async Task Create_FolderNotAllowed_RefusedNamingTheProblemAndNothingQueued(string kind)
    {
        var tenant = await fixture.NewTenantAsync();
        var root = kind == "no-roots" ? fixture.JobsRoot : await fixture.NewRootAsync(tenant);
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var outside = Path.Combine(fixture.DataDirectory, "elsewhere-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(outside);
        var folder = kind switch
        {
            "outside" => outside,
            "dot-dot" => Path.Combine(root, "..", "..", Path.GetFileName(outside)),
            "symlink-out" => Link(root, outside),
            "relative" => "jobs-root/x",
            "no-roots" => Folder(root, "unowned"),
            _ => Path.Combine(root, "no-such-folder"),
        };

        using var response = await tenant.User.PostAsJsonAsync("/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = folder });

        var (status, detail) = kind switch
        {
            "relative" => (HttpStatusCode.BadRequest, ServerFolders.NotAbsolute),
            "missing" => (HttpStatusCode.BadRequest, ServerFolders.Missing),
            "no-roots" => (HttpStatusCode.Forbidden, ServerFolders.NoRoots),
            _ => (HttpStatusCode.Forbidden, ServerFolders.NotYours),
        };
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(detail, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        Assert.Empty((await ApiCalls.GetAsync(tenant.User, "/api/jobs"))["items"]!.AsArray());
    }

    [Fact]
    public async Task RolesAndTenants_ViewerCannotQueueOtherCompanySeesNothing()
    {
        var tenant = await fixture.NewTenantAsync();
        var other = await fixture.NewTenantAsync();
        var root = await fixture.NewRootAsync(tenant);
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var body = new { project_id = projectId, cycle_id = cycleId, local_directory = Folder(root, "roles") };

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
    public async Task Cancel_QueuedJob_CancelledAndSessionClosedIncompleteThenConflict()
    {
        var tenant = await fixture.NewTenantAsync();
        var root = await fixture.NewRootAsync(tenant);
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(tenant);
        var job = await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = Folder(root, "cancel") }, HttpStatusCode.Created);
        var id = job["id"]!.GetValue<long>();

        var cancelled = await ApiCalls.PostAsync(tenant.User, $"/api/jobs/{id}/cancel", new { });

        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal("incomplete", (await ApiCalls.GetAsync(tenant.User, $"/api/sessions/{job["session_id"]}"))["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, await ApiCalls.StatusAsync(tenant.User, HttpMethod.Post, $"/api/jobs/{id}/cancel"));
    }

    [Fact]
    public async Task Roots_ServerStarted_FirstCompanyHoldsTheConfiguredRoot()
    {
        var system = await fixture.SystemAdminAsync();
        var first = (await ApiCalls.GetAsync(system, "/api/companies"))["items"]!.AsArray()[0]!["id"]!.GetValue<long>();

        var roots = (await ApiCalls.GetAsync(system, $"/api/companies/{first}/roots"))["items"]!.AsArray();

        Assert.Contains(roots, r => r!["path"]!.GetValue<string>() == fixture.JobsRoot);
    }

    [Fact]
    public async Task Roots_SystemAdminAddsListsRemoves_RefusesOutsideCeilingDuplicatesAndUnknowns()
    {
        var tenant = await fixture.NewTenantAsync();
        var other = await fixture.NewTenantAsync();
        var system = await fixture.SystemAdminAsync();
        var path = Path.Combine(fixture.JobsRoot, fixture.UniqueName("managed"));
        var roots = $"/api/companies/{tenant.CompanyId}/roots";

        var added = await ApiCalls.PostAsync(system, roots, new { path = path + "/./" }, HttpStatusCode.Created);
        var listed = (await ApiCalls.GetAsync(system, roots))["items"]!.AsArray();
        var again = await ApiCalls.StatusAsync(system, HttpMethod.Post, roots, new { path });
        var otherCompany = await ApiCalls.StatusAsync(system, HttpMethod.Post, $"/api/companies/{other.CompanyId}/roots", new { path });
        var outsideCeiling = await ApiCalls.StatusAsync(system, HttpMethod.Post, roots, new { path = fixture.DataDirectory });
        var relative = await ApiCalls.StatusAsync(system, HttpMethod.Post, roots, new { path = "data/x" });
        var unknownCompany = await ApiCalls.StatusAsync(system, HttpMethod.Get, "/api/companies/999999/roots");
        var removed = await ApiCalls.StatusAsync(system, HttpMethod.Delete, $"{roots}?path={Uri.EscapeDataString(path)}");
        var removedAgain = await ApiCalls.StatusAsync(system, HttpMethod.Delete, $"{roots}?path={Uri.EscapeDataString(path)}");

        Assert.Equal(path, added["path"]!.GetValue<string>()); // normalized
        Assert.Equal([path], listed.Select(r => r!["path"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal(HttpStatusCode.Conflict, otherCompany);
        Assert.Equal(HttpStatusCode.BadRequest, outsideCeiling);
        Assert.Equal(HttpStatusCode.BadRequest, relative);
        Assert.Equal(HttpStatusCode.NotFound, unknownCompany);
        Assert.Equal(HttpStatusCode.NoContent, removed);
        Assert.Equal(HttpStatusCode.NotFound, removedAgain);
        Assert.Empty((await ApiCalls.GetAsync(tenant.Admin, "/api/jobs/roots"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Create_FolderInsideNestedRootOfAnotherCompany_TheMoreSpecificRootWins()
    {
        var outer = await fixture.NewTenantAsync();
        var inner = await fixture.NewTenantAsync();
        var outerRoot = await fixture.NewRootAsync(outer);
        var innerRoot = Path.Combine(outerRoot, "inner");
        Directory.CreateDirectory(innerRoot);
        await ApiCalls.PostAsync(await fixture.SystemAdminAsync(), $"/api/companies/{inner.CompanyId}/roots", new { path = innerRoot }, HttpStatusCode.Created);
        var (outerProject, outerCycle, _) = await fixture.NewProjectAsync(outer);
        var (innerProject, innerCycle, _) = await fixture.NewProjectAsync(inner);
        var innerFolder = Folder(innerRoot, "card");

        var byOuter = await ApiCalls.StatusAsync(outer.User, HttpMethod.Post, "/api/jobs", new { project_id = outerProject, cycle_id = outerCycle, local_directory = innerFolder });
        var byInner = await ApiCalls.StatusAsync(inner.User, HttpMethod.Post, "/api/jobs", new { project_id = innerProject, cycle_id = innerCycle, local_directory = innerFolder });
        var outerOwn = await ApiCalls.StatusAsync(outer.User, HttpMethod.Post, "/api/jobs", new { project_id = outerProject, cycle_id = outerCycle, local_directory = Folder(outerRoot, "own") });

        Assert.Equal(HttpStatusCode.Forbidden, byOuter);
        Assert.Equal(HttpStatusCode.Created, byInner);
        Assert.Equal(HttpStatusCode.Created, outerOwn);
    }

    [Fact]
    public async Task Create_FolderHoldingAnotherCompanysNestedRoot_ForbiddenAndNothingQueued()
    {
        // Regression (found on review): a job on the outer company's root itself read the inner company's root below it.
        var outer = await fixture.NewTenantAsync();
        var inner = await fixture.NewTenantAsync();
        var outerRoot = await fixture.NewRootAsync(outer);
        var innerRoot = Path.Combine(outerRoot, "inner-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(innerRoot);
        File.WriteAllText(Path.Combine(innerRoot, "secret.wav"), "inner company's");
        await ApiCalls.PostAsync(await fixture.SystemAdminAsync(), $"/api/companies/{inner.CompanyId}/roots", new { path = innerRoot }, HttpStatusCode.Created);
        var (outerProject, outerCycle, _) = await fixture.NewProjectAsync(outer);
        var jobsBefore = (await ApiCalls.GetAsync(outer.Admin, "/api/jobs"))["items"]!.AsArray().Count;

        var response = await outer.User.PostAsJsonAsync("/api/jobs", new { project_id = outerProject, cycle_id = outerCycle, local_directory = outerRoot });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("holds a server folder that is not your company's", body, StringComparison.Ordinal);
        Assert.DoesNotContain(innerRoot, body, StringComparison.Ordinal);
        Assert.Equal(jobsBefore, (await ApiCalls.GetAsync(outer.Admin, "/api/jobs"))["items"]!.AsArray().Count);
    }

    private static string Folder(string root, string name)
    {
        var folder = Path.Combine(root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.wav"), "a");
        return folder;
    }

    private static string Link(string root, string target)
    {
        var link = Path.Combine(root, "link-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateSymbolicLink(link, target);
        return link;
    }
}

public sealed class JobEndpointsTestsOnSqlite(SqliteServerFixture fixture) : JobEndpointsTests<SqliteServerFixture>(fixture);

public sealed class JobEndpointsTestsOnPostgres(PostgresServerFixture fixture) : JobEndpointsTests<PostgresServerFixture>(fixture);
