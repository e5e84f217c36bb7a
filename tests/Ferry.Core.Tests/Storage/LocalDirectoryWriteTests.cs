using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Core.Tests.Storage;

/// <summary>Writes into a local folder: what a write returns, and the folders and temporary files it leaves.</summary>
public sealed class LocalDirectoryWriteTests : IDisposable
{
    private readonly TempDirectory _root = new("local-write");

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PutAsync_DeferredOrNot_ReturnsTheETagAndTimeThatListAsyncAndHeadAsyncReturn(bool defer)
    {
        var sut = new LocalDirectoryStore(_root.Path);
        var bytes = TestData.Bytes(3000, 4);
        Assert.True(sut.CanDeferDurability); // Linux, a local file system: with defer, the write's time comes from its handle

        var stored = await sut.PutAsync("S1/SN7/a.wav", new MemoryStream(bytes), bytes.Length, new ObjectWriteOptions(null, DeferDurability: defer), CancellationToken.None);
        await sut.MakeDurableAsync(CancellationToken.None);

        var listed = new List<StoredObject>();
        await foreach (var item in sut.ListAsync("", CancellationToken.None))
        {
            listed.Add(item);
        }

        var head = await sut.HeadAsync("S1/SN7/a.wav", CancellationToken.None);
        Assert.Equal(stored.ETag, Assert.Single(listed).ETag);
        Assert.Equal(stored.ETag, head!.ETag);
        Assert.Equal(stored.LastModified, head.LastModified);
        Assert.Equal(3000, stored.Size);
    }

    [Fact]
    public async Task PutAsync_AfterADeletePrunedItsFolder_CreatesTheFolderAgain()
    {
        var sut = new LocalDirectoryStore(_root.Path);
        var options = new ObjectWriteOptions(null, DeferDurability: true);
        await sut.PutAsync("S1/SN7/a.wav", new MemoryStream([1, 2]), 2, options, CancellationToken.None);

        await sut.DeleteAsync("S1/SN7/a.wav", CancellationToken.None);
        Assert.False(Directory.Exists(_root.Combine("S1"))); // the delete pruned the folders the first write made
        await sut.PutAsync("S1/SN7/b.wav", new MemoryStream([3]), 1, options, CancellationToken.None);

        Assert.Equal(["b.wav"], Directory.GetFiles(_root.Combine("S1", "SN7")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task PutAsync_ManyAtOnceIntoOneFolder_EachFileWholeAndNoTemporaryFileLeft()
    {
        var sut = new LocalDirectoryStore(_root.Path);

        await Parallel.ForAsync(0, 300, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var bytes = TestData.Bytes(i, i);
            await sut.PutAsync($"S1/f{i:D3}.bin", new MemoryStream(bytes), bytes.Length, new ObjectWriteOptions(null, DeferDurability: i % 2 == 0), ct);
        });
        await sut.MakeDurableAsync(CancellationToken.None);

        var names = Directory.GetFiles(_root.Combine("S1")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"f{i:D3}.bin"), names);
        Assert.All(Enumerable.Range(0, 300), i => Assert.Equal(TestData.Bytes(i, i), File.ReadAllBytes(_root.Combine("S1", $"f{i:D3}.bin"))));
    }
}
