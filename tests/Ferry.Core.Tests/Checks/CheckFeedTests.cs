using Ferry.Core.Checks;
using Ferry.Core.Transfer;
using Ferry.Testing;

namespace Ferry.Core.Tests.Checks;

/// <summary>A check fed by another scan (an upload's): the same findings as its own walk, and a feeder it never holds up.</summary>
public sealed class CheckFeedTests : IDisposable
{
    private static readonly TimeProvider Clock = new FixedClock(new DateTimeOffset(2026, 6, 20, 12, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _dir = new("check-feed");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CompleteAsync_EveryFileFed_SameFindingsAndFoldersAsItsOwnWalk()
    {
        var t = new DateTime(2026, 5, 1, 8, 0, 0);
        _dir.Write("CAM01/a.jpg", FieldMedia.Jpeg(t, "SN1", seed: 1));
        _dir.Write("CAM01/b.jpg", FieldMedia.Jpeg(t.AddDays(2), "SN1", seed: 2));
        _dir.Write("CAM01/c.jpg", FieldMedia.Jpeg(t.AddDays(2).AddMinutes(1), "SN1", seed: 3));
        _dir.Write("CAM01/stray.jpg", FieldMedia.Jpeg(t.AddDays(2).AddMinutes(2), "SN9", seed: 4));
        _dir.Write("AM01/empty.WAV", []);
        var options = new CheckOptions();
        var walked = await new CheckRunner(Clock).RunAsync(_dir.Path, options, CancellationToken.None);

        var fed = await FeedAsync(await ScanAsync(), options);

        Assert.Equal(2, walked.ProblemCount);
        Assert.Equal(walked.Findings.Select(f => (f.Path, f.Problem, f.Message)), fed.Findings.Select(f => (f.Path, f.Problem, f.Message)));
        Assert.Equal(walked.Folders.Select(f => (f.Folder, f.Files, f.FirstCapture, f.LastCapture, f.Gaps.Count, f.MajoritySerial)),
            fed.Folders.Select(f => (f.Folder, f.Files, f.FirstCapture, f.LastCapture, f.Gaps.Count, f.MajoritySerial)));
        Assert.Equal((walked.Files, walked.Bytes), (fed.Files, fed.Bytes));
    }

    [Fact]
    public async Task CompleteAsync_SomeFilesFed_ChecksOnlyThose()
    {
        _dir.Write("AM01/empty.WAV", []);
        _dir.Write("AM01/also-empty.WAV", []);
        var files = await ScanAsync();

        var fed = await FeedAsync(files.Where(f => f.RelativePath == "AM01/also-empty.WAV"), new CheckOptions());

        Assert.Equal(1, fed.Files);
        Assert.Equal("AM01/also-empty.WAV", Assert.Single(fed.Findings).Path);
    }

    [Fact]
    public async Task AddAsync_AfterTheCheckFailed_ReturnsAtOnceAndCompleteThrows()
    {
        // A file no check foresaw breaking a worker (here: no relative path at all); one worker and a feed of thousands,
        // more than the queue holds, so a feeder held by a dead check would wait forever.
        var feed = new CheckRunner(Clock).Start(_dir.Path, new CheckOptions { Concurrency = 1 }, CancellationToken.None);
        await feed.AddAsync(new SourceFile(null!, _dir.Combine("gone"), 0, 0), CancellationToken.None);

        await AddMoreThanTheQueueHoldsAsync(feed);

        await Assert.ThrowsAnyAsync<Exception>(feed.CompleteAsync);
        await feed.DisposeAsync();
    }

    [Fact]
    public async Task AddAsync_AfterTheCallerCancelled_ReturnsAtOnceAndCompleteSaysCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var feed = new CheckRunner(Clock).Start(_dir.Path, new CheckOptions { Concurrency = 1 }, cancel.Token);
        await cancel.CancelAsync();

        await AddMoreThanTheQueueHoldsAsync(feed);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(feed.CompleteAsync);
        await feed.DisposeAsync();
    }

    [Fact]
    public async Task StopAsync_WhileFilesWait_EndsTheWorkersAndLaterFilesReturnAtOnce()
    {
        var feed = new CheckRunner(Clock).Start(_dir.Path, new CheckOptions { Concurrency = 1 }, CancellationToken.None);
        await feed.AddAsync(new SourceFile("a.bin", _dir.Write("a.bin", [1]), 1, 0), CancellationToken.None);

        await feed.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));

        await feed.AddAsync(new SourceFile("b.bin", _dir.Combine("b.bin"), 0, 0), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromMinutes(1));
        await feed.DisposeAsync();
    }

    /// <summary>Adds 5,000 files, each within a minute: a feeder held by a check that reads no more would time out here.</summary>
    private async Task AddMoreThanTheQueueHoldsAsync(CheckFeed feed)
    {
        for (var i = 0; i < 5000; i++)
        {
            await feed.AddAsync(new SourceFile($"F{i}.bin", _dir.Combine($"F{i}.bin"), 0, 0), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromMinutes(1));
        }
    }

    private async Task<List<SourceFile>> ScanAsync()
    {
        var files = new List<SourceFile>();
        await foreach (var file in new SourceScanner(_dir.Path, new ScanOptions()).ScanAsync(CancellationToken.None))
        {
            files.Add(file);
        }

        return files;
    }

    private async Task<CheckReport> FeedAsync(IEnumerable<SourceFile> files, CheckOptions options)
    {
        await using var feed = new CheckRunner(Clock).Start(_dir.Path, options, CancellationToken.None);
        foreach (var file in files)
        {
            await feed.AddAsync(file, CancellationToken.None);
        }

        return await feed.CompleteAsync();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
