using System.IO.Compression;
using Ferry.Testing;

namespace Ferry.Cli.Tests.Commands;

/// <summary>ferry download and ferry cat end to end against s3rver.</summary>
public sealed class DownloadCommandTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _home = new("cli-dl");

    public void Dispose() => _home.Dispose();

    private S3rverServer Server => s3rver.Server;

    [Fact]
    public async Task Download_AfterUpload_Exit0AndSameBytes()
    {
        var (bucket, source) = await UploadedFolderAsync(20);
        var destination = _home.Combine("back");

        var result = await Ferry().RunAsync("download", $"s3://{bucket}/C1", destination, "--endpoint", Server.Endpoint);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Download complete", result.Stdout);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(destination, Path.GetRelativePath(source, file))));
        }
    }

    [Fact]
    public async Task Download_KilledWithSigkill_RerunFetchesOnlyWhatIsMissing()
    {
        var (bucket, source) = await UploadedFolderAsync(300);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("GetObject", 120);
        var destination = _home.Combine("back");
        var ferry = Ferry();
        var args = new[] { "download", $"s3://{bucket}/C1", destination, "--endpoint", proxy.Endpoint, "-j", "8" };
        using (var first = ferry.Start(args))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (proxy.Count("GetObject") <= 120 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            await Task.Delay(300);
            first.Kill();
            await first.WaitForExitAsync();
        }

        proxy.Reset();
        var rerun = await ferry.RunAsync(args);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.InRange(proxy.Count("GetObject"), 300 - 120, 300 - 120 + 8);
        var expected = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFiles(destination, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(destination, f)).Order(StringComparer.Ordinal));
        foreach (var relative in expected)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(source, relative)), await File.ReadAllBytesAsync(Path.Combine(destination, relative)));
        }
    }

    [Fact]
    public async Task Download_ObjectAboveTheRangeThreshold_ComesInRangedGetsOf32MiBByDefault()
    {
        // docs/cli.md: objects above --range-threshold (32 MiB) come as ranged GETs of --chunk-size, 32 MiB by default.
        var bucket = await Server.CreateBucketAsync("dl");
        var source = _home.Combine("src-big");
        var bytes = TestData.Bytes(40 * 1024 * 1024, 7);
        _home.Write("src-big/SN000001/long.WAV", bytes);
        Assert.Equal(0, (await Ferry().RunAsync("upload", source, $"s3://{bucket}/C1", "--endpoint", Server.Endpoint)).ExitCode);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        var destination = _home.Combine("back");

        var result = await Ferry().RunAsync("download", $"s3://{bucket}/C1", destination, "--endpoint", proxy.Endpoint);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, proxy.Count("GetObject")); // 32 MiB + 8 MiB; 8 MiB ranges would have taken five
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(destination, "SN000001", "long.WAV")));
    }

    [Fact]
    public async Task Download_DestinationIsAFile_Exit2()
    {
        var (bucket, _) = await UploadedFolderAsync(1);
        var file = _home.Write("not-a-folder", [1]);

        var result = await Ferry().RunAsync("download", $"s3://{bucket}/C1", file, "--endpoint", Server.Endpoint);

        AssertUsageError(result, "is a file");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    public async Task Download_MaxConcurrencyOutOfRange_Exit2NamingTheRange(string value)
    {
        var result = await Ferry().RunAsync("download", "s3://any-bucket/C1", _home.Combine("back"), "--endpoint", Server.Endpoint, "--max-concurrency", value);

        AssertUsageError(result, "--max-concurrency must be between 1 and 256");
        Assert.False(Directory.Exists(_home.Combine("back")));
    }

    [Fact]
    public async Task Download_EmptyPrefix_Exit2SaysNothingThere()
    {
        var (bucket, _) = await UploadedFolderAsync(1);

        var result = await Ferry().RunAsync("download", $"s3://{bucket}/no-such-prefix", _home.Combine("back"), "--endpoint", Server.Endpoint);

        AssertUsageError(result, "nothing under");
    }

    [Fact]
    public async Task Download_UnknownBucket_Exit2()
    {
        var result = await Ferry().RunAsync("download", "s3://no-such-bucket-dl/x", _home.Combine("back"), "--endpoint", Server.Endpoint);

        AssertUsageError(result, "does not exist");
    }

    [Fact]
    public async Task Cat_Object_StreamsItsBytes()
    {
        var (bucket, source) = await UploadedFolderAsync(3);
        var file = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();

        var result = await Ferry().RunAsync("cat", $"s3://{bucket}/C1/{Path.GetRelativePath(source, file)}", "--endpoint", Server.Endpoint);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(await File.ReadAllTextAsync(file), result.Stdout);
    }

    [Fact]
    public async Task Cat_Gunzip_StreamsDecompressedText()
    {
        var bucket = await Server.CreateBucketAsync("catgz");
        var source = _home.Combine("gz");
        Directory.CreateDirectory(source);
        await using (var gzip = new GZipStream(File.Create(Path.Combine(source, "log.jsonl.gz")), CompressionLevel.Optimal))
        {
            await gzip.WriteAsync("{\"a\":1}\n{\"a\":2}\n"u8.ToArray());
        }

        Assert.Equal(0, (await Ferry().RunAsync("upload", source, $"s3://{bucket}/logs", "--endpoint", Server.Endpoint)).ExitCode);

        var result = await Ferry().RunAsync("cat", $"s3://{bucket}/logs/log.jsonl.gz", "--gunzip", "--endpoint", Server.Endpoint);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("{\"a\":1}\n{\"a\":2}\n", result.Stdout);
    }

    [Fact]
    public async Task Cat_MissingKey_Exit2()
    {
        var (bucket, _) = await UploadedFolderAsync(1);

        var result = await Ferry().RunAsync("cat", $"s3://{bucket}/C1/nope.txt", "--endpoint", Server.Endpoint);

        AssertUsageError(result, "does not exist");
    }

    [Fact]
    public async Task Download_Json_AnEventPerFileThenASummary()
    {
        var (bucket, _) = await UploadedFolderAsync(4);

        var result = await Ferry().RunAsync("download", $"s3://{bucket}/C1", _home.Combine("back-json"), "--endpoint", Server.Endpoint, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var events = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(events, e => Assert.Equal(1, e.GetProperty("v").GetInt32()));
        Assert.Equal(4, events.Count(e => e.GetProperty("type").GetString() == "file" && e.GetProperty("outcome").GetString() == "downloaded"));
        Assert.Equal("summary", events[^1].GetProperty("type").GetString());
        Assert.Equal(4, events[^1].GetProperty("files_transferred").GetInt64());
    }

    private FerryProcess Ferry() => new(_home.Path);

    private async Task<(string Bucket, string Source)> UploadedFolderAsync(int files)
    {
        var bucket = await Server.CreateBucketAsync("dl");
        var source = _home.Combine("src-" + Guid.NewGuid().ToString("N")[..6]);
        for (var i = 0; i < files; i++)
        {
            var path = Path.Combine(source, $"SN{i % 4:D6}", $"20260101_{i:D6}.WAV");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"recording {i} " + new string('x', i % 50));
        }

        var upload = await Ferry().RunAsync("upload", source, $"s3://{bucket}/C1", "--endpoint", Server.Endpoint);
        Assert.True(upload.ExitCode == 0, upload.ToString());
        return (bucket, source);
    }

    private static void AssertUsageError(FerryResult result, string expected)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ferry: error: ", line);
        Assert.Contains(expected, line);
    }
}
