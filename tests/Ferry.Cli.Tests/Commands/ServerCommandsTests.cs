using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ferry.Client.Sessions;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>A 'ferry serve' process on a migrated SQLite database, with s3rver as its S3, for the server-facing commands.</summary>
public sealed class FerryServeFixture : IAsyncLifetime
{
    public const string AdminPassword = "serve-admin-password";

    private readonly TempDirectory _home = new("cli-serve");
    private Process? _server;

    public S3rverServer S3 { get; private set; } = null!;

    public string Url { get; private set; } = "";

    /// <summary>The operator's allowed root (--allowed-root): seeded into the first company at start.</summary>
    public string FieldRoot => Path.Combine(_home.Path, "field");

    public async Task InitializeAsync()
    {
        S3 = await S3rverServer.StartAsync();
        var ferry = Ferry();
        var migrated = await ferry.RunAsync("db", "migrate");
        Assert.True(migrated.ExitCode == 0, migrated.ToString());
        Url = $"http://127.0.0.1:{FreePort.Next()}";
        Directory.CreateDirectory(FieldRoot);
        _server = ferry.Start("serve", "--urls", Url, "--allowed-root", FieldRoot);
        ProcessOutput.Drain(_server); // an unread log would eventually stop the server
        await FerryServerClient.WaitUntilHealthyAsync(Url, _server);
    }

    internal FerryProcess Ferry()
    {
        var ferry = new FerryProcess(_home.Path);
        ferry["FERRY_ADMIN_PASSWORD"] = AdminPassword;
        ferry["Ferry__Storage__AllowPrivateEndpoints"] = "true"; // s3rver is on 127.0.0.1
        return ferry;
    }

    /// <summary>An HTTP client signed in as the administrator.</summary>
    public Task<HttpClient> AdminAsync() => FerryServerClient.SignInAsync(Url, "admin", AdminPassword);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
            _server.Dispose();
        }

        await S3.DisposeAsync();
        _home.Dispose();
    }
}

/// <summary>ferry login, upload --server, s3 cors|lifecycle, serve and db migrate, as processes.</summary>
public sealed class ServerCommandsTests(FerryServeFixture server) : IClassFixture<FerryServeFixture>, IDisposable
{
    private readonly TempDirectory _device = new("cli-device");

    public void Dispose() => _device.Dispose();

