using Ferry.Core.Hashing;
using Ferry.Core.Storage;
using Xunit;

namespace Ferry.Testing;

/// <summary>
/// The conformance suite every full store passes (rclone's fstests idea): a concrete subclass supplies a
/// fresh, empty store for each test and inherits every fact below, and the write half's
/// (<see cref="WritableObjectStoreContractTests"/>).
/// </summary>
public abstract class ObjectStoreContractTests : WritableObjectStoreContractTests
{
    /// <summary>A new, empty store that no other test uses.</summary>
    protected abstract Task<IObjectStore> CreateStoreAsync();

    /// <summary>A full store takes any write: the planned writes are not needed.</summary>
    protected sealed override async Task<IWritableObjectStore> CreateWritableStoreAsync(IReadOnlyList<(string Name, long Size)> writes) => await CreateStoreAsync();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(1_000_003)]
    public async Task PutAsync_ThenOpenRead_ReturnsSameBytes(int size)
    {
        var sut = await CreateStoreAsync();
        var content = TestData.Bytes(size, size);

        await PutAsync(sut, "a/b.bin", content);

        Assert.Equal(content, await ReadAsync(sut, "a/b.bin"));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(0, 10)]
    [InlineData(4000, null)]
    [InlineData(4000, 96)]
    [InlineData(1234, 1000)]
    public async Task ReadAsync_Range_ReturnsThoseBytesAndWholeObjectSize(long offset, int? length)
    {
        var sut = await CreateStoreAsync();
        var content = TestData.Bytes(4096, 3);
        await PutAsync(sut, "r/ranged.bin", content);

        await using var read = await sut.ReadAsync("r/ranged.bin", offset, length, CancellationToken.None);
        using var copy = new MemoryStream();
        await read.Content.CopyToAsync(copy);

        Assert.Equal(content.Skip((int)offset).Take(length ?? int.MaxValue).ToArray(), copy.ToArray());
        Assert.Equal(4096, read.Object.Size);
    }

    [Fact]
    public async Task ReadAsync_MissingKey_ThrowsNotFound()
    {
        var sut = await CreateStoreAsync();

        var error = await Assert.ThrowsAsync<StoreException>(() => sut.ReadAsync("nothing/here", 0, null, CancellationToken.None));

        Assert.Equal(StoreErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task OpenReadAsync_MissingKey_ThrowsNotFound()
    {
        var sut = await CreateStoreAsync();

        var error = await Assert.ThrowsAsync<StoreException>(() => sut.OpenReadAsync("nothing/here", CancellationToken.None));

        Assert.Equal(StoreErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task PutAsync_HostileNames_ListAndReadBackUnchanged()
    {
        var sut = await CreateStoreAsync();
        var expected = new Dictionary<string, byte[]>();
        foreach (var (name, i) in TestData.HostileNames.Select((n, i) => (n, i)))
        {
            var key = "p/" + name;
            expected[key] = TestData.Bytes(100 + i, i);
            await PutAsync(sut, key, expected[key]);
        }

        var listed = await ListAsync(sut, "p/");

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), listed.Select(o => o.Key).Order(StringComparer.Ordinal));
        foreach (var (key, content) in expected)
        {
            Assert.Equal(content, await ReadAsync(sut, key));
        }
    }

    [Fact]
    public async Task ListAsync_MoreThanOnePage_ReturnsEveryKey()
    {
        var sut = await CreateStoreAsync();
        const int count = 1050;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            await PutAsync(sut, $"many/{i:D5}.txt", [(byte)i]);
        });

        var listed = await ListAsync(sut, "many/");

        Assert.Equal(count, listed.Select(o => o.Key).Distinct().Count());
    }

    [Fact]
    public async Task PutAsync_ExistingKey_ReplacesContent()
    {
        var sut = await CreateStoreAsync();
        await PutAsync(sut, "k", [1, 1, 1, 1]);

        await PutAsync(sut, "k", [2, 2]);

        Assert.Equal([2, 2], await ReadAsync(sut, "k"));
        Assert.Single(await ListAsync(sut, ""));
    }

    [Fact]
    public async Task DeleteAsync_ExistingAndMissingKeys_LeavesNothing()
    {
        var sut = await CreateStoreAsync();
        await PutAsync(sut, "d/1", [1]);

        await sut.DeleteAsync("d/1", CancellationToken.None);
        await sut.DeleteAsync("d/never-existed", CancellationToken.None);

        Assert.Empty(await ListAsync(sut, "d/"));
        Assert.Null(await sut.HeadAsync("d/1", CancellationToken.None));
    }

    [Fact]
    public async Task Multipart_PartsSentOutOfOrder_CompleteJoinsBytesInOrder()
    {
        var sut = await CreateStoreAsync();
        if (sut is not IMultipartObjectStore multipart)
        {
            return; // The capability is optional; stores without it are covered by the facts above.
        }

        var part1 = TestData.Bytes((int)multipart.MinimumPartSize, 11);
        var part2 = TestData.Bytes(1234, 12);
        var whole = part1.Concat(part2).ToArray();
        var uploadId = await multipart.StartMultipartAsync("mp/big.bin", new ObjectWriteOptions(ContentHashes.Sha256Hex(whole)), CancellationToken.None);
        var stored2 = await multipart.UploadPartAsync("mp/big.bin", uploadId, 2, part2, Md5(part2), CancellationToken.None);
        var stored1 = await multipart.UploadPartAsync("mp/big.bin", uploadId, 1, part1, Md5(part1), CancellationToken.None);

        await multipart.CompleteMultipartAsync("mp/big.bin", uploadId, [stored2, stored1], CancellationToken.None);

        Assert.Equal(ContentHashes.Md5Hex(part1), stored1.ETag);
        Assert.Equal(whole, await ReadAsync(sut, "mp/big.bin"));
        var head = await sut.HeadAsync("mp/big.bin", CancellationToken.None);
        Assert.Equal(ContentHashes.Sha256Hex(whole), head!.Sha256);
    }

    [Fact]
    public async Task ListPartsAsync_AfterTwoParts_ListsThemOrSaysNotSupported()
    {
        var sut = await CreateStoreAsync();
        if (sut is not IMultipartObjectStore multipart)
        {
            return;
        }

        var part1 = TestData.Bytes((int)multipart.MinimumPartSize, 21);
        var uploadId = await multipart.StartMultipartAsync("mp/listed.bin", new ObjectWriteOptions(null), CancellationToken.None);
        await multipart.UploadPartAsync("mp/listed.bin", uploadId, 1, part1, Md5(part1), CancellationToken.None);
        await multipart.UploadPartAsync("mp/listed.bin", uploadId, 2, new byte[7], Md5(new byte[7]), CancellationToken.None);

        var listed = new List<StoredPart>();
        try
        {
            await foreach (var part in multipart.ListPartsAsync("mp/listed.bin", uploadId, CancellationToken.None))
            {
                listed.Add(part);
            }
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotSupported)
        {
            // Allowed by the contract (s3rver has no ListParts); the engine then resumes from its journal.
            return;
        }

        Assert.Equal([1, 2], listed.Select(p => p.PartNumber).Order());
        Assert.Equal([part1.Length, 7], listed.OrderBy(p => p.PartNumber).Select(p => (int)p.Size));
        Assert.Equal(ContentHashes.Md5Hex(part1), listed.Single(p => p.PartNumber == 1).ETag);
    }

    [Fact]
    public async Task Multipart_Aborted_CannotBeCompletedOrAbortSaysNotSupported()
    {
        var sut = await CreateStoreAsync();
        if (sut is not IMultipartObjectStore multipart)
        {
            return;
        }

        var uploadId = await multipart.StartMultipartAsync("mp/aborted.bin", new ObjectWriteOptions(null), CancellationToken.None);
        await multipart.UploadPartAsync("mp/aborted.bin", uploadId, 1, new byte[10], Md5(new byte[10]), CancellationToken.None);

        try
        {
            await multipart.AbortMultipartAsync("mp/aborted.bin", uploadId, CancellationToken.None);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotSupported)
        {
            // Allowed by the contract (s3rver cannot abort); a lifecycle rule cleans up on real S3.
            return;
        }

        var error = await Assert.ThrowsAsync<StoreException>(() =>
            multipart.CompleteMultipartAsync("mp/aborted.bin", uploadId, [new StoredPart(1, 10, ContentHashes.Md5Hex(new byte[10]))], CancellationToken.None));
        Assert.Equal(StoreErrorKind.NotFound, error.Kind);
        Assert.Null(await sut.HeadAsync("mp/aborted.bin", CancellationToken.None));
    }

    protected static async Task<byte[]> ReadAsync(IObjectStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

}
