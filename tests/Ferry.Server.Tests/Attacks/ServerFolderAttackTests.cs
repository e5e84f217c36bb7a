using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Server.Data;
using Ferry.Server.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Server.Tests.Attacks;

/// <summary>
/// Company A's admin, user and viewer go after company B's server folders: queueing jobs for B's root, for folders
/// outside every root, through <c>..</c> and through a symbolic link, probing which paths exist, and managing roots.
/// Each attempt is refused with the documented status, creates no job, session or root row, and no answer names B's
/// root. A job whose folder stops being allowed after it was queued fails when a worker starts it, uploading nothing.
/// </summary>
public abstract class ServerFolderAttackTests<TFixture>(TFixture fixture) : IClassFixture<TFixture> where TFixture : ServerFixture
{
    [Theory]
    [InlineData("admin")]
    [InlineData("user")]
    [InlineData("viewer")]
    public async Task QueueJob_FolderNotInTheCallersCompanyRoots_RefusedAlikeWithoutRowsOrLeaks(string role)
    {
        var (a, b, rootA, rootB) = await TwoCompaniesAsync();
        var (projectId, cycleId, _) = await fixture.NewProjectAsync(a);
        var secret = Folder(rootB, "secret");
        var outside = Directory.CreateDirectory(Path.Combine(fixture.DataDirectory, fixture.UniqueName("outside"))).FullName;
        var link = Path.Combine(rootA, "link-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateSymbolicLink(link, secret);
        var attacks = new Dictionary<string, string>
        {
            ["B's root"] = rootB,
            ["a folder in B's root"] = secret,
            ["outside every root"] = outside,
            ["missing, outside every root"] = Path.Combine(fixture.DataDirectory, fixture.UniqueName("missing"), "deeper"),
            ["missing, in B's root"] = Path.Combine(rootB, "no-such-folder"),
            ["dot-dot out of A's root"] = Path.Combine(rootA, "..", Path.GetFileName(rootB), Path.GetFileName(secret)),
            ["link in A's root into B's"] = link,
            ["below a link in A's root into B's, missing"] = Path.Combine(link, "no-such-folder"),
        };
        var client = Client(a, role);
        var before = await CountRowsAsync(a, b);

        foreach (var (attack, folder) in attacks)
        {
            using var response = await client.PostAsJsonAsync("/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = folder });
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{attack}: {(int)response.StatusCode} {body}");
            if (role != "viewer")
            {
                // The same words for every attack: whether the path exists or where a link leads is never told.
                Assert.True(ServerFolders.NotYours == JsonNode.Parse(body)!["detail"]!.GetValue<string>(), $"{attack}: {body}");
            }

            AssertNoLeak(body, rootB, secret, attack);
        }

        Assert.Equal(before, await CountRowsAsync(a, b));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("user")]
    [InlineData("viewer")]
    public async Task ManageRoots_AsACompanyRole_403WithoutChangeOrLeaks(string role)
    {
        var (a, b, rootA, rootB) = await TwoCompaniesAsync();
        var client = Client(a, role);
        var before = await CountRowsAsync(a, b);
        var calls = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/api/companies/{b.CompanyId}/roots", null),
            (HttpMethod.Get, $"/api/companies/{a.CompanyId}/roots", null),
            (HttpMethod.Post, $"/api/companies/{a.CompanyId}/roots", new { path = rootB }),
            (HttpMethod.Post, $"/api/companies/{b.CompanyId}/roots", new { path = rootA + "/x" }),
            (HttpMethod.Delete, $"/api/companies/{b.CompanyId}/roots?path={Uri.EscapeDataString(rootB)}", null),
            (HttpMethod.Delete, $"/api/companies/{a.CompanyId}/roots?path={Uri.EscapeDataString(rootA)}", null),
        };

        foreach (var (method, path, body) in calls)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {(int)response.StatusCode} {text}");
            AssertNoLeak(text, rootB, rootB, $"{method} {path}");
        }

        var ownRoots = await client.GetAsync("/api/jobs/roots");
        var ownText = await ownRoots.Content.ReadAsStringAsync();
        Assert.Equal(before, await CountRowsAsync(a, b));
        AssertNoLeak(ownText, rootB, rootB, "GET /api/jobs/roots");
        if (role == "viewer")
        {
            Assert.Equal(HttpStatusCode.Forbidden, ownRoots.StatusCode);
        }
        else
        {
            Assert.Equal([rootA], JsonNode.Parse(ownText)!.AsArray().Select(r => r!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task RunJob_RootRemovedAfterQueueing_FailsWithoutUploading()
    {
        var (a, _, rootA, _) = await TwoCompaniesAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(a);
        var card = Folder(rootA, "card");
        var job = await ApiCalls.PostAsync(a.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = card }, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, await ApiCalls.StatusAsync(await fixture.SystemAdminAsync(), HttpMethod.Delete, $"/api/companies/{a.CompanyId}/roots?path={Uri.EscapeDataString(rootA)}"));

        var done = await RunAsync(a, job["id"]!.GetValue<long>());

        Assert.Equal("failed", done["status"]!.GetValue<string>());
        Assert.Contains("nothing uploaded", done["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(ServerFolders.NoRoots, done["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await fixture.S3.ListKeysAsync(bucket));
        Assert.Equal(0, (await ApiCalls.GetAsync(a.Viewer, $"/api/sessions/{done["session_id"]}"))["total_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task RunJob_FolderSwappedForLinkIntoAnotherCompany_FailsWithoutUploadingOrNamingIt()
    {
        var (a, _, rootA, rootB) = await TwoCompaniesAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(a);
        var card = Folder(rootA, "card");
        var secret = Folder(rootB, "secret");
        var job = await ApiCalls.PostAsync(a.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = card }, HttpStatusCode.Created);
        Directory.Move(card, card + "-moved");
        Directory.CreateSymbolicLink(card, secret);

        var done = await RunAsync(a, job["id"]!.GetValue<long>());

        Assert.Equal("failed", done["status"]!.GetValue<string>());
        Assert.Contains(ServerFolders.NotYours, done["message"]!.GetValue<string>(), StringComparison.Ordinal);
        AssertNoLeak(done.ToJsonString(), rootB, secret, "the failed job");
        Assert.Empty(await fixture.S3.ListKeysAsync(bucket));
    }

    /// <summary>Runs the job the way a worker does once it has claimed it (no worker runs in this fixture), then reads it back.</summary>
    private async Task<JsonObject> RunAsync(Tenant tenant, long id)
    {
        const string worker = "attack-test-worker";
        using (var scope = fixture.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
            await db.Jobs.Where(j => j.Id == id).ExecuteUpdateAsync(j => j
                .SetProperty(x => x.Status, JobStatus.Running).SetProperty(x => x.Worker, worker).SetProperty(x => x.HeartbeatAt, DateTimeOffset.UtcNow));
        }

        await fixture.Factory.Services.GetRequiredService<JobRunner>().RunAsync(id, worker, CancellationToken.None);
        return await ApiCalls.GetAsync(tenant.User, $"/api/jobs/{id}");
    }

    private async Task<(Tenant A, Tenant B, string RootA, string RootB)> TwoCompaniesAsync()
    {
        var a = await fixture.NewTenantAsync();
        var b = await fixture.NewTenantAsync();
        return (a, b, await fixture.NewRootAsync(a), await fixture.NewRootAsync(b));
    }

    /// <summary>Jobs, sessions and roots of the two companies.</summary>
    private async Task<(int Jobs, int Sessions, int Roots)> CountRowsAsync(Tenant a, Tenant b)
    {
        using var scope = fixture.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FerryDbContext>();
        long[] companies = [a.CompanyId, b.CompanyId];
        return (await db.Jobs.CountAsync(j => companies.Contains(j.CompanyId)),
            await db.Sessions.CountAsync(s => companies.Contains(s.CompanyId)),
            await db.CompanyRoots.CountAsync(r => companies.Contains(r.CompanyId)));
    }

    private static void AssertNoLeak(string body, string rootB, string target, string what)
    {
        Assert.False(body.Contains(rootB, StringComparison.Ordinal) || body.Contains(target, StringComparison.Ordinal)
            || body.Contains(Path.GetFileName(rootB), StringComparison.Ordinal), $"{what}: the answer names company B's folder: {body}");
    }

    private static HttpClient Client(Tenant tenant, string role) => role switch { "admin" => tenant.Admin, "user" => tenant.User, _ => tenant.Viewer };

    private static string Folder(string root, string name)
    {
        var folder = Path.Combine(root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.wav"), "a");
        return folder;
    }
}

public sealed class ServerFolderAttackTestsOnSqlite(SqliteServerFixture fixture) : ServerFolderAttackTests<SqliteServerFixture>(fixture);

public sealed class ServerFolderAttackTestsOnPostgres(PostgresServerFixture fixture) : ServerFolderAttackTests<PostgresServerFixture>(fixture);
