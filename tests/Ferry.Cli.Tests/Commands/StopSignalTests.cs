using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// SIGTERM and SIGINT sent to the real ferry process (as systemd, docker stop or Ctrl-C do): every long-running command
/// stops cleanly with its documented exit code and no stack trace, hands back or records what was running, and a
/// transfer's rerun finishes with nothing lost.
/// </summary>
public sealed partial class StopSignalTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private const string AdminPassword = "signal-admin-password";
    private readonly TempDirectory _home = new("cli-signal");

    public void Dispose() => _home.Dispose();

    private S3rverServer Server => s3rver.Server;

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Serve_SignalWithEventStreamsOpen_StreamsEndAndExit0WithoutStackTrace(string signal)
    {
        var ferry = ServerFerry();
        Assert.Equal(0, (await ferry.RunAsync("db", "migrate")).ExitCode);
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        using var server = new RunningFerry(ferry.Start("serve", "--urls", url));
        await FerryServerClient.WaitUntilHealthyAsync(url, server.Process);
        using var api = await FerryServerClient.SignInAsync(url, "admin", AdminPassword);
        var session = await SessionAsync(api);
        var streams = new List<(HttpResponseMessage Response, StreamReader Reader)>();
        for (var i = 0; i < 2; i++)
        {
            var response = await api.GetAsync($"/api/sessions/{session}/events", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && !line.StartsWith("event: progress", StringComparison.Ordinal))
            {
            }

            streams.Add((response, reader));
        }

        await server.SignalAsync(signal);
        var exit = await server.WaitForExitAsync();

        Assert.True(exit == 0, $"exit {exit}\n{server.Output}");
        foreach (var (response, reader) in streams)
        {
            await reader.ReadToEndAsync(); // the server ended the stream: this returns instead of failing or hanging
            reader.Dispose();
            response.Dispose();
        }

        AssertNoStackTrace(server.Output);
    }

    [Fact]
    public async Task Worker_SigtermMidJob_Exit0AndJobHandedBack_NextWorkerFinishesItWithoutResendingWhatWasVerified()
    {
        var ferry = ServerFerry();
        Assert.Equal(0, (await ferry.RunAsync("db", "migrate")).ExitCode);
        var root = _home.Combine("field");
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        using var server = new RunningFerry(ferry.Start("serve", "--urls", url, "--allowed-root", root));
        await FerryServerClient.WaitUntilHealthyAsync(url, server.Process);
        using var api = await FerryServerClient.SignInAsync(url, "admin", AdminPassword);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("PutObject", 30);
        var bucket = await Server.CreateBucketAsync("signal-jobs");
        var (project, cycle) = await ProjectAsync(api, bucket, proxy.Endpoint);
        var folder = FieldFolder(Path.Combine("field", "card"), 60);
        var queued = await api.PostAsJsonAsync("/api/jobs", new { project_id = project, cycle_id = cycle, local_directory = folder });
        Assert.True(queued.IsSuccessStatusCode, await queued.Content.ReadAsStringAsync());
        var job = (await queued.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();

        using var worker = new RunningFerry(ferry.Start("worker", "--allowed-root", root));
        await WaitForAsync(() => proxy.Count("PutObject") > 30, worker);
        await Task.Delay(1500); // the verdicts of the first 30 reach the session
        Assert.Equal("running", (await JobAsync(api, job))["status"]!.GetValue<string>());
        await worker.SignalAsync("TERM");
        var exit = await worker.WaitForExitAsync();

        Assert.True(exit == 0, $"exit {exit}\n{worker.Output}");
        var after = await JobAsync(api, job);
        Assert.True(after["status"]!.GetValue<string>() == "queued", after.ToJsonString());
        AssertNoStackTrace(worker.Output);

        // The next worker takes the job at once and sends only what the session had not verified.
        var verifiedBefore = (await api.GetFromJsonAsync<JsonObject>($"/api/sessions/{after["session_id"]}"))!["uploaded_files"]!.GetValue<long>();
        Assert.InRange(verifiedBefore, 20, 30);
        proxy.Reset(); // PUTs held when the signal came stay held: they never reach the store
        using var next = new RunningFerry(ferry.Start("worker", "--allowed-root", root));
        var deadline = DateTime.UtcNow.AddMinutes(2);
        JsonObject done;
        while ((done = await JobAsync(api, job))["status"]!.GetValue<string>() is "queued" or "running")
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out; the next worker said:\n" + next.Output);
            await Task.Delay(200);
        }

        Assert.True(done["status"]!.GetValue<string>() == "completed", done.ToJsonString());
        Assert.Equal(2, done["attempts"]!.GetValue<int>());
        Assert.InRange(proxy.Count("PutObject"), 60 - verifiedBefore, 60 - verifiedBefore + 8);
        Assert.Equal(60, (await api.GetFromJsonAsync<JsonObject>($"/api/sessions/{done["session_id"]}"))!["uploaded_files"]!.GetValue<long>());
        await AssertBucketHoldsAsync(bucket, folder);
    }

    [Fact]
    public async Task Upload_SigtermMidRun_Exit130AndRerunFinishesWithNothingLostOrSentTwice()
    {
        var bucket = await Server.CreateBucketAsync("signal-up");
        var source = FieldFolder("up", 200);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("PutObject", 80);
        var ferry = new FerryProcess(_home.Combine("client"));
        var args = new[] { "upload", source, $"s3://{bucket}/C1", "--endpoint", proxy.Endpoint, "-j", "8" };

        var output = await InterruptAsync(ferry, args, () => proxy.Count("PutObject") > 80, "TERM");
        Assert.Contains("interrupted", output, StringComparison.Ordinal);

        var stored = (await Server.ListKeysAsync(bucket)).Count;
        proxy.Reset(); // requests held when the signal came stay held: they never reach the store
        var rerun = await ferry.RunAsync(args);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.InRange(proxy.Count("PutObject"), 200 - stored, 200 - stored + 8); // what the interrupted run stored was journaled, not sent again
        await AssertBucketHoldsAsync(bucket, source);
    }

    [Fact]
    public async Task Download_SigintMidRun_Exit130AndRerunFetchesTheRest()
    {
        var bucket = await Server.CreateBucketAsync("signal-dl");
        var source = FieldFolder("dl", 200);
        var ferry = new FerryProcess(_home.Combine("client"));
        Assert.Equal(0, (await ferry.RunAsync("upload", source, $"s3://{bucket}/C1", "--endpoint", Server.Endpoint)).ExitCode);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("GetObject", 80);
        var destination = _home.Combine("back");
        var args = new[] { "download", $"s3://{bucket}/C1", destination, "--endpoint", proxy.Endpoint, "-j", "8" };

        await InterruptAsync(ferry, args, () => proxy.Count("GetObject") > 80, "INT");

        proxy.Reset(); // requests held when the signal came stay held: they never reach the store
        var rerun = await ferry.RunAsync(args);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(destination, Path.GetRelativePath(source, file))));
        }

        Assert.Equal(200, Directory.GetFiles(destination, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task Export_SigtermDuringDelivery_Exit130AndRerunDeliversTheSameBundleOnce()
    {
        var bucket = await Server.CreateBucketAsync("signal-export");
        var source = _home.Combine("review");
        FieldFolder(Path.Combine("review", "documents"), 120);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("PutObject", 40);
        var ferry = new FerryProcess(_home.Combine("client"));
        var args = new[] { "export", source, $"s3://{bucket}/audits", "--name", "Signal review", "--endpoint", proxy.Endpoint };

        await InterruptAsync(ferry, args, () => proxy.Count("PutObject") > 40, "TERM");

        proxy.Reset(); // requests held when the signal came stay held: they never reach the store
        var rerun = await ferry.RunAsync(args);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        var keys = await Server.ListKeysAsync(bucket);
        Assert.Single(keys.Select(k => k.Split('/')[1]).Distinct()); // one bundle, not a second copy
        Assert.Equal(120 + 2, keys.Count); // every document and the two reports
    }

    /// <summary>Starts <paramref name="args"/>, sends <paramref name="signal"/> once <paramref name="midRun"/> holds, and asserts exit 130 without a stack trace; returns the output.</summary>
    private static async Task<string> InterruptAsync(FerryProcess ferry, string[] args, Func<bool> midRun, string signal)
    {
        using var first = new RunningFerry(ferry.Start(args));
        await WaitForAsync(midRun, first);
        await first.SignalAsync(signal);
        var exit = await first.WaitForExitAsync();

        Assert.True(exit == 130, $"exit {exit}\n{first.Output}");
        AssertNoStackTrace(first.Output);
        return first.Output;
    }

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(StackFrame(), output);
    }

    [GeneratedRegex(@"(?m)^\s+at \S+\(")]
    private static partial Regex StackFrame();

    private static async Task WaitForAsync(Func<bool> condition, RunningFerry process)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!condition())
        {
            Assert.False(process.Process.HasExited, "ferry exited early:\n" + process.Output);
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting; ferry said:\n" + process.Output);
            await Task.Delay(20);
        }
    }

    private async Task AssertBucketHoldsAsync(string bucket, string source)
    {
        var expected = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Select(f => "C1/" + Path.GetRelativePath(source, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, (await Server.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var key in expected)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(source, key[3..])), await Server.GetObjectAsync(bucket, key));
        }
    }

    private static async Task<JsonObject> JobAsync(HttpClient api, long id) => (await api.GetFromJsonAsync<JsonObject>($"/api/jobs/{id}"))!;

    private static async Task<(long Project, long Cycle)> ProjectAsync(HttpClient api, string bucket, string endpoint)
    {
        await FerryServerClient.GrantBucketAsync(api, endpoint, bucket); // api is the system administrator
        var created = await api.PostAsJsonAsync("/api/projects", new { name = "Signals " + Guid.NewGuid().ToString("N")[..6], bucket_name = bucket, region = "us-east-1", endpoint_url = endpoint });
        created.EnsureSuccessStatusCode();
        var project = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var cycle = await api.PostAsJsonAsync($"/api/projects/{project}/cycles", new { name = "C1" });
        cycle.EnsureSuccessStatusCode();
        return (project, (await cycle.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>());
    }

    private async Task<long> SessionAsync(HttpClient api)
    {
        var (project, cycle) = await ProjectAsync(api, await Server.CreateBucketAsync("signal-sse"), Server.Endpoint);
        var created = await api.PostAsJsonAsync("/api/sessions", new { project_id = project, cycle_id = cycle });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }

    private string FieldFolder(string name, int files)
    {
        var source = _home.Combine(name);
        for (var i = 0; i < files; i++)
        {
            var path = Path.Combine(source, $"SN{i % 4:D6}", $"20260101_{i:D6}.WAV");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, TestData.Bytes(500 + i, i));
        }

        return source;
    }

    /// <summary>The server and the worker share one home: one SQLite database and one data directory.</summary>
    private FerryProcess ServerFerry()
    {
        var ferry = new FerryProcess(_home.Combine("server"));
        ferry["FERRY_ADMIN_PASSWORD"] = AdminPassword;
        ferry["Ferry__Storage__AllowPrivateEndpoints"] = "true"; // s3rver is on 127.0.0.1
        ferry["Ferry__S3AccessKeyId"] = S3rverServer.AccessKey;
        ferry["Ferry__S3SecretAccessKey"] = S3rverServer.SecretKey;
        ferry["Ferry__WorkerHeartbeat"] = "00:00:00.500";
        ferry["Ferry__WorkerTimeout"] = "00:00:03";
        ferry["Ferry__WorkerPollInterval"] = "00:00:00.200";
        return ferry;
    }

    /// <summary>A started ferry process whose whole output is kept (and read as it comes, so it never blocks), killed if still running at the end.</summary>
    private sealed class RunningFerry : IDisposable
    {
        private readonly StringBuilder _output = new();

        public RunningFerry(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Add(e.Data);
            process.ErrorDataReceived += (_, e) => Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();
        }

        public Process Process { get; }

        /// <summary>Standard output and error, interleaved as they came.</summary>
        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>Sends SIGTERM or SIGINT (the name without "SIG") to the process itself, as kill(1) does.</summary>
        public async Task SignalAsync(string signal)
        {
            using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        /// <summary>The exit code; fails (as a hang) when the process has not stopped within 2 minutes.</summary>
        public async Task<int> WaitForExitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await Process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("ferry did not stop within 2 minutes of the signal (a hang):\n" + Output);
            }

            return Process.ExitCode;
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
