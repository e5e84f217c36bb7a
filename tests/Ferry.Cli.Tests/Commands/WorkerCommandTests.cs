using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Client.Sessions;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// 'ferry worker' processes sharing a PostgreSQL database with a 'ferry serve' process: jobs queued through the API
/// are each done exactly once by two workers, and a worker killed mid-job is taken over by the other, which finishes
/// with every object byte-identical and nothing uploaded twice.
/// </summary>
public sealed class WorkerCommandTests : IAsyncLifetime
{
    private const string AdminPassword = "worker-admin-password";
    private readonly TempDirectory _home = new("cli-worker");
    private readonly List<Process> _processes = [];
    private string _database = "";
    private string _url = "";

    public S3rverServer S3 { get; private set; } = null!;

    private string Root => _home.Combine("field");

    public async Task InitializeAsync()
    {
        S3 = await S3rverServer.StartAsync();
        _database = await PostgresServer.Shared.CreateDatabaseAsync();
        Directory.CreateDirectory(Root);
        var migrated = await Ferry("server").RunAsync("db", "migrate", "--db", _database);
        Assert.True(migrated.ExitCode == 0, migrated.ToString());
        _url = $"http://127.0.0.1:{FreePort.Next()}";
        var server = Start(Ferry("server"), "serve", "--urls", _url, "--db", _database, "--allowed-root", Root);
        await FerryServerClient.WaitUntilHealthyAsync(_url, server);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        await S3.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task TwoWorkers_SixJobs_EachDoneExactlyOnce()
    {
        await using var proxy = await FaultProxy.StartAsync(S3.Endpoint);
        using var api = await FerryServerClient.SignInAsync(_url, "admin", AdminPassword);
        var (project, cycle, bucket) = await ProjectAsync(api, proxy.Endpoint);
        var folders = Enumerable.Range(0, 6).Select(i => Folder($"card{i}", 40, i)).ToList();
        var jobs = new List<long>();
        foreach (var folder in folders)
        {
            jobs.Add(await QueueAsync(api, project, cycle, folder));
        }

        Start(Ferry("worker-a"), "worker", "--db", _database, "--allowed-root", Root);
        Start(Ferry("worker-b"), "worker", "--db", _database, "--allowed-root", Root);
        var finished = await WaitForJobsAsync(api, jobs, j => j["status"]!.GetValue<string>() == "completed");

        Assert.All(finished, j => Assert.Equal(1, j["attempts"]!.GetValue<int>()));
        Assert.Equal(2, finished.Select(j => j["worker"]!.GetValue<string>()).Distinct().Count()); // both workers took jobs
        // Every file reached S3 (240 distinct keys). A PUT may be sent again after a transient error (e.g. a pooled
        // connection the server had just closed): that is the same job's retry, not a second worker's; that no job ran
        // twice is what attempts == 1 and each session's 40 uploaded files prove.
        var puts = proxy.Operations.Where(o => o.Method == "PUT" && !o.Query.Contains("partNumber=", StringComparison.Ordinal) && o.Path.Count(c => c == '/') >= 2).Select(o => o.Path).ToList();
        Assert.Equal(6 * 40, puts.Distinct(StringComparer.Ordinal).Count());
        Assert.True(puts.Count >= 6 * 40);
        await AssertBucketHoldsAsync(bucket, folders);
        foreach (var job in finished)
        {
            var session = await api.GetFromJsonAsync<JsonObject>($"/api/sessions/{job["session_id"]}");
            Assert.Equal("completed", session!["status"]!.GetValue<string>());
            Assert.Equal(40, session["uploaded_files"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task WorkerKilledMidJob_OtherWorkerTakesOver_EveryObjectIdenticalNothingSentTwice()
    {
        await using var proxy = await FaultProxy.StartAsync(S3.Endpoint);
        using var api = await FerryServerClient.SignInAsync(_url, "admin", AdminPassword);
        var (project, cycle, bucket) = await ProjectAsync(api, proxy.Endpoint);
        var folder = Folder("big-card", 300, 7);
        proxy.HoldAfter("PutObject", 100);
        var job = await QueueAsync(api, project, cycle, folder);

        var first = Start(Ferry("worker-a"), "worker", "--db", _database, "--allowed-root", Root);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (proxy.Count("PutObject") <= 100 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await Task.Delay(1500); // the verdicts of the first 100 reach the session
        first.Kill(); // SIGKILL: no hand-back, the heartbeat just stops
        await first.WaitForExitAsync();
        var verifiedBefore = (await api.GetFromJsonAsync<JsonObject>($"/api/sessions/{(await JobAsync(api, job))["session_id"]}"))!["uploaded_files"]!.GetValue<long>();
        proxy.Reset();
        proxy.Release();

        Start(Ferry("worker-b"), "worker", "--db", _database, "--allowed-root", Root);
        var done = (await WaitForJobsAsync(api, [job], j => j["status"]!.GetValue<string>() is "completed" or "failed"))[0];

        Assert.True(done["status"]!.GetValue<string>() == "completed", done.ToJsonString());
        Assert.Equal(2, done["attempts"]!.GetValue<int>());
        Assert.InRange(verifiedBefore, 50, 299);
        Assert.InRange(proxy.Count("PutObject"), 300 - verifiedBefore - 16, 300 - verifiedBefore + 16); // what the session had verified was not sent again
        await AssertBucketHoldsAsync(bucket, [folder]);
        var session = await api.GetFromJsonAsync<JsonObject>($"/api/sessions/{done["session_id"]}");
        Assert.Equal(300, session!["uploaded_files"]!.GetValue<long>());
        Assert.Equal(300, session["total_files"]!.GetValue<long>());
    }

    [Fact]
    public async Task Job_KeepsSixtyFourFilesInFlightFromTheStart_AndCompletes()
    {
        await using var proxy = await FaultProxy.StartAsync(S3.Endpoint);
        using var api = await FerryServerClient.SignInAsync(_url, "admin", AdminPassword);
        var (project, cycle, bucket) = await ProjectAsync(api, proxy.Endpoint);
        var folder = Folder("wide-card", 150, 5);
        proxy.HoldAfter("PutObject", 0);
        var job = await QueueAsync(api, project, cycle, folder);

        Start(Ferry("worker-w"), "worker", "--db", _database, "--allowed-root", Root);
        // Every PUT is held, so the PUTs that reach S3 are the files the job keeps in flight.
        var inFlight = await proxy.SettledCountAsync("PutObject", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        proxy.Release();
        var done = (await WaitForJobsAsync(api, [job], j => j["status"]!.GetValue<string>() is "completed" or "failed"))[0];

        Assert.InRange(inFlight, SessionUpload.StartingConcurrency, SessionUpload.ConcurrencyCap); // not the direct start of 16
        Assert.True(done["status"]!.GetValue<string>() == "completed", done.ToJsonString());
        await AssertBucketHoldsAsync(bucket, [folder]);
    }

    [Fact]
    public async Task RunningJob_Cancelled_StopsAtTheNextHeartbeatAndClosesItsSession()
    {
        await using var proxy = await FaultProxy.StartAsync(S3.Endpoint);
        using var api = await FerryServerClient.SignInAsync(_url, "admin", AdminPassword);
        var (project, cycle, _) = await ProjectAsync(api, proxy.Endpoint);
        proxy.HoldAfter("PutObject", 20);
        var job = await QueueAsync(api, project, cycle, Folder("cancel-card", 100, 3));
        Start(Ferry("worker-c"), "worker", "--db", _database, "--allowed-root", Root);
        await WaitForJobsAsync(api, [job], j => j["status"]!.GetValue<string>() == "running");

        // The uploads stay held until the job has stopped: released earlier, the last small files could all be stored
        // within one heartbeat and the session would complete before the cancel is seen (a race, not a cancel).
        var response = await api.PostAsync($"/api/jobs/{job}/cancel", null);
        var done = (await WaitForJobsAsync(api, [job], j => j["status"]!.GetValue<string>() != "running"))[0];
        proxy.Release();

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("cancelled", done["status"]!.GetValue<string>());
        var session = await api.GetFromJsonAsync<JsonObject>($"/api/sessions/{done["session_id"]}");
        Assert.Equal("incomplete", session!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Job_OneFileStorageKeepsRefusing_JobFailedWithTheCount_SessionIncompleteListingTheFileWithItsReason()
    {
        await using var proxy = await FaultProxy.StartAsync(S3.Endpoint);
        using var api = await FerryServerClient.SignInAsync(_url, "admin", AdminPassword);
        var (project, cycle, bucket) = await ProjectAsync(api, proxy.Endpoint);
        var folder = Folder("refused-card", 12, 8);
        const string refused = "SN0001/20260102_00001 #8.WAV";
        proxy.FailNext("PutObject", int.MaxValue, path => Uri.UnescapeDataString(path).EndsWith("/" + refused, StringComparison.Ordinal));
        var job = await QueueAsync(api, project, cycle, folder);
        Start(Ferry("worker-f"), "worker", "--db", _database, "--allowed-root", Root);
        var done = (await WaitForJobsAsync(api, [job], j => j["status"]!.GetValue<string>() is "completed" or "failed" or "cancelled"))[0];

        Assert.Equal("failed", done["status"]!.GetValue<string>());
        Assert.Equal("1 file(s) failed; see the session's failed files", done["message"]!.GetValue<string>());
        var session = await api.GetFromJsonAsync<JsonObject>($"/api/sessions/{done["session_id"]}");
        Assert.Equal("incomplete", session!["status"]!.GetValue<string>());
        Assert.Equal(11, session["uploaded_files"]!.GetValue<long>());
        var failed = (await api.GetFromJsonAsync<JsonObject>($"/api/sessions/{done["session_id"]}/files?status=failed"))!["files"]!.AsArray();
        var file = Assert.Single(failed)!;
        Assert.Equal(refused, file["path"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(file["last_error"]?.GetValue<string>()), file.ToJsonString());
        Assert.Equal(11, (await S3.ListKeysAsync(bucket)).Count);
    }

    [Fact]
    public async Task RunningJob_CancelledAfterItsWorkerDied_NextWorkerEndsItCancelledWithoutUploadingAndClosesItsSession()
    {
        await using var proxy = await FaultProxy.StartAsync(S3.Endpoint);
        using var api = await FerryServerClient.SignInAsync(_url, "admin", AdminPassword);
        var (project, cycle, _) = await ProjectAsync(api, proxy.Endpoint);
        proxy.HoldAfter("PutObject", 10);
        var job = await QueueAsync(api, project, cycle, Folder("orphan-card", 60, 4));
        var first = Start(Ferry("worker-d"), "worker", "--db", _database, "--allowed-root", Root);
        await WaitForJobsAsync(api, [job], j => j["status"]!.GetValue<string>() == "running");
        first.Kill(); // SIGKILL: no heartbeat will see the cancel
        await first.WaitForExitAsync();
        proxy.Release();
        await Task.Delay(1000); // what the dead worker had sent is through
        proxy.Reset();

        var response = await api.PostAsync($"/api/jobs/{job}/cancel", null);
        var asked = await JobAsync(api, job);
        Start(Ferry("worker-e"), "worker", "--db", _database, "--allowed-root", Root);
        var done = (await WaitForJobsAsync(api, [job], j => j["status"]!.GetValue<string>() != "running"))[0];

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("running", asked["status"]!.GetValue<string>()); // its worker is gone, so nothing ended it yet
        Assert.Equal("cancelled", done["status"]!.GetValue<string>());
        Assert.Equal(2, done["attempts"]!.GetValue<int>());
        Assert.Equal(0, proxy.Count("PutObject")); // the second worker uploaded nothing
        var session = await api.GetFromJsonAsync<JsonObject>($"/api/sessions/{done["session_id"]}");
        Assert.Equal("incomplete", session!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Worker_UnmigratedDatabase_Exit2WithTheFix()
    {
        var empty = await PostgresServer.Shared.CreateDatabaseAsync();

        var result = await Ferry("worker-x").RunAsync("worker", "--db", empty);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("ferry db migrate", result.Stderr);
    }

    private async Task AssertBucketHoldsAsync(string bucket, IEnumerable<string> folders)
    {
        var expected = new Dictionary<string, string>();
        foreach (var folder in folders)
        {
            foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
            {
                expected["C1/" + Path.GetRelativePath(folder, file)] = file;
            }
        }

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), (await S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (key, file) in expected)
        {
            Assert.Equal(await File.ReadAllBytesAsync(file), await S3.GetObjectAsync(bucket, key));
        }
    }

    private static async Task<List<JsonObject>> WaitForJobsAsync(HttpClient api, List<long> jobs, Func<JsonObject, bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var current = new List<JsonObject>();
            foreach (var id in jobs)
            {
                current.Add(await JobAsync(api, id));
            }

            if (current.All(done) || DateTime.UtcNow > deadline)
            {
                Assert.True(current.All(done), "timed out: " + string.Join("\n", current.Select(j => j.ToJsonString())));
                return current;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<JsonObject> JobAsync(HttpClient api, long id) => (await api.GetFromJsonAsync<JsonObject>($"/api/jobs/{id}"))!;

    private static async Task<long> QueueAsync(HttpClient api, long project, long cycle, string folder)
    {
        var response = await api.PostAsJsonAsync("/api/jobs", new { project_id = project, cycle_id = cycle, local_directory = folder });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }

    private async Task<(long Project, long Cycle, string Bucket)> ProjectAsync(HttpClient api, string endpoint)
    {
        var bucket = await S3.CreateBucketAsync("jobs");
        await FerryServerClient.GrantBucketAsync(api, endpoint, bucket);
        var created = await api.PostAsJsonAsync("/api/projects", new { name = "Jobs " + Guid.NewGuid().ToString("N")[..6], bucket_name = bucket, region = "us-east-1", endpoint_url = endpoint });
        created.EnsureSuccessStatusCode();
        var project = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var cycle = await api.PostAsJsonAsync($"/api/projects/{project}/cycles", new { name = "C1" });
        cycle.EnsureSuccessStatusCode();
        return (project, (await cycle.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>(), bucket);
    }

    private string Folder(string name, int files, int seed)
    {
        var folder = Path.Combine(Root, name);
        for (var i = 0; i < files; i++)
        {
            var path = Path.Combine(folder, $"SN{i % 3:D4}", $"2026010{i % 9 + 1}_{i:D5} #{seed}.WAV");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, TestData.Bytes(200 + i * 7 % 3000, seed * 1000 + i));
        }

        return folder;
    }

    private FerryProcess Ferry(string machine)
    {
        var ferry = new FerryProcess(_home.Combine(machine));
        ferry["FERRY_ADMIN_PASSWORD"] = AdminPassword;
        ferry["Ferry__S3AccessKeyId"] = S3rverServer.AccessKey;
        ferry["Ferry__S3SecretAccessKey"] = S3rverServer.SecretKey;
        ferry["Ferry__Storage__AllowPrivateEndpoints"] = "true"; // s3rver is on 127.0.0.1
        ferry["Ferry__WorkerHeartbeat"] = "00:00:00.500";
        ferry["Ferry__WorkerTimeout"] = "00:00:03";
        ferry["Ferry__WorkerPollInterval"] = "00:00:00.200";
        return ferry;
    }

    /// <summary>Starts a long-running ferry process whose output is drained (so it never blocks on a full pipe) and killed at the end.</summary>
    private Process Start(FerryProcess ferry, params string[] args)
    {
        var process = ferry.Start(args);
        ProcessOutput.Drain(process);
        _processes.Add(process);
        return process;
    }
}
