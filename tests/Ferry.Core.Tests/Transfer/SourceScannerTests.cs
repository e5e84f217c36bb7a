using System.Diagnostics;
using Ferry.Core.Transfer;
using Ferry.Testing;

namespace Ferry.Core.Tests.Transfer;

public sealed class SourceScannerTests : IDisposable
{
    private readonly TempDirectory _root = new("scan");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task ScanAsync_NestedTree_YieldsEachFoldersFilesThenItsSubfoldersInOrdinalOrder()
    {
        foreach (var path in new[] { "b/2.txt", "a/z/1.txt", "a/0.txt", "c.txt", "a/Z.txt" })
        {
            _root.Write(path, [1]);
        }

        var files = await ScanAsync(new ScanOptions());

        Assert.Equal(["c.txt", "a/0.txt", "a/Z.txt", "a/z/1.txt", "b/2.txt"], files.Select(f => f.RelativePath));
    }

    [Fact]
    public async Task ScanAsync_HostileNames_KeptUnchanged()
    {
        foreach (var name in TestData.HostileNames)
        {
            _root.Write(name, [1]);
        }

        var files = await ScanAsync(new ScanOptions());

        Assert.Equal(TestData.HostileNames.Order(StringComparer.Ordinal), files.Select(f => f.RelativePath).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ScanAsync_SpecialFiles_SkippedWithReasonsAndNeverOpened()
    {
        _root.Write("ok.txt", [1]);
        using (var mkfifo = Process.Start("mkfifo", _root.Combine("pipe")))
        {
            await mkfifo.WaitForExitAsync();
        }

        File.CreateSymbolicLink(_root.Combine("link"), "/etc/hostname");
        File.CreateSymbolicLink(_root.Combine("broken"), "/no/such/target");
        var skipped = new List<SkippedEntry>();

        var files = await ScanAsync(new ScanOptions { OnSkipped = skipped.Add });

        Assert.Equal(["ok.txt"], files.Select(f => f.RelativePath));
        Assert.Equal(["broken", "link", "pipe"], skipped.Select(s => s.RelativePath).Order());
        Assert.Contains("FIFO", skipped.Single(s => s.RelativePath == "pipe").Reason);
    }

    [Fact]
    public async Task ScanAsync_NameTooLongForKey_SkippedAndReported()
    {
        var longFolder = string.Join('/', Enumerable.Range(0, 6).Select(i => new string((char)('a' + i), 200)));
        _root.Write(longFolder + "/f.txt", [1]);
        var skipped = new List<SkippedEntry>();

        var files = await ScanAsync(new ScanOptions { OnSkipped = skipped.Add });

        Assert.Empty(files);
        Assert.Contains("cannot be an object key", Assert.Single(skipped).Reason);
    }

    [Fact]
    public async Task ScanAsync_Filter_AppliedToRelativePaths()
    {
        _root.Write("SN1/a.WAV", [1]);
        _root.Write("SN1/a.JPG", [1]);

        var files = await ScanAsync(new ScanOptions { Filter = new PathFilter(["*.WAV"], []) });

        Assert.Equal(["SN1/a.WAV"], files.Select(f => f.RelativePath));
    }

    [Fact]
    public async Task ScanAsync_FolderOfManyChunks_YieldsEveryFileInOrdinalOrderWithItsSizeAndTime()
    {
        // 300 entries are read in chunks on several threads; what comes out must be what one thread would yield.
        var expected = new List<(string Path, long Size, long Ticks)>();
        for (var i = 0; i < 300; i++)
        {
            var name = $"F{(i * 7919) % 1000:D4}.dat";
            _root.Write(name, new byte[i]);
            File.SetLastWriteTimeUtc(_root.Combine(name), new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i));
            var info = new FileInfo(_root.Combine(name));
            expected.Add((name, info.Length, info.LastWriteTimeUtc.Ticks));
        }

        _root.Write("sub/inner.dat", [1, 2]);
        using (var mkfifo = Process.Start("mkfifo", _root.Combine("F0500.pipe")))
        {
            await mkfifo.WaitForExitAsync();
        }

        File.CreateSymbolicLink(_root.Combine("F0100.link"), "/etc/hostname");
        var skipped = new List<SkippedEntry>();

        var files = await ScanAsync(new ScanOptions { OnSkipped = skipped.Add });

        Assert.Equal([.. expected.OrderBy(e => e.Path, StringComparer.Ordinal).Select(e => e.Path), "sub/inner.dat"], files.Select(f => f.RelativePath));
        Assert.Equal(expected.OrderBy(e => e.Path, StringComparer.Ordinal).Select(e => (e.Size, e.Ticks)), files.SkipLast(1).Select(f => (f.Size, f.LastWriteTicks)));
        Assert.Equal(["F0100.link", "F0500.pipe"], skipped.Select(s => s.RelativePath));
    }

    [Fact]
    public async Task ScanBatchesAsync_FolderOfManyChunks_AChunkPerBatchNeverTwoFoldersEveryFileInOrder()
    {
        for (var i = 0; i < 100; i++)
        {
            _root.Write($"F{i:D3}.dat", [1]);
        }

        _root.Write("sub/inner.dat", [2]);
        var batches = new List<IReadOnlyList<SourceFile>>();

        await foreach (var batch in new SourceScanner(_root.Path, new ScanOptions()).ScanBatchesAsync(CancellationToken.None))
        {
            batches.Add(batch);
        }

        // Chunks of the folder's 100 files, then the subfolder's one on its own: a batch never spans two folders.
        Assert.Equal([FolderEntryProber.ChunkSize, FolderEntryProber.ChunkSize, FolderEntryProber.ChunkSize, 100 - (3 * FolderEntryProber.ChunkSize), 1], batches.Select(b => b.Count));
        Assert.Equal([.. Enumerable.Range(0, 100).Select(i => $"F{i:D3}.dat"), "sub/inner.dat"], batches.SelectMany(b => b).Select(f => f.RelativePath));
    }

    [Fact]
    public async Task ScanAsync_ReaderStopsInsideABigFolder_GetsTheFirstFilesInOrderAndTheScanEnds()
    {
        for (var i = 0; i < 500; i++)
        {
            _root.Write($"many/{i:D4}.dat", [1]);
        }

        var taken = new List<string>();
        async Task TakeFortyAsync()
        {
            await foreach (var file in new SourceScanner(_root.Path, new ScanOptions()).ScanAsync(CancellationToken.None))
            {
                taken.Add(file.RelativePath);
                if (taken.Count == 40)
                {
                    break;
                }
            }
        }

        // A hang guard, not a timing check: stopping must not wait for anything that never comes.
        await TakeFortyAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"many/{i:D4}.dat"), taken);
    }

    [Fact]
    public async Task ScanAsync_CancelledInsideABigFolder_ThrowsBeforeTheFolderEnds()
    {
        for (var i = 0; i < 500; i++)
        {
            _root.Write($"many/{i:D4}.dat", [1]);
        }

        using var cancel = new CancellationTokenSource();
        var taken = 0;
        async Task ScanUntilCancelledAsync()
        {
            await foreach (var file in new SourceScanner(_root.Path, new ScanOptions()).ScanAsync(cancel.Token))
            {
                if (++taken == 40)
                {
                    await cancel.CancelAsync();
                }
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ScanUntilCancelledAsync().WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.True(taken < 500);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task ScanAsync_ExcludedFolderSpelledRelativeOrWithTrailingSlash_NeverEntered(bool relative, bool trailingSlash)
    {
        _root.Write("a.txt", [1]);
        _root.Write("archive/old.txt", [1]);
        _root.Write("archive-2/kept.txt", [1]);
        var excluded = relative ? Path.GetRelativePath(Environment.CurrentDirectory, _root.Combine("archive")) : _root.Combine("archive");

        var files = await ScanAsync(new ScanOptions { ExcludedPath = trailingSlash ? excluded + "/" : excluded });

        Assert.Equal(["a.txt", "archive-2/kept.txt"], files.Select(f => f.RelativePath));
    }

    private async Task<List<SourceFile>> ScanAsync(ScanOptions options)
    {
        var files = new List<SourceFile>();
        await foreach (var file in new SourceScanner(_root.Path, options).ScanAsync(CancellationToken.None))
        {
            files.Add(file);
        }

        return files;
    }
}
