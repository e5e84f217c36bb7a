using System.Net.Http.Headers;
using Ferry.Core.Hashing;
using Ferry.Core.Journal;
using Ferry.Core.Transfer;
using Ferry.Testing;

namespace Ferry.Storage.S3.Tests.Integration.Transfer;

/// <summary>Downloads against a real s3rver: round trips, reruns, overwrite protection, corruption, ranged resume.</summary>
public sealed class DownloadEngineTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _work = new("download");

    private S3rverServer Server => s3rver.Server;

    public void Dispose() => _work.Dispose();

    private static DownloadOptions SmallChunks => new() { ChunkSize = UploadOptions.MiB, RangeThreshold = 2 * UploadOptions.MiB, RetryBaseDelay = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public async Task RunAsync_HostileNamesAndSizes_RoundTripByteForByte()
    {
        var bucket = await Server.CreateBucketAsync("dl");
        var files = new Dictionary<string, byte[]>();
        foreach (var (name, i) in TestData.HostileNames.Select((n, i) => (n, i)))
        {
            files[name] = TestData.Bytes(i * 131, i);
        }

        files["zero.bin"] = [];
        files["C1/SN9/ranged.bin"] = TestData.Bytes(5 * 1024 * 1024 + 77, 9);
        var source = Write("src", files);
        await UploadAsync(source, bucket, "C1run/");
        var destination = Path.Combine(_work.Path, "back");

        var summary = await DownloadAsync(bucket, "C1run/", destination, SmallChunks);

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(files.Count, summary.Counts.FilesTransferred);
        foreach (var (name, content) in files)
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine([destination, .. name.Split('/')])));
        }

        Assert.Equal(files.Count, Directory.GetFiles(destination, "*", SearchOption.AllDirectories).Length); // no temporary files left
    }

    [Fact]
    public async Task RunAsync_Rerun_SkipsEveryFileWithoutReadingObjects()
    {
        var bucket = await Server.CreateBucketAsync("dlrerun");
        await UploadAsync(Write("src", Enumerable.Range(0, 30).ToDictionary(i => $"SN{i % 3}/{i}.WAV", i => TestData.Bytes(700 + i, i))), bucket, "");
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        var destination = Path.Combine(_work.Path, "back");
        await DownloadAsync(bucket, "", destination, new DownloadOptions(), proxy.Endpoint);
        proxy.Reset();

        var second = await DownloadAsync(bucket, "", destination, new DownloadOptions(), proxy.Endpoint);

        Assert.Equal(30, second.Counts.FilesPresent);
        Assert.Equal(0, proxy.Count("GetObject"));
        Assert.Equal(0, proxy.Count("HeadObject"));
    }

    [Fact]
    public async Task RunAsync_Rerun_CountsFilesTheJournalProvesWithoutARowEach()
    {
        var bucket = await Server.CreateBucketAsync("dlrows");
        await UploadAsync(Write("src", Enumerable.Range(0, 5).ToDictionary(i => $"SN1/{i}.WAV", i => TestData.Bytes(300 + i, i))), bucket, "");
        var destination = Path.Combine(_work.Path, "back");
        var first = await DownloadAsync(bucket, "", destination, new DownloadOptions());
        File.SetLastWriteTimeUtc(Path.Combine(destination, "SN1", "4.WAV"), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var second = await DownloadAsync(bucket, "", destination, new DownloadOptions());

        using var journal = TransferJournal.Open(Path.Combine(_work.Path, "journal.db"));
        Assert.Equal(5, journal.ReadSessionFiles(first.SessionId, FileOutcomes.Downloaded).Count());
        Assert.Equal(5, second.Counts.FilesPresent);
        // The copy whose time changed was hashed and compared: that has its row; the four the journal proved have none.
        var row = Assert.Single(journal.ReadSessionFiles(second.SessionId, null));
        Assert.Equal(("SN1/4.WAV", FileOutcomes.Present), (row.Path, row.Outcome));
    }

    [Fact]
    public async Task RunAsync_LocalFileDiffers_KeptUnlessOverwrite()
    {
        var bucket = await Server.CreateBucketAsync("dlkeep");
        await UploadAsync(Write("src", new() { ["a.txt"] = "remote"u8.ToArray() }), bucket, "");
        var destination = Path.Combine(_work.Path, "back");
        Directory.CreateDirectory(destination);
        await File.WriteAllTextAsync(Path.Combine(destination, "a.txt"), "local edit");

        var kept = await DownloadAsync(bucket, "", destination, new DownloadOptions());
        var keptText = await File.ReadAllTextAsync(Path.Combine(destination, "a.txt"));
        var replaced = await DownloadAsync(bucket, "", destination, new DownloadOptions { Overwrite = true });

        Assert.Equal(TransferOutcome.CompletedWithFailures, kept.Outcome);
        Assert.Contains("--overwrite", Assert.Single(kept.Failures).Reason);
        Assert.Equal("local edit", keptText);
        Assert.Equal(TransferOutcome.Completed, replaced.Outcome);
        Assert.Equal("remote", await File.ReadAllTextAsync(Path.Combine(destination, "a.txt")));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(3 * 1024 * 1024)]
    public async Task RunAsync_ObjectBytesNoLongerMatchChecksum_ReportedCorruptAndNotWritten(int size)
    {
        var bucket = await Server.CreateBucketAsync("dlcorrupt");
        var original = TestData.Bytes(size, 1);
        await UploadAsync(Write("src", new() { ["shard.bin"] = original }), bucket, "");
        var tampered = TestData.Bytes(size, 2);
        await ReplaceKeepingMetadataAsync(bucket, "shard.bin", tampered, ContentHashes.Sha256Hex(original));
        var destination = Path.Combine(_work.Path, "back");

        var summary = await DownloadAsync(bucket, "", destination, SmallChunks);

        Assert.Equal(TransferOutcome.CompletedWithFailures, summary.Outcome);
        Assert.Contains("corrupt", Assert.Single(summary.Failures).Reason);
        Assert.Empty(Directory.Exists(destination) ? Directory.GetFiles(destination, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task RunAsync_RangedDownloadInterrupted_ResumesWithMissingChunksOnly()
    {
        var bucket = await Server.CreateBucketAsync("dlresume");
        var content = TestData.Bytes(6 * 1024 * 1024, 4); // six chunks of 1 MiB
        await UploadAsync(Write("src", new() { ["big.bin"] = content }), bucket, "");
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("GetObject", 2);
        var destination = Path.Combine(_work.Path, "back");
        var options = SmallChunks with { ChunkConcurrency = 1 };
        using (var cancel = new CancellationTokenSource())
        {
            var run = DownloadAsync(bucket, "", destination, options, proxy.Endpoint, cancel.Token);
            while (proxy.Count("GetObject") < 3)
            {
                await Task.Delay(20);
            }

            await Task.Delay(200);
            await cancel.CancelAsync();
            Assert.Equal(TransferOutcome.Interrupted, (await run).Outcome);
        }

        Assert.False(File.Exists(Path.Combine(destination, "big.bin")));
        proxy.Reset();
        var resumed = await DownloadAsync(bucket, "", destination, options, proxy.Endpoint);

        Assert.Equal(TransferOutcome.Completed, resumed.Outcome);
        Assert.Equal(4, proxy.Count("GetObject"));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(destination, "big.bin")));
        Assert.Single(Directory.GetFiles(destination));
    }

    [Fact]
    public async Task RunAsync_DryRun_WritesNothing()
    {
        var bucket = await Server.CreateBucketAsync("dldry");
        await UploadAsync(Write("src", new() { ["a"] = [1], ["b/c"] = [2] }), bucket, "");
        var destination = Path.Combine(_work.Path, "back");

        var summary = await DownloadAsync(bucket, "", destination, new DownloadOptions { DryRun = true });

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.False(Directory.Exists(destination));
    }

    [Fact]
    public async Task RunAsync_DestinationIsAFile_ThrowsBeforeAnything()
    {
        var bucket = await Server.CreateBucketAsync("dlfile");
        var file = _work.Write("a-file", [1]);

        await Assert.ThrowsAsync<IOException>(() => DownloadAsync(bucket, "", file, new DownloadOptions()));
    }

    private async Task<TransferSummary> DownloadAsync(string bucket, string prefix, string destination, DownloadOptions options, string? endpoint = null, CancellationToken cancellationToken = default)
    {
        using var store = S3TestStores.Create(Server, bucket, endpoint);
        using var journal = TransferJournal.Open(Path.Combine(_work.Path, "journal.db"));
        return await new DownloadEngine(options.DryRun ? null : journal).RunAsync(new DownloadRequest(store, prefix, destination), options, new TransferProgress(), null, cancellationToken);
    }

    private async Task UploadAsync(string source, string bucket, string prefix)
    {
        using var store = S3TestStores.Create(Server, bucket);
        using var journal = TransferJournal.Open(Path.Combine(_work.Path, "upload-journal.db"));
        var summary = await new UploadEngine(journal).RunAsync(new UploadRequest(source, store, prefix), new UploadOptions(), new TransferProgress(), null, CancellationToken.None);
        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
    }

    /// <summary>Overwrites an object's bytes behind Ferry's back, keeping the old SHA-256 metadata (what bit rot or a buggy tool looks like).</summary>
    private async Task ReplaceKeepingMetadataAsync(string bucket, string key, byte[] content, string oldSha256)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{Server.Endpoint}/{bucket}/{key}") { Content = new ByteArrayContent(content) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.TryAddWithoutValidation("x-amz-meta-sha256", oldSha256);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private string Write(string folder, Dictionary<string, byte[]> files)
    {
        var root = Path.Combine(_work.Path, folder + "-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var (name, content) in files)
        {
            var path = Path.Combine([root, .. name.Split('/')]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }

        return root;
    }
}
