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
    public async Task PutAsync_DeferredOrFlushedAtOnce_ReturnsTheETagAndTimeThatAListingAndALookUpGive(bool defer)
    {
        var store = new LocalDirectoryStore(_root.Path);
        var bytes = TestData.Bytes(3000, 4);

        var stored = await store.PutAsync("S1/SN7/a.wav", new MemoryStream(bytes), bytes.Length, new ObjectWriteOptions(null, DeferDurability: defer), CancellationToken.None);
        await store.MakeDurableAsync(CancellationToken.None);

        var listed = new List<StoredObject>();
        await foreach (var item in store.ListAsync("", CancellationToken.None))
        {
            listed.Add(item);
        }

        var head = await store.HeadAsync("S1/SN7/a.wav", CancellationToken.None);
        Assert.Equal(stored.ETag, Assert.Single(listed).ETag);
        Assert.Equal(stored.ETag, head!.ETag);
        Assert.Equal(stored.LastModified, head.LastModified);
        Assert.Equal(3000, stored.Size);
    }

    [Fact]
    public async Task PutAsync_IntoAFolderADeleteHasRemovedSince_CreatesTheFolderAgain()
    {
        var store = new LocalDirectoryStore(_root.Path);
        var options = new ObjectWriteOptions(null, DeferDurability: true);
        await store.PutAsync("S1/SN7/a.wav", new MemoryStream([1, 2]), 2, options, CancellationToken.None);

        await store.DeleteAsync("S1/SN7/a.wav", CancellationToken.None);
        Assert.False(Directory.Exists(_root.Combine("S1"))); // the delete pruned the folders the first write made
        await store.PutAsync("S1/SN7/b.wav", new MemoryStream([3]), 1, options, CancellationToken.None);

        Assert.Equal(["b.wav"], Directory.GetFiles(_root.Combine("S1", "SN7")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task PutAsync_ManyAtOnceIntoOneFolder_EachFileWholeAndNoTemporaryFileLeft()
    {
        var store = new LocalDirectoryStore(_root.Path);

        await Parallel.ForAsync(0, 300, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var bytes = TestData.Bytes(i, i);
            await store.PutAsync($"S1/f{i:D3}.bin", new MemoryStream(bytes), bytes.Length, new ObjectWriteOptions(null, DeferDurability: i % 2 == 0), ct);
        });
        await store.MakeDurableAsync(CancellationToken.None);

        var names = Directory.GetFiles(_root.Combine("S1")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"f{i:D3}.bin"), names);
        Assert.All(Enumerable.Range(0, 300), i => Assert.Equal(TestData.Bytes(i, i), File.ReadAllBytes(_root.Combine("S1", $"f{i:D3}.bin"))));
    }
}
