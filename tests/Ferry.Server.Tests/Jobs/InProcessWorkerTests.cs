using System.Net;
using System.Text.Json.Nodes;
using Ferry.Testing;

namespace Ferry.Server.Tests.Jobs;

/// <summary>The single-machine set-up (ferry serve --worker on SQLite): a queued job runs, its session shows the result, with links inside the folder not followed.</summary>
public sealed class InProcessWorkerTests(SqliteServerWithWorkerFixture fixture) : IClassFixture<SqliteServerWithWorkerFixture>
{
    [Fact]
    public async Task QueuedJob_RunsInProcess_EveryFileVerifiedInItsSession()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, prefix: "C9");
        var folder = Path.Combine(await fixture.NewRootAsync(tenant), "card-" + Guid.NewGuid().ToString("N")[..6]);
        var files = new Dictionary<string, byte[]> { ["SN1/a b+c #1.wav"] = TestData.Bytes(3000, 1), ["SN1/empty.wav"] = [], ["SN2/ünï.wav"] = TestData.Bytes(10, 2) };
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, path))!);
            File.WriteAllBytes(Path.Combine(folder, path), bytes);
        }

        File.CreateSymbolicLink(Path.Combine(folder, "SN1", "escape.wav"), "/etc/hostname"); // links are not followed

        var job = await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = folder }, HttpStatusCode.Created);
        var done = await WaitAsync(tenant.User, job["id"]!.GetValue<long>());

        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal(files.Keys.Select(k => "C9/" + k).Order(StringComparer.Ordinal), (await fixture.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await fixture.S3.GetObjectAsync(bucket, "C9/" + path));
        }

        var session = await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions/{done["session_id"]}");
        Assert.Equal("completed", session["status"]!.GetValue<string>());
        Assert.Equal(3, session["uploaded_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task QueuedJob_BackslashInFileName_KeyKeepsTheNameByteForByte()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, cycleId, bucket) = await fixture.NewProjectAsync(tenant, prefix: "C8");
        var folder = Path.Combine(await fixture.NewRootAsync(tenant), "card-" + Guid.NewGuid().ToString("N")[..6]);
        var files = new Dictionary<string, byte[]> { ["a\\b.wav"] = TestData.Bytes(700, 3), ["SN1/c\\d\\e.wav"] = TestData.Bytes(20, 4) };
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, path))!);
            File.WriteAllBytes(Path.Combine(folder, path), bytes);
        }

        var job = await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = cycleId, local_directory = folder }, HttpStatusCode.Created);
        var done = await WaitAsync(tenant.User, job["id"]!.GetValue<long>());

        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal(["C8/SN1/c\\d\\e.wav", "C8/a\\b.wav"], (await fixture.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await fixture.S3.GetObjectAsync(bucket, "C8/" + path));
        }
    }

    [Fact]
    public async Task QueuedJob_SkipDuplicates_CopiesOfTheLastCycleNotSentAndListedWithTheKeyTheyDuplicate()
    {
        var tenant = await fixture.NewTenantAsync();
        var (projectId, first, bucket) = await fixture.NewProjectAsync(tenant, prefix: "C1");
        var second = (await ApiCalls.PostAsync(tenant.Admin, $"/api/projects/{projectId}/cycles", new { name = "C2", s3_prefix = "C2" }))["id"]!.GetValue<long>();
        var root = await fixture.NewRootAsync(tenant);
        var card = Path.Combine(root, "card-" + Guid.NewGuid().ToString("N")[..6]);
        var copy = Path.Combine(root, "copy-" + Guid.NewGuid().ToString("N")[..6]);
        var (a, b, fresh) = (TestData.Bytes(4000, 41), TestData.Bytes(70, 42), TestData.Bytes(900, 43));
        Write(card, "SN1/a.wav", a);
        Write(card, "SN1/b.wav", b);
        Write(copy, "SN1-again/a.wav", a); // the same card, copied again under another folder name
        Write(copy, "SN1-again/b.wav", b);
        Write(copy, "SN1-again/new.wav", fresh);
        var once = await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = first, local_directory = card }, HttpStatusCode.Created);
        Assert.Equal("completed", (await WaitAsync(tenant.User, once["id"]!.GetValue<long>()))["status"]!.GetValue<string>());

        var job = await ApiCalls.PostAsync(tenant.User, "/api/jobs", new { project_id = projectId, cycle_id = second, local_directory = copy, skip_duplicates = true }, HttpStatusCode.Created);
        var done = await WaitAsync(tenant.User, job["id"]!.GetValue<long>());

        Assert.True(job["skip_duplicates"]!.GetValue<bool>());
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.Equal(["C1/SN1/a.wav", "C1/SN1/b.wav", "C2/SN1-again/new.wav"], (await fixture.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        var files = (await ApiCalls.GetAsync(tenant.Viewer, $"/api/sessions/{done["session_id"]}/files"))["files"]!.AsArray().ToDictionary(f => f!["path"]!.GetValue<string>(), f => f!);
        Assert.Equal("C1/SN1/a.wav", files["SN1-again/a.wav"]["duplicate_of"]!.GetValue<string>());
        Assert.Equal("C1/SN1/b.wav", files["SN1-again/b.wav"]["duplicate_of"]!.GetValue<string>());
        Assert.Null(files["SN1-again/new.wav"]["duplicate_of"]);
        Assert.Equal("uploaded", files["SN1-again/new.wav"]["status"]!.GetValue<string>());
    }

    private static void Write(string folder, string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, path))!);
        File.WriteAllBytes(Path.Combine(folder, path), bytes);
    }

    [Fact]
    public async Task DonationSchedules_RunByTheBackgroundServiceAndVisibleToAdmins()
    {
        var tenant = await fixture.NewTenantAsync();
        var version = (await ApiCalls.GetAsync(tenant.User, "/api/donations/policy"))["version"]!.GetValue<string>();
        using var form = new MultipartFormDataContent { { new StringContent(version), "consent" }, { new ByteArrayContent(TrainingLogs.Of("kim", 3)), "files", "a.jsonl.gz" } };
        await ApiCalls.ReadAsync(await tenant.User.PostAsync("/api/donations", form), HttpStatusCode.Accepted);
        var company = tenant.CompanyId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonArray runs;
        do
        {
            await Task.Delay(200);
            runs = (await ApiCalls.GetAsync(tenant.Admin, "/api/donations/maintenance"))["items"]!.AsArray();
        }
        while (!(runs.Any(r => r!["task"]!.GetValue<string>() == "donation-export" && r["company_id"]?.GetValue<long>() == tenant.CompanyId)
            && runs.Any(r => r!["task"]!.GetValue<string>() == "donation-retention")) && DateTime.UtcNow < deadline);

        var export = runs.First(r => r!["task"]!.GetValue<string>() == "donation-export" && r["company_id"]?.GetValue<long>() == tenant.CompanyId)!;
        Assert.Equal("ok", export["outcome"]!.GetValue<string>());
        Assert.Contains("3 record(s)", export["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(runs, r => r!["task"]!.GetValue<string>() == "donation-retention" && r["outcome"]!.GetValue<string>() == "ok");
        Assert.Contains(await fixture.S3.ListKeysAsync(fixture.DonationBucket), k => k.StartsWith($"study/{company}/exports/", StringComparison.Ordinal));
    }

    private static async Task<JsonObject> WaitAsync(HttpClient client, long id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await ApiCalls.GetAsync(client, $"/api/jobs/{id}");
            if (job["status"]!.GetValue<string>() is "completed" or "failed" or "cancelled" || DateTime.UtcNow > deadline)
            {
                return job;
            }

            await Task.Delay(100);
        }
    }
}