    [Fact]
    public async Task Login_WrongPassword_Exit2WithOneLine()
    {
        var ferry = Device(_device.Path);
        ferry["FERRY_PASSWORD"] = "not-the-password";

        var result = await ferry.RunAsync("login", server.Url, "--username", "admin");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"ferry: error: wrong user name or password for {server.Url}", result.Stderr.Trim());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Login_RightPassword_StoresTokenOnlyTheOwnerCanRead()
    {
        var ferry = Device(_device.Path);
        ferry["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;

        var result = await ferry.RunAsync("login", server.Url, "--username", "admin");

        Assert.True(result.ExitCode == 0, result.ToString());
        var tokens = Path.Combine(_device.Path, "ferry", "server-tokens.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokens));
        Assert.DoesNotContain(FerryServeFixture.AdminPassword, await File.ReadAllTextAsync(tokens), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadThroughServer_FirstDeviceUploadsSecondDeviceSkips()
    {
        var (project, bucket) = await ProjectAsync();
        var source = Directory.CreateDirectory(_device.Combine("sd-card")).FullName;
        var files = new Dictionary<string, byte[]>
        {
            ["950349/20250909_092000.WAV"] = TestData.Bytes(70_000, 1),
            ["950349/odd name + % #.WAV"] = TestData.Bytes(10, 2),
            ["950350/empty.txt"] = [],
            ["950350/big.bin"] = TestData.Bytes(18 * 1024 * 1024, 3),
        };
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, path))!);
            await File.WriteAllBytesAsync(Path.Combine(source, path), bytes);
        }

        var first = await SignedInDevice(_device.Combine("laptop"));
        var upload = await first.RunAsync("upload", source, "--server", server.Url, "--project", project, "--cycle", "C2");

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains("completed (4 uploaded, 0 already there, 0 failed, 0 pending)", upload.Stdout, StringComparison.Ordinal);
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await server.S3.GetObjectAsync(bucket, "C2/" + path));
        }

        // Another device (no journal of its own) picks the same folder: the server says everything is there.
        var second = await SignedInDevice(_device.Combine("field-pc"));
        var again = await second.RunAsync("upload", source, "--server", server.Url, "--project", project, "--cycle", "C2");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("completed (0 uploaded, 4 already there, 0 failed, 0 pending)", again.Stdout, StringComparison.Ordinal);
        using var admin = await server.AdminAsync();
        var sessions = await admin.GetFromJsonAsync<JsonArray>("/api/sessions?status=completed");
        Assert.Contains(sessions!, s => s!["client"]!.GetValue<string>() == "cli" && s["local_directory"]!.GetValue<string>() == source);
    }

    [Fact]
    public async Task UploadThroughServer_MoveKilledWithSigkill_RerunLosesNothing()
    {
        await using var proxy = await FaultProxy.StartAsync(server.S3.Endpoint);
        var (project, bucket) = await ProjectAsync(proxy.Endpoint);
        var source = Directory.CreateDirectory(_device.Combine("card")).FullName;
        var files = Enumerable.Range(0, 200).ToDictionary(i => $"95{i % 4:D4}/{i:D5}.WAV", i => TestData.Bytes(2000 + i, i));
        foreach (var (path, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, path))!);
            await File.WriteAllBytesAsync(Path.Combine(source, path), bytes);
        }

        proxy.HoldAfter("PutObject", 60);
        var ferry = await SignedInDevice(_device.Combine("laptop"));
        string[] args = ["upload", source, "--server", server.Url, "--project", project, "--cycle", "C2", "--move", "-j", "8"];
        using (var first = ferry.Start(args))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (proxy.Count("PutObject") <= 60 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            await Task.Delay(500);
            first.Kill(); // SIGKILL: no cleanup runs
            await first.WaitForExitAsync();
        }

        var leftAfterKill = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Length;
        proxy.Reset();
        proxy.Release();
        var rerun = await ferry.RunAsync(args);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.InRange(leftAfterKill, 200 - 60, 199); // some files were verified (and moved) before the kill, not all
        Assert.Empty(Directory.GetFiles(source, "*", SearchOption.AllDirectories)); // every file moved, each after verification
        Assert.Equal(files.Keys.Select(k => "C2/" + k).Order(StringComparer.Ordinal), (await server.S3.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in files)
        {
            Assert.Equal(bytes, await server.S3.GetObjectAsync(bucket, "C2/" + path));
        }
    }

    [Fact]
    public async Task UploadThroughServer_KeepsSixtyFourFilesInFlightFromTheStart_ConcurrencyGivenFixesTheNumber()
    {
        await using var proxy = await FaultProxy.StartAsync(server.S3.Endpoint);
        var (project, _) = await ProjectAsync(proxy.Endpoint);
        var source = Directory.CreateDirectory(_device.Combine("traps")).FullName;
        foreach (var i in Enumerable.Range(0, 150))
        {
            Directory.CreateDirectory(Path.Combine(source, $"95{i % 3:D4}"));
            await File.WriteAllBytesAsync(Path.Combine(source, $"95{i % 3:D4}", $"{i:D5}.JPG"), TestData.Bytes(500 + i, i));
        }

        var ferry = await SignedInDevice(_device.Combine("station"));
        string[] upload = ["upload", source, "--server", server.Url, "--project", project, "--cycle", "C2"];

        // Every PUT is held, so the PUTs that reach S3 are the files the run keeps in flight.
        var byDefault = await PutsInFlightAsync(proxy, ferry, upload);
        var fixedAtEight = await PutsInFlightAsync(proxy, ferry, [.. upload, "-j", "8"]);
        var cappedAtTwenty = await PutsInFlightAsync(proxy, ferry, [.. upload, "--max-concurrency", "20"]);

        Assert.InRange(byDefault, SessionUpload.StartingConcurrency, SessionUpload.ConcurrencyCap); // not the direct start of 16
        Assert.Equal(8, fixedAtEight);
        Assert.InRange(cappedAtTwenty, 16, 20); // the direct defaults under the cap given
    }

    private static async Task<int> PutsInFlightAsync(FaultProxy proxy, FerryProcess ferry, string[] args)
    {
        proxy.Reset();
        proxy.HoldAfter("PutObject", 0);
        using var run = ferry.Start(args);
        ProcessOutput.Drain(run);
        var inFlight = await proxy.SettledCountAsync("PutObject", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        run.Kill(entireProcessTree: true);
        await run.WaitForExitAsync();
        return inFlight;
    }

    [Fact]
    public async Task UploadThroughServer_NotSignedIn_Exit2NamingLogin()
    {
        var (project, _) = await ProjectAsync();
        var source = Directory.CreateDirectory(_device.Combine("src")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(source, "a.wav"), [1]);

        var result = await Device(_device.Combine("fresh")).RunAsync("upload", source, "--server", server.Url, "--project", project, "--cycle", "C2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("run 'ferry login", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadThroughServer_UnknownCycleOrDestinationGiven_Exit2()
    {
        var (project, _) = await ProjectAsync();
        var source = Directory.CreateDirectory(_device.Combine("src2")).FullName;
        var ferry = await SignedInDevice(_device.Combine("dev"));

        var unknown = await ferry.RunAsync("upload", source, "--server", server.Url, "--project", project, "--cycle", "C9");
        var both = await ferry.RunAsync("upload", source, "s3://bucket/x", "--server", server.Url, "--project", project, "--cycle", "C2");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("has no cycle 'C9'; known: C2", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("leave out DEST", both.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S3Cors_SetsFerryRule_LifecycleUnsupportedByS3rver_Exit2()
    {
        var bucket = await server.S3.CreateBucketAsync("cors");
        var ferry = Device(_device.Path);

        var cors = await ferry.RunAsync("s3", "cors", bucket, "--origin", "http://localhost:8080", "--endpoint", server.S3.Endpoint);
        var lifecycle = await ferry.RunAsync("s3", "lifecycle", bucket, "--endpoint", server.S3.Endpoint);
        var badOrigin = await ferry.RunAsync("s3", "cors", bucket, "--origin", "localhost", "--endpoint", server.S3.Endpoint);

        Assert.True(cors.ExitCode == 0, cors.ToString());
        using var http = new HttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"{server.S3.Endpoint}/{bucket}/some/key");
        preflight.Headers.Add("Origin", "http://localhost:8080");
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");
        using var answer = await http.SendAsync(preflight);
        Assert.True(answer.IsSuccessStatusCode);
        Assert.Contains("PUT", string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        Assert.Equal(2, lifecycle.ExitCode);
        Assert.Contains("does not support lifecycle rules", lifecycle.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badOrigin.ExitCode);
    }

    [Fact]
    public async Task Serve_UnmigratedDatabase_Exit2NamingMigrateWithoutAStackTrace()
    {
        var result = await Device(_device.Combine("new-server")).RunAsync("serve", "--urls", $"http://127.0.0.1:{FreePort.Next()}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("run 'ferry db migrate' first", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_UnmigratedDatabase_Exit2NamingMigrateWithoutAStackTrace()
    {
        var result = await Device(_device.Combine("new-worker")).RunAsync("worker");
        var debugging = Device(_device.Combine("new-worker"));
        debugging["FERRY_DEBUG"] = "1";
        var debugged = await debugging.RunAsync("worker");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("run 'ferry db migrate' first", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, debugged.ExitCode); // with FERRY_DEBUG=1 the host's own log of the failure, with its trace, is there
        Assert.Contains("Hosting failed to start", debugged.Stdout, StringComparison.Ordinal);
        Assert.Contains("   at ", debugged.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Serve_FirstStartWithoutAdminPassword_WritesAnOwnerOnlyPasswordFileThatMustBeChanged()
    {
        var ferry = Device(_device.Combine("first-start"));
        Assert.Equal(0, (await ferry.RunAsync("db", "migrate")).ExitCode);
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        using var process = ferry.Start("serve", "--urls", url);
        var stderr = process.StandardError.ReadToEndAsync();
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync()) is not null && !line.Contains("one-time password is in ", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        var start = line.IndexOf("one-time password is in ", StringComparison.Ordinal) + "one-time password is in ".Length;
        var file = line[start..line.IndexOf(" (readable", start, StringComparison.Ordinal)];
        var password = (await File.ReadAllTextAsync(file)).Trim();
        var mode = File.GetUnixFileMode(file);
        await FerryServerClient.WaitUntilHealthyAsync(url);
        using var http = new HttpClient();
        var login = await http.PostAsJsonAsync(url + "/api/auth/login", new { username = "admin", password });
        var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token["access_token"]!.GetValue<string>());
        var beforeChange = await http.GetAsync(url + "/api/projects");
        var change = await http.PostAsJsonAsync(url + "/api/auth/password", new { current_password = password, new_password = "a-new-admin-password" });
        var rest = process.StandardOutput.ReadToEndAsync();
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.True(password.Length >= 20, password);
        Assert.True(login.IsSuccessStatusCode);
        Assert.True(token["must_change_password"]!.GetValue<bool>());
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, beforeChange.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, change.StatusCode);
        Assert.False(File.Exists(file));
        Assert.DoesNotContain(password, line + await rest + await stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_JsonLogFormat_EveryLogLineIsOneJsonObject()
    {
        var ferry = Device(_device.Combine("json-logs"));
        ferry["FERRY_ADMIN_PASSWORD"] = "json-logs-admin-password";
        ferry["Ferry__LogFormat"] = "json";
        Assert.Equal(0, (await ferry.RunAsync("db", "migrate")).ExitCode);
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        using var process = ferry.Start("serve", "--urls", url);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await FerryServerClient.WaitUntilHealthyAsync(url);
        using (var http = new HttpClient())
        {
            await http.PostAsJsonAsync(url + "/api/auth/login", new { username = "admin", password = "wrong-password" });
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();

        var lines = (await stdout + await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("ferry: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var entry = JsonNode.Parse(line)!.AsObject();
            Assert.NotNull(entry["Timestamp"]);
            Assert.NotNull(entry["LogLevel"]);
            Assert.NotNull(entry["Category"]);
        }

        Assert.Contains(lines, l => l.Contains("Now listening on", StringComparison.Ordinal));
        Assert.DoesNotContain("wrong-password", string.Join('\n', lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DonationsExportAndDonorsErase_ThroughTheServer_StreamToAFileAndReportTheErasure()
    {
        var ferry = await SignedInDevice(_device.Combine("donations"));
        var output = _device.Combine("records.csv");

        var export = await ferry.RunAsync("donations", "export", "--server", server.Url, "--days", "7", "--format", "csv", "-o", output);
        var erase = await ferry.RunAsync("donors", "erase", "p_0123456789abcdef0123456789abcdef", "--server", server.Url);
        var notAPseudonym = await ferry.RunAsync("donors", "erase", "alice", "--server", server.Url);

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal("id,donation_id,donor,recorded_at,record", (await File.ReadAllTextAsync(output)).Trim());
        Assert.False(File.Exists(output + ".part"));
        Assert.True(erase.ExitCode == 0, erase.ToString());
        Assert.Contains("0 object(s) in storage, 0 database row(s)", erase.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, notAPseudonym.ExitCode);
    }

    [Fact]
    public async Task DbMigrate_MalformedOrUnreachableDatabase_Exit2()
    {
        var ferry = Device(_device.Path);

        var malformed = await ferry.RunAsync("db", "migrate", "--db", "nonsense");
        var unreachable = await ferry.RunAsync("db", "migrate", "--db", $"Host=127.0.0.1;Port={FreePort.Next()};Database=x;Username=x;Timeout=3");

        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("Data Source=", malformed.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, unreachable.ExitCode);
        Assert.Single(unreachable.Stderr.Trim().Split('\n'));
    }

    private static FerryProcess Device(string home) => new(home);

    private async Task<FerryProcess> SignedInDevice(string home)
    {
        var ferry = Device(home);
        ferry["AWS_ACCESS_KEY_ID"] = null;
        ferry["AWS_SECRET_ACCESS_KEY"] = null;
        ferry["FERRY_PASSWORD"] = FerryServeFixture.AdminPassword;
        var login = await ferry.RunAsync("login", server.Url, "--username", "admin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return ferry;
    }

    private async Task<(string Project, string Bucket)> ProjectAsync(string? endpoint = null)
    {
        var bucket = await server.S3.CreateBucketAsync("srv");
        using var admin = await server.AdminAsync();
        var name = "project-" + Guid.NewGuid().ToString("N")[..8];
        await FerryServerClient.GrantBucketAsync(admin, endpoint ?? server.S3.Endpoint, bucket);
        var created = await admin.PostAsJsonAsync("/api/projects", new { name, bucket_name = bucket, region = "us-east-1", endpoint_url = endpoint ?? server.S3.Endpoint });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        (await admin.PostAsJsonAsync($"/api/projects/{id}/cycles", new { name = "C2" })).EnsureSuccessStatusCode();
        return (name, bucket);
    }
}
