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
