using System.Security.Cryptography;
using System.Text.Json;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>
/// <c>ferry export</c> and <c>ferry outbox</c> end to end against s3rver: the bundle's layout and reports, the outbox
/// when the endpoint is down, flush, and SIGKILL during an export and during a flush.
/// </summary>
public sealed class ExportCommandTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private const string BundlePattern = @"^\d{8}_\d{6}_contract-review-42$";
    private readonly TempDirectory _home = new("cli-export");

    public void Dispose() => _home.Dispose();

    private S3rverServer Server => s3rver.Server;

    private string OutboxDirectory => _home.Combine("ferry", "outbox");

    [Fact]
    public async Task Export_ReachableBucket_BundleWithSectionsAndReportsVerifiedByChecksum()
    {
        var bucket = await Server.CreateBucketAsync("export");
        var source = Review(documents: 3);

        var result = await Ferry().RunAsync("export", source, $"s3://{bucket}/audits", "--name", "Contract review 42", "--endpoint", Server.Endpoint, "--user", "alice");

        Assert.True(result.ExitCode == 0, result.ToString());
        var keys = await Server.ListKeysAsync(bucket);
        var folder = Assert.Single(keys.Select(k => k.Split('/')[1]).Distinct());
        Assert.Matches(BundlePattern, folder);
        Assert.Contains($"s3://{bucket}/audits/{folder}/", result.Stdout);
        var expected = SourceFiles(source).Select(f => $"audits/{folder}/{f}").Append($"audits/{folder}/comprehensive_report.json").Append($"audits/{folder}/readable_report.txt");
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        using var report = JsonDocument.Parse((await Server.GetObjectAsync(bucket, $"audits/{folder}/comprehensive_report.json"))!);
        var root = report.RootElement;
        Assert.Equal("delivered", root.GetProperty("outcome").GetString());
        Assert.Equal("alice", root.GetProperty("created_by").GetProperty("user").GetString());
        Assert.True(root.GetProperty("delivery").GetProperty("verified").GetBoolean());
        Assert.Equal(SourceFiles(source).Count, root.GetProperty("files").GetArrayLength());
        foreach (var file in root.GetProperty("files").EnumerateArray())
        {
            var path = file.GetProperty("path").GetString()!;
            var uploaded = (await Server.GetObjectAsync(bucket, $"audits/{folder}/{path}"))!;
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(source, path)), uploaded);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(uploaded)), file.GetProperty("sha256").GetString());
        }

        var text = System.Text.Encoding.UTF8.GetString((await Server.GetObjectAsync(bucket, $"audits/{folder}/readable_report.txt"))!);
        Assert.Contains("Audit bundle: Contract review 42", text);
        Assert.Contains("documents/", text);
        Assert.DoesNotContain(Directory.GetDirectories(OutboxDirectory), d => !Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public async Task Export_EndpointDown_Exit3QueuedThenFlushDeliversOnceAndEmptiesOutbox()
    {
        var bucket = await Server.CreateBucketAsync("offline");
        var source = Review(documents: 5);
        var down = $"http://127.0.0.1:{FreePort.Next()}";
        var ferry = Ferry();

        var export = await ferry.RunAsync("export", source, $"s3://{bucket}/audits", "--name", "Contract review 42", "--endpoint", down);

        Assert.True(export.ExitCode == 3, export.ToString());
        Assert.Contains("outbox", export.Stderr);
        Assert.Contains("ferry outbox flush", export.Stderr);
        Assert.Empty(await Server.ListKeysAsync(bucket));
        var list = await ferry.RunAsync("outbox", "list", "--json");
        var waiting = Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray());
        Assert.Equal(SourceFiles(source).Count, waiting.GetProperty("files").GetInt64());

        var flush = await ferry.RunAsync("outbox", "flush", "--endpoint", Server.Endpoint);

        Assert.True(flush.ExitCode == 0, flush.ToString());
        await AssertDeliveredOnceAsync(bucket, source);
        var again = await ferry.RunAsync("outbox", "flush", "--endpoint", Server.Endpoint);
        Assert.Contains("outbox is empty", again.Stdout);
        await AssertDeliveredOnceAsync(bucket, source);
    }

    [Fact]
    public async Task Export_KilledWithSigkillDuringDelivery_FlushDeliversEverythingOnce()
    {
        var bucket = await Server.CreateBucketAsync("killexport");
        var source = Review(documents: 200);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("PutObject", 60);
        var ferry = Ferry();

        using (var first = ferry.Start("export", source, $"s3://{bucket}/audits", "--name", "Contract review 42", "--endpoint", proxy.Endpoint))
        {
            await WaitForAsync(() => proxy.Count("PutObject") > 60);
            await Task.Delay(300);
            first.Kill(); // SIGKILL: no cleanup runs
            await first.WaitForExitAsync();
        }

        proxy.Reset();
        var keysAfterKill = await Server.ListKeysAsync(bucket);
        Assert.DoesNotContain(keysAfterKill, k => k.EndsWith("comprehensive_report.json", StringComparison.Ordinal)); // no report: not complete
        var flush = await ferry.RunAsync("outbox", "flush", "--endpoint", proxy.Endpoint);

        Assert.True(flush.ExitCode == 0, flush.ToString());
        Assert.InRange(proxy.Count("PutObject"), 2, SourceFiles(source).Count + 2 - 50); // what was verified before the kill is not sent again
        await AssertDeliveredOnceAsync(bucket, source);
    }

    [Fact]
    public async Task OutboxFlush_KilledWithSigkillMidFlush_RerunDeliversOnceAndEmptiesOutbox()
    {
        var bucket = await Server.CreateBucketAsync("killflush");
        var source = Review(documents: 200);
        var ferry = Ferry();
        var queued = await ferry.RunAsync("export", source, $"s3://{bucket}/audits", "--name", "Contract review 42", "--endpoint", $"http://127.0.0.1:{FreePort.Next()}");
        Assert.True(queued.ExitCode == 3, queued.ToString());
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("PutObject", 80);

        using (var first = ferry.Start("outbox", "flush", "--endpoint", proxy.Endpoint))
        {
            await WaitForAsync(() => proxy.Count("PutObject") > 80);
            await Task.Delay(300);
            first.Kill();
            await first.WaitForExitAsync();
        }

        proxy.Reset();
        Assert.Single((await ferry.RunAsync("outbox", "list", "--json")).Stdout.Split("\"bundle\"")[1..]);
        var rerun = await ferry.RunAsync("outbox", "flush", "--endpoint", proxy.Endpoint);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.InRange(proxy.Count("PutObject"), 2, SourceFiles(source).Count + 2 - 70);
        await AssertDeliveredOnceAsync(bucket, source);
    }

    [Theory]
    [InlineData("missing-source")]
    [InlineData("loose-file")]
    [InlineData("bad-section")]
    [InlineData("bad-destination")]
    [InlineData("no-name")]
    public async Task Export_BadInput_Exit2OneLineAndNothingQueued(string problem)
    {
        var source = Review(documents: 1);
        var args = problem switch
        {
            "missing-source" => new[] { "export", _home.Combine("nope"), "s3://bucket/a", "--name", "x" },
            "loose-file" => ["export", WithLooseFile(source), "s3://bucket/a", "--name", "x"],
            "bad-section" => ["export", "s3://bucket/a", "--section", "no-equals-sign", "--name", "x"],
            "bad-destination" => ["export", source, "ftp://host/a", "--name", "x"],
            _ => ["export", source, "s3://bucket/a"],
        };

        var result = await Ferry().RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.StartsWith("ferry: collecting", StringComparison.Ordinal));
        Assert.StartsWith("ferry: error:", line);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.False(Directory.Exists(OutboxDirectory) && Directory.GetDirectories(OutboxDirectory).Any(d => !Path.GetFileName(d).StartsWith('.')));
    }

    [Fact]
    public async Task Export_Json_OneObjectWithOutcomeBundleAndCounts()
    {
        var bucket = await Server.CreateBucketAsync("export-json");
        var source = Review(documents: 2);

        var result = await Ferry().RunAsync("export", source, $"s3://{bucket}/audits", "--name", "Contract review 42", "--endpoint", Server.Endpoint, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var answer = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("delivered", answer.GetProperty("outcome").GetString());
        Assert.Matches(BundlePattern, answer.GetProperty("bundle").GetString()!);
        Assert.StartsWith($"s3://{bucket}/audits/", answer.GetProperty("location").GetString());
        Assert.Equal(SourceFiles(source).Count, answer.GetProperty("files").GetInt32());
        Assert.True(answer.GetProperty("bytes").GetInt64() > 0);
        Assert.True(answer.GetProperty("duration_ms").GetInt64() >= 0);
    }

    private async Task AssertDeliveredOnceAsync(string bucket, string source)
    {
        var keys = await Server.ListKeysAsync(bucket);
        var folder = Assert.Single(keys.Select(k => k.Split('/')[1]).Distinct()); // one bundle, not two
        Assert.Matches(BundlePattern, folder);
        var expected = SourceFiles(source).Select(f => $"audits/{folder}/{f}").Append($"audits/{folder}/comprehensive_report.json").Append($"audits/{folder}/readable_report.txt");
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        foreach (var file in SourceFiles(source))
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(source, file)), await Server.GetObjectAsync(bucket, $"audits/{folder}/{file}"));
        }

        using var report = JsonDocument.Parse((await Server.GetObjectAsync(bucket, $"audits/{folder}/comprehensive_report.json"))!);
        Assert.Equal("delivered", report.RootElement.GetProperty("outcome").GetString());
        Assert.DoesNotContain(Directory.GetDirectories(OutboxDirectory), d => !Path.GetFileName(d).StartsWith('.'));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "timed out waiting");
    }

    private static List<string> SourceFiles(string source) =>
        Directory.GetFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

    private string WithLooseFile(string source)
    {
        File.WriteAllText(Path.Combine(source, "loose.txt"), "x");
        return source;
    }

    private string Review(int documents)
    {
        var source = _home.Combine("review-" + Guid.NewGuid().ToString("N")[..6]);
        for (var i = 0; i < documents; i++)
        {
            _home.Write(Path.Combine(Path.GetFileName(source), "documents", $"doc {i:D4} #{i % 3}.pdf"), TestData.Bytes(300 + i, i));
        }

        _home.Write(Path.Combine(Path.GetFileName(source), "feedback", "round-1", "notes ü.txt"), TestData.Bytes(90, 1));
        _home.Write(Path.Combine(Path.GetFileName(source), "logs", "empty.log"), []);
        return source;
    }

    private FerryProcess Ferry() => new(_home.Path);
}
