using Ferry.Core.Storage;
using Ferry.Core.Transfer;
using Ferry.Testing;

namespace Ferry.Core.Tests.Storage;

public sealed class ScanOrderTests : IDisposable
{
    private readonly TempDirectory _root = new("scan-order");

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("b/z", "b/a/x")]
    [InlineData("a/x", "a-b/x")]
    [InlineData("a/x", "a.b/x")]
    [InlineData("a", "a-b")]
    [InlineData("x/A", "x/a")]
    [InlineData("top.txt", "a/deep.txt")]
    [InlineData("p/F/zzz", "p/F/aaa/x")]
    public void Compare_PathEarlierInScan_NegativeAndPositiveWhenSwapped(string first, string second)
    {
        Assert.True(ScanOrder.Compare(first, second) < 0);
        Assert.True(ScanOrder.Compare(second, first) > 0);
    }

    [Fact]
    public void Compare_SamePath_Zero()
    {
        Assert.Equal(0, ScanOrder.Compare("a/b/c.txt", "a/b/c.txt"));
    }

    [Fact]
    public async Task Compare_PathsOfATree_SortsThemAsTheScannerFindsThem()
    {
        // Linux keeps names as given (case, composed and decomposed forms): each path here is a file of its own.
        var paths = new[]
        {
            "a-b/x", "a.b/x", "a/x", "a/b-c", "a/b/c", "a/b/a/deep", "A/x", "B", "b/z", "b/a/x", "b/a-", "b-/q", "a0",
            "unicode-ü/x", "unicode-u\u0308/x", "z", "zz/0", "_/1", "~/2",
        };
        foreach (var path in paths)
        {
            _root.Write(path, [1]);
        }

        var sut = Comparer<string>.Create(ScanOrder.Compare);

        var sorted = paths.Order(sut).ToList();

        var found = new List<string>();
        await foreach (var file in new SourceScanner(_root.Path, new ScanOptions()).ScanAsync(CancellationToken.None))
        {
            found.Add(file.RelativePath);
        }

        Assert.Equal(sorted, found);
    }
}
