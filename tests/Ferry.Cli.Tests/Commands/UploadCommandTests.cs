using System.Text.Json;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>The ferry CLI end to end against s3rver: exit codes, output, config files, kill -9 and resume.</summary>
public sealed class UploadCommandTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _home = new("cli");

    public void Dispose() => _home.Dispose();

    private S3rverServer Server => s3rver.Server;

    [Fact]
    public async Task Upload_FieldFolder_Exit0AndSummary()
    {
        var bucket = await Server.CreateBucketAsync("ok");
        var source = FieldFolder(30);

        var result = await Ferry().RunAsync("upload", source, $"s3://{bucket}/C1", "--endpoint", Server.Endpoint);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Upload complete", result.Stdout);
        Assert.Contains("30 uploaded", result.Stdout);
        Assert.Equal(30, (await Server.ListKeysAsync(bucket)).Count(k => k.StartsWith("C1/SN", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Upload_SomeFilesFail_Exit1AndListsThem()
    {
        var bucket = await Server.CreateBucketAsync("somefail");
        var source = FieldFolder(5);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.FailNext("PutObject", int.MaxValue, path => path.EndsWith("20260101_000002.WAV", StringComparison.Ordinal));

        var result = await Ferry().RunAsync("upload", source, $"s3://{bucket}/", "--endpoint", proxy.Endpoint, "--retries", "0");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("failed: SN000002/20260101_000002.WAV", result.Stderr);
        Assert.Equal(4, (await Server.ListKeysAsync(bucket)).Count);
    }

    [Fact]
    public async Task Upload_ConfigFile_UsedWithFlagsOverriding()
    {
        var bucket = await Server.CreateBucketAsync("config");
        var source = FieldFolder(4);
        var config = _home.Write("upload.json", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["local_directory"] = source,
            ["bucket_name"] = bucket,
            ["s3_prefix"] = "C7",
            ["max_workers"] = 3,
            ["aws_region"] = "us-east-1",
            ["times_to_retry"] = 2,
            ["use_find"] = "yes",
            ["endpoint_url"] = "http://127.0.0.1:9",
        }));

        var result = await Ferry().RunAsync("upload", "--config", config, "--endpoint", Server.Endpoint);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(await Server.ListKeysAsync(bucket), k => Assert.StartsWith("C7/", k));
        Assert.Equal(4, (await Server.ListKeysAsync(bucket)).Count);
    }

    [Fact]
    public async Task Upload_Json_PrintsVersionedEventsAndFinalSummary()
    {
        var bucket = await Server.CreateBucketAsync("json");
        var source = FieldFolder(3);

        var result = await Ferry().RunAsync("upload", source, $"s3://{bucket}/x", "--endpoint", Server.Endpoint, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var events = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(events, e => Assert.Equal(1, e.GetProperty("v").GetInt32()));
        Assert.Equal("start", events[0].GetProperty("type").GetString());
        Assert.Equal(3, events.Count(e => e.GetProperty("type").GetString() == "file" && e.GetProperty("outcome").GetString() == "uploaded"));
        var summary = events[^1];
        Assert.Equal("summary", summary.GetProperty("type").GetString());
        Assert.Equal("Completed", summary.GetProperty("outcome").GetString());
        Assert.Equal(3, summary.GetProperty("files_transferred").GetInt64());
    }

    [Fact]
    public async Task Upload_KilledWithSigkillMidRun_RerunEndsByteIdenticalWithNothingMissingOrExtra()
    {
        var bucket = await Server.CreateBucketAsync("kill");
        var source = FieldFolder(300);
        var big = TestData.Bytes(16 * 1024 * 1024 + 5, 77); // four parts of 5 MiB
        File.WriteAllBytes(Path.Combine(source, "big.bin"), big);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("PutObject", 120);
        proxy.HoldAfter("UploadPart", 2);
        var ferry = Ferry();
        var args = new[] { "upload", source, $"s3://{bucket}/C1", "--endpoint", proxy.Endpoint, "--part-size", "5MiB", "--multipart-threshold", "5MiB", "--memory", "10MiB", "-j", "8" };

        using (var first = ferry.Start(args))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while ((proxy.Count("PutObject") <= 120 || proxy.Count("UploadPart") <= 2) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            await Task.Delay(500); // let the journal record what the store confirmed
            first.Kill(); // SIGKILL: no cleanup runs
            await first.WaitForExitAsync();
        }

        proxy.Reset();
        var rerun = await ferry.RunAsync(args);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Equal(2, proxy.Count("UploadPart")); // the multipart upload resumed at part 3 of 4
        Assert.InRange(proxy.Count("PutObject"), 300 - 120 - 8, 300 - 120 + 8);
        var expected = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Select(f => "C1/" + Path.GetRelativePath(source, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, (await Server.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var key in expected)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(source, key[3..])), await Server.GetObjectAsync(bucket, key));
        }
    }

    [Fact]
    public async Task Upload_ToLocalFolderWithMove_KilledWithSigkillMidRun_RerunLeavesEveryFileAtTheDestinationAndNoneAtTheSource()
    {
        // A local folder is flushed once per batch, and a file is journaled and moved only after a flush covers its
        // copy: a kill between the copy and the flush leaves the source in place, and the rerun finds the copy.
        var source = FieldFolder(12_000);
        var expected = Directory.GetFiles(source, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(source, f), File.ReadAllBytes);
        var destination = _home.Combine("local-" + Guid.NewGuid().ToString("N")[..6]);
        var ferry = Ferry();
        var args = new[] { "upload", source, $"file://{destination}", "--move", "-j", "2", "--check", "off", "-q" };

        using (var first = ferry.Start(args))
        {
            var output = ProcessOutput.Drain(first);
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (Copied(destination) < 2_000 && !first.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.False(first.HasExited, "the first run ended before it could be killed:\n" + output.Tail);
            first.Kill(); // SIGKILL: no cleanup runs
            await first.WaitForExitAsync();
        }

        // Killed mid-run: at least 2,000 copies were written and the run had not ended (how many were moved by then
        // depends on when the first flush came).
        var rerun = await ferry.RunAsync(args);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Empty(Directory.GetFiles(source, "*", SearchOption.AllDirectories));
        var copies = Directory.GetFiles(destination, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith(".ferry-", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), copies.Select(f => Path.GetRelativePath(destination, f)).Order(StringComparer.Ordinal));
        Assert.All(copies, f => Assert.Equal(expected[Path.GetRelativePath(destination, f)], File.ReadAllBytes(f)));
    }

    /// <summary>How many sensor files a local destination holds so far.</summary>
    private static int Copied(string destination) =>
        Directory.Exists(destination) ? Directory.EnumerateFiles(destination, "*.WAV", SearchOption.AllDirectories).Count() : 0;

    [Fact]
    public async Task Verify_AfterUploadAndLocalChange_Exit1ReportsEachDifference()
    {
        var bucket = await Server.CreateBucketAsync("verify");
        var source = FieldFolder(5);
        var ferry = Ferry();
        Assert.Equal(0, (await ferry.RunAsync("upload", source, $"s3://{bucket}/v", "--endpoint", Server.Endpoint)).ExitCode);
        var identical = await ferry.RunAsync("verify", source, $"s3://{bucket}/v", "--endpoint", Server.Endpoint);
        var files = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var changed = File.ReadAllBytes(files[0]);
        changed[0] ^= 1;
        File.WriteAllBytes(files[0], changed);
        File.AppendAllText(files[1], "longer");
        File.WriteAllText(Path.Combine(source, "new.txt"), "not uploaded");

        var different = await ferry.RunAsync("verify", source, $"s3://{bucket}/v", "--endpoint", Server.Endpoint);
        var downloaded = await ferry.RunAsync("verify", source, $"s3://{bucket}/v", "--endpoint", Server.Endpoint, "--download");

        Assert.True(identical.ExitCode == 0, identical.ToString());
        Assert.True(different.ExitCode == 1, different.ToString());
        Assert.Contains($"checksum: {Path.GetRelativePath(source, files[0])}", different.Stdout);
        Assert.Contains($"size: {Path.GetRelativePath(source, files[1])}", different.Stdout);
        Assert.Contains("missing: new.txt", different.Stdout);
        Assert.Equal(1, downloaded.ExitCode);
        Assert.Contains($"checksum: {Path.GetRelativePath(source, files[0])}", downloaded.Stdout);
    }

    [Fact]
    public async Task Sessions_AfterTwoRuns_ListsThemExportsFilesAndCountsTheRerunsFilesWithoutRows()
    {
        var bucket = await Server.CreateBucketAsync("sessions");
        var source = FieldFolder(3);
        var ferry = Ferry();
        await ferry.RunAsync("upload", source, $"s3://{bucket}/s", "--endpoint", Server.Endpoint);
        await ferry.RunAsync("upload", source, $"s3://{bucket}/s", "--endpoint", Server.Endpoint);

        var list = await ferry.RunAsync("sessions", "--format", "json");
        var sessions = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().ToList();
        var first = sessions[1].GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var latest = sessions[0].GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var firstCsv = await ferry.RunAsync("sessions", "show", first, "--files", "--format", "csv");
        var latestCsv = await ferry.RunAsync("sessions", "show", latest, "--files", "--format", "csv");
        var latestJson = await ferry.RunAsync("sessions", "show", latest, "--files", "--format", "json");
        var latestText = await ferry.RunAsync("sessions", "show", latest, "--files");

        Assert.Equal(2, sessions.Count);
        Assert.Equal(3, sessions[0].GetProperty("files_present").GetInt64());
        Assert.Equal(3, sessions[1].GetProperty("files_uploaded").GetInt64());
        var rows = firstCsv.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("path,key,size,sha256,etag,outcome,reason,at", rows[0]);
        Assert.Equal(3, rows.Skip(1).Count(r => r.Contains(",uploaded,", StringComparison.Ordinal)));
        // The rerun found every file as the journal recorded it: counted, with no row per file.
        Assert.Equal(["path,key,size,sha256,etag,outcome,reason,at"], latestCsv.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var document = JsonDocument.Parse(latestJson.Stdout).RootElement;
        Assert.Equal(3, document.GetProperty("files_present_without_row").GetInt64());
        Assert.Equal(0, document.GetProperty("files").GetArrayLength());
        Assert.Contains("no row:      3 present files the journal proved unchanged", latestText.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_HealthyBucket_Exit0WithEveryCheckOk()
    {
        var bucket = await Server.CreateBucketAsync("doctor");

        var result = await Ferry().RunAsync("doctor", $"s3://{bucket}/probe", "--endpoint", Server.Endpoint);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var check in new[] { "credentials", "endpoint", "clock", "bucket", "write", "read", "delete" })
        {
            Assert.Contains($"ok    {check}:", result.Stdout);
        }

        Assert.Empty(await Server.ListKeysAsync(bucket));
    }

    [Fact]
    public async Task Doctor_PlaceholderCredentials_Exit2WithFix()
    {
        var ferry = Ferry();
        ferry["AWS_ACCESS_KEY_ID"] = "PLACEHOLDER";

        var result = await ferry.RunAsync("doctor", "s3://bucket/x", "--endpoint", Server.Endpoint);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("FAIL  credentials:", result.Stdout);
        Assert.Contains("put your real access key id", result.Stdout);
    }

    [Fact]
    public async Task Verify_Json_OneLinePerDifferenceThenASummary()
    {
        var bucket = await Server.CreateBucketAsync("verify-json");
        var source = FieldFolder(5);
        var ferry = Ferry();
        Assert.Equal(0, (await ferry.RunAsync("upload", source, $"s3://{bucket}/v", "--endpoint", Server.Endpoint)).ExitCode);
        var files = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        File.AppendAllText(files[1], "longer");
        File.WriteAllText(Path.Combine(source, "new.txt"), "not uploaded");

        var result = await ferry.RunAsync("verify", source, $"s3://{bucket}/v", "--endpoint", Server.Endpoint, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var differences = lines[..^1];
        Assert.All(lines, line => Assert.Equal(1, line.GetProperty("v").GetInt32()));
        Assert.All(differences, line => Assert.Equal("difference", line.GetProperty("type").GetString()));
        var size = Assert.Single(differences, line => line.GetProperty("kind").GetString() == "size");
        Assert.Equal(Path.GetRelativePath(source, files[1]), size.GetProperty("path").GetString());
        Assert.Equal("v/" + Path.GetRelativePath(source, files[1]), size.GetProperty("key").GetString());
        Assert.False(string.IsNullOrEmpty(size.GetProperty("detail").GetString()));
        Assert.Single(differences, line => line.GetProperty("kind").GetString() == "missing" && line.GetProperty("path").GetString() == "new.txt");
        var summary = lines[^1];
        Assert.Equal("summary", summary.GetProperty("type").GetString());
        Assert.Equal(differences.Count, summary.GetProperty("differences").GetInt64());
        Assert.Equal(4, summary.GetProperty("identical").GetInt64());
        Assert.Equal(0, summary.GetProperty("extra_objects").GetInt64());
    }

    private FerryProcess Ferry() => new(_home.Path);

    private string FieldFolder(int files)
    {
        var source = _home.Combine("field-" + Guid.NewGuid().ToString("N")[..6]);
        for (var i = 0; i < files; i++)
        {
            var path = Path.Combine(source, $"SN{i % 4:D6}", $"20260101_{i:D6}.WAV");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, TestData.Bytes(500 + i, i));
        }

        return source;
    }
}
