using Ferry.Core.Hashing;
using Ferry.Core.Journal;
using Ferry.Core.Transfer;
using Ferry.Testing;

namespace Ferry.Storage.S3.Tests.Integration.Transfer;

/// <summary>The upload engine against a real s3rver, with faults injected by a proxy in between.</summary>
public sealed class UploadEngineTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _work = new("engine");

    private S3rverServer Server => s3rver.Server;

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task RunAsync_HostileNamesAndSizes_EveryObjectByteIdentical()
    {
        var bucket = await Server.CreateBucketAsync("names");
        var source = Path.Combine(_work.Path, "src");
        var files = new Dictionary<string, byte[]>();
        foreach (var (name, i) in TestData.HostileNames.Select((n, i) => (n, i)))
        {
            files[name] = TestData.Bytes(i * 97, i);
        }

        files["zero.bin"] = [];
        files["C1/SN1/large.WAV"] = TestData.Bytes(13 * 1024 * 1024 + 17, 99);
        foreach (var (name, content) in files)
        {
            Write(source, name, content);
        }

        var summary = await RunAsync(source, bucket, "C1run/", new UploadOptions { MultipartThreshold = 6 * UploadOptions.MiB, PartSize = 5 * UploadOptions.MiB });

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(files.Count, summary.Counts.FilesTransferred);
        Assert.Equal(files.Keys.Select(k => "C1run/" + k).Order(StringComparer.Ordinal), (await Server.ListKeysAsync(bucket)).Order(StringComparer.Ordinal));
        foreach (var (name, content) in files)
        {
            Assert.Equal(content, await Server.GetObjectAsync(bucket, "C1run/" + name));
        }
    }

    [Fact]
    public async Task RunAsync_RerunOfUnchangedFolder_OnlyListsTheDestination()
    {
        var bucket = await Server.CreateBucketAsync("rerun");
        var source = MakeFieldFolder(120);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        var first = await RunAsync(source, bucket, "C1/", new UploadOptions(), proxy.Endpoint);
        var requestsBefore = proxy.TotalRequests;

        var second = await RunAsync(source, bucket, "C1/", new UploadOptions(), proxy.Endpoint);

        Assert.Equal(120, first.Counts.FilesTransferred);
        Assert.Equal(0, second.Counts.FilesTransferred);
        Assert.Equal(120, second.Counts.FilesPresent);
        Assert.Equal(1, proxy.TotalRequests - requestsBefore); // one listing page, no request per file
    }

    [Fact]
    public async Task RunAsync_ObjectDeletedRemotely_UploadsItAgain()
    {
        var bucket = await Server.CreateBucketAsync("deleted");
        var source = MakeFieldFolder(10);
        await RunAsync(source, bucket, "C1/", new UploadOptions());
        var victim = (await Server.ListKeysAsync(bucket)).Order(StringComparer.Ordinal).First();
        await Server.DeleteObjectAsync(bucket, victim);

        var summary = await RunAsync(source, bucket, "C1/", new UploadOptions());

        Assert.Equal(1, summary.Counts.FilesTransferred);
        Assert.Equal(9, summary.Counts.FilesPresent);
        Assert.NotNull(await Server.GetObjectAsync(bucket, victim));
    }

    [Fact]
    public async Task RunAsync_ObjectsUploadedByAnotherTool_MatchedByChecksumNotReuploaded()
    {
        var bucket = await Server.CreateBucketAsync("foreign");
        var source = MakeFieldFolder(8);
        await RunAsync(source, bucket, "C1/", new UploadOptions(), journalPath: Path.Combine(_work.Path, "other-journal.db"));

        var summary = await RunAsync(source, bucket, "C1/", new UploadOptions());

        Assert.Equal(0, summary.Counts.FilesTransferred);
        Assert.Equal(8, summary.Counts.FilesPresent);
    }

    [Fact]
    public async Task RunAsync_BodyCorruptedInTransit_DetectedByMd5AndRetried()
    {
        var bucket = await Server.CreateBucketAsync("corrupt");
        var source = Path.Combine(_work.Path, "src");
        var content = TestData.Bytes(50_000, 5);
        Write(source, "a.bin", content);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.CorruptNext("PutObject");

        var summary = await RunAsync(source, bucket, "", new UploadOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10) }, proxy.Endpoint);

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(1, summary.Counts.Retries);
        Assert.Equal(2, proxy.Count("PutObject"));
        Assert.Equal(content, await Server.GetObjectAsync(bucket, "a.bin"));
    }

    [Fact]
    public async Task RunAsync_PartCorruptedInTransit_DetectedAndRetried()
    {
        var bucket = await Server.CreateBucketAsync("corruptpart");
        var source = Path.Combine(_work.Path, "src");
        var content = TestData.Bytes(11 * 1024 * 1024, 6);
        Write(source, "big.bin", content);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.CorruptNext("UploadPart");

        var summary = await RunAsync(source, bucket, "", SmallParts with { RetryBaseDelay = TimeSpan.FromMilliseconds(10) }, proxy.Endpoint);

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(1, summary.Counts.Retries);
        Assert.Equal(4, proxy.Count("UploadPart")); // three parts, one sent twice
        Assert.Equal(content, await Server.GetObjectAsync(bucket, "big.bin"));
    }

    [Fact]
    public async Task RunAsync_SlowDown503_RetriedWithBackoffUntilUploaded()
    {
        var bucket = await Server.CreateBucketAsync("slowdown");
        var source = MakeFieldFolder(5);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.SlowDownNext("PutObject", 3);

        var summary = await RunAsync(source, bucket, "", new UploadOptions { Concurrency = 1 }, proxy.Endpoint);

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(3, summary.Counts.Retries);
        Assert.Equal(8, proxy.Count("PutObject"));
        Assert.Equal(5, (await Server.ListKeysAsync(bucket)).Count);
    }

    [Fact]
    public async Task RunAsync_AdaptiveConcurrencyMeetsSlowDown_BacksOffAndStillUploadsEveryFileVerified()
    {
        var bucket = await Server.CreateBucketAsync("adaptive");
        var source = MakeFieldFolder(40);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.SlowDownNext("PutObject", 6);
        var progress = new TransferProgress();

        var summary = await RunAsync(source, bucket, "C1/", new UploadOptions { Concurrency = 8, MaxConcurrency = 32 }, proxy.Endpoint, progress: progress);

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(40, summary.Counts.FilesTransferred);
        Assert.Equal(6, summary.Counts.Retries);
        Assert.InRange(progress.ConcurrencyBackoffs, 1, 6);
        Assert.InRange(progress.ConcurrencyLimit, 1, 4); // halved at least once from 8, and 40 files are too few to earn it back
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var key = "C1/" + Path.GetRelativePath(source, file).Replace(Path.DirectorySeparatorChar, '/');
            Assert.Equal(await File.ReadAllBytesAsync(file), await Server.GetObjectAsync(bucket, key));
        }
    }

    [Fact]
    public async Task RunAsync_FixedConcurrencyMeetsSlowDown_KeepsItsLimit()
    {
        var bucket = await Server.CreateBucketAsync("fixedlimit");
        var source = MakeFieldFolder(10);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.SlowDownNext("PutObject", 2);
        var progress = new TransferProgress();

        var summary = await RunAsync(source, bucket, "", new UploadOptions { Concurrency = 4, MaxConcurrency = 4 }, proxy.Endpoint, progress: progress);

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(4, progress.ConcurrencyLimit);
        Assert.Equal(0, progress.ConcurrencyBackoffs);
    }

    [Fact]
    public async Task RunAsync_MoveWithOneFileFailing_DeletesOnlyVerifiedFiles()
    {
        var bucket = await Server.CreateBucketAsync("move");
        var source = MakeFieldFolder(6);
        var doomed = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var doomedName = Path.GetFileName(doomed);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.FailNext("PutObject", int.MaxValue, path => path.EndsWith(doomedName, StringComparison.Ordinal));

        var summary = await RunAsync(source, bucket, "", new UploadOptions { Move = true, Retries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(10) }, proxy.Endpoint);

        Assert.Equal(TransferOutcome.CompletedWithFailures, summary.Outcome);
        Assert.Equal(5, summary.Counts.FilesMoved);
        Assert.Equal([doomed], Directory.GetFiles(source, "*", SearchOption.AllDirectories));
        Assert.Equal(5, (await Server.ListKeysAsync(bucket)).Count);
    }

    [Fact]
    public async Task RunAsync_ArchiveTo_MovesVerifiedFilesKeepingRelativePaths()
    {
        var bucket = await Server.CreateBucketAsync("archive");
        var source = MakeFieldFolder(4);
        var relative = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f)).Order().ToList();
        var archive = Path.Combine(_work.Path, "archive");

        var summary = await RunAsync(source, bucket, "", new UploadOptions { ArchiveTo = archive });

        Assert.Equal(4, summary.Counts.FilesMoved);
        Assert.Empty(Directory.GetFiles(source, "*", SearchOption.AllDirectories));
        Assert.Equal(relative, Directory.GetFiles(archive, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(archive, f)).Order());
    }

    [Fact]
    public async Task RunAsync_Manifest_HasOneVerifiedLinePerFileAndIsUploaded()
    {
        var bucket = await Server.CreateBucketAsync("manifest");
        var source = MakeFieldFolder(7);
        var manifest = Path.Combine(_work.Path, "out", "manifest.jsonl");

        await RunAsync(source, bucket, "C3/", new UploadOptions { ManifestPath = manifest, ManifestKey = "manifests/C3.jsonl", Move = true });

        var entries = new List<Ferry.Core.Manifests.ManifestEntry>();
        await foreach (var entry in Ferry.Core.Manifests.ManifestWriter.ReadAsync(manifest))
        {
            entries.Add(entry);
        }

        Assert.Equal(7, entries.Count);
        foreach (var entry in entries)
        {
            var bytes = await Server.GetObjectAsync(bucket, entry.Key);
            Assert.Equal(entry.Size, bytes!.Length);
            Assert.Equal(ContentHashes.Sha256Hex(bytes), entry.Sha256);
        }

        Assert.True(File.Exists(manifest));
        Assert.Equal(await File.ReadAllBytesAsync(manifest), await Server.GetObjectAsync(bucket, "manifests/C3.jsonl"));
    }

    [Fact]
    public async Task RunAsync_MultipartResumed_SendsOnlyMissingParts()
    {
        var bucket = await Server.CreateBucketAsync("resume");
        var source = Path.Combine(_work.Path, "src");
        var content = TestData.Bytes(26 * 1024 * 1024, 8); // six parts of 5 MiB
        Write(source, "big.bin", content);
        await using var proxy = await FaultProxy.StartAsync(Server.Endpoint);
        proxy.HoldAfter("UploadPart", 3);
        using (var cancel = new CancellationTokenSource())
        {
            var run = RunAsync(source, bucket, "", SmallParts with { MemoryBudget = 10 * UploadOptions.MiB }, proxy.Endpoint, cancellationToken: cancel.Token);
            while (proxy.Count("UploadPart") < 4)
            {
                await Task.Delay(20);
            }

            await Task.Delay(200);
            await cancel.CancelAsync();
            Assert.Equal(TransferOutcome.Interrupted, (await run).Outcome);
        }

        proxy.Reset();
        var resumed = await RunAsync(source, bucket, "", SmallParts, proxy.Endpoint);

        Assert.Equal(TransferOutcome.Completed, resumed.Outcome);
        Assert.Equal(3, proxy.Count("UploadPart"));
        Assert.Equal(0, proxy.Count("CreateMultipart"));
        Assert.Equal(content, await Server.GetObjectAsync(bucket, "big.bin"));
    }

    [Fact]
    public async Task RunAsync_DryRun_WritesNothing()
    {
        var bucket = await Server.CreateBucketAsync("dry");
        var source = MakeFieldFolder(3);
        var events = new RecordingObserver();

        var summary = await RunAsync(source, bucket, "", new UploadOptions { DryRun = true, ManifestPath = Path.Combine(_work.Path, "m.jsonl") }, observer: events);

        Assert.Empty(await Server.ListKeysAsync(bucket));
        Assert.Equal(3, events.Events.Count(e => e.Outcome == FileEvent.WouldUpload));
        Assert.False(File.Exists(Path.Combine(_work.Path, "m.jsonl")));
        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
    }

    [Fact]
    public async Task RunAsync_SymlinksAndFifos_SkippedAndReported()
    {
        var bucket = await Server.CreateBucketAsync("special");
        var source = MakeFieldFolder(2);
        File.CreateSymbolicLink(Path.Combine(source, "link.txt"), "/etc/hostname");
        Directory.CreateSymbolicLink(Path.Combine(source, "loop"), source);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(source, "pipe")))
        {
            await mkfifo.WaitForExitAsync();
        }

        var events = new RecordingObserver();
        var summary = await RunAsync(source, bucket, "", new UploadOptions(), observer: events);

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(2, summary.Counts.FilesTransferred);
        Assert.Equal(["link.txt", "loop", "pipe"], events.Events.Where(e => e.Outcome == FileOutcomes.Skipped).Select(e => e.Path).Order());
    }

    [Fact]
    public async Task RunAsync_FollowSymlinksWithLoop_UploadsTargetsOnceAndStops()
    {
        var bucket = await Server.CreateBucketAsync("follow");
        var source = MakeFieldFolder(2);
        var outside = Path.Combine(_work.Path, "outside");
        Write(outside, "x.txt", [1, 2, 3]);
        Directory.CreateSymbolicLink(Path.Combine(source, "linked"), outside);
        Directory.CreateSymbolicLink(Path.Combine(source, "loop"), source);

        var summary = await RunAsync(source, bucket, "", new UploadOptions { FollowSymlinks = true });

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Contains("linked/x.txt", await Server.ListKeysAsync(bucket));
        Assert.Equal(3, summary.Counts.FilesTransferred);
    }

    [Fact]
    public async Task RunAsync_SessionRecorded_WithPerFileOutcomes()
    {
        var bucket = await Server.CreateBucketAsync("session");
        var source = MakeFieldFolder(4);

        var summary = await RunAsync(source, bucket, "", new UploadOptions());

        using var journal = TransferJournal.Open(JournalPath);
        var session = journal.FindSession(summary.SessionId)!;
        Assert.Equal("completed", session.Outcome);
        Assert.Equal(4, session.Counts.FilesUploaded);
        Assert.Equal(4, journal.ReadSessionFiles(summary.SessionId, FileOutcomes.Uploaded).Count());
    }

    private static UploadOptions SmallParts => new() { PartSize = 5 * UploadOptions.MiB, MultipartThreshold = 5 * UploadOptions.MiB };

    private string JournalPath => Path.Combine(_work.Path, "journal.db");

    private async Task<TransferSummary> RunAsync(string source, string bucket, string prefix, UploadOptions options, string? endpoint = null, ITransferObserver? observer = null, string? journalPath = null, TransferProgress? progress = null, CancellationToken cancellationToken = default)
    {
        using var store = S3TestStores.Create(Server, bucket, endpoint);
        using var journal = TransferJournal.Open(journalPath ?? JournalPath);
        var engine = new UploadEngine(options.DryRun ? null : journal);
        return await engine.RunAsync(new UploadRequest(source, store, prefix), options, progress ?? new TransferProgress(), observer, cancellationToken);
    }

    private string MakeFieldFolder(int files)
    {
        var source = Path.Combine(_work.Path, "field-" + Guid.NewGuid().ToString("N")[..8]);
        for (var i = 0; i < files; i++)
        {
            Write(source, $"SN{i % 3:D6}/20260101_{i:D6}.WAV", TestData.Bytes(1000 + i, i));
        }

        return source;
    }

    private static void Write(string root, string relative, byte[] content)
    {
        var path = Path.Combine([root, .. relative.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    private sealed class RecordingObserver : ITransferObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<FileEvent> _events = new();

        public IReadOnlyCollection<FileEvent> Events => _events;

        public void OnFileEvent(FileEvent fileEvent) => _events.Enqueue(fileEvent);

        public void OnRetry(string reason)
        {
        }
    }
}
