using Ferry.Core.Hashing;
using Ferry.Core.Storage;
using Xunit;

namespace Ferry.Testing;

/// <summary>
/// The write half of the store contract: what every writable store (<see cref="IWritableObjectStore"/>) passes, whether
/// it can also read and delete (<see cref="ObjectStoreContractTests"/> adds those facts) or only write — an upload
/// session on a Ferry server. A concrete subclass supplies a fresh, empty store for each test. A store that must know
/// its writes in advance (a session registers each file with its size) gets them in <see cref="CreateWritableStoreAsync"/>;
/// one whose keys live under a prefix of its own says so in <see cref="Key"/>.
/// </summary>
public abstract class WritableObjectStoreContractTests
{
    /// <summary>
    /// A new, empty store that no other test uses, ready to take <paramref name="writes"/> (names as given to
    /// <see cref="Key"/>, and sizes in bytes) — the only writes the test will make.
    /// </summary>
    protected abstract Task<IWritableObjectStore> CreateWritableStoreAsync(IReadOnlyList<(string Name, long Size)> writes);

    /// <summary>The store's key for a test's object name (the name itself, unless the store writes under a prefix).</summary>
    protected virtual string Key(string name) => name;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(1_000_003)]
    public async Task PutAsync_ThenHead_ReportsSizeAndSha256(int size)
    {
        var content = TestData.Bytes(size, size);
        var sut = await CreateWritableStoreAsync([("a/b.bin", size)]);

        var put = await PutAsync(sut, Key("a/b.bin"), content);
        var head = await sut.HeadAsync(Key("a/b.bin"), CancellationToken.None);

        Assert.Equal(size, put.Size);
        Assert.NotNull(head);
        Assert.Equal(size, head.Size);
        Assert.Equal(ContentHashes.Sha256Hex(content), head.Sha256);
    }

    [Fact]
    public async Task HeadAsync_AfterPut_ReportsSizeAndSha256()
    {
        var sut = await CreateWritableStoreAsync([("x/y.dat", 5000)]);
        var content = TestData.Bytes(5000, 1);

        await PutAsync(sut, Key("x/y.dat"), content);
        var head = await sut.HeadAsync(Key("x/y.dat"), CancellationToken.None);

        Assert.NotNull(head);
        Assert.Equal(5000, head.Size);
        Assert.Equal(ContentHashes.Sha256Hex(content), head.Sha256);
    }

    [Fact]
    public async Task HeadAsync_MissingKey_ReturnsNull()
    {
        var sut = await CreateWritableStoreAsync([]);

        Assert.Null(await sut.HeadAsync(Key("nothing/here"), CancellationToken.None));
    }

    [Fact]
    public async Task ListAsync_Prefix_ReturnsOnlyKeysUnderIt()
    {
        string[] names = ["C1/SN1/a.wav", "C1/SN2/b.wav", "C10/SN1/c.wav", "C2/d.wav", "top.txt"];
        var sut = await CreateWritableStoreAsync(names.Select(n => (n, 3L)).ToList());
        foreach (var name in names)
        {
            await PutAsync(sut, Key(name), [1, 2, 3]);
        }

        Assert.Equal([Key("C1/SN1/a.wav"), Key("C1/SN2/b.wav")], (await ListAsync(sut, Key("C1/"))).Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.Equal([Key("C1/SN1/a.wav"), Key("C1/SN2/b.wav"), Key("C10/SN1/c.wav")], (await ListAsync(sut, Key("C1"))).Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.Equal(5, (await ListAsync(sut, Key(""))).Count);
        Assert.All(await ListAsync(sut, Key("")), o => Assert.Equal(3, o.Size));
    }

    [Fact]
    public async Task CheckAccessAsync_ExistingContainer_Succeeds()
    {
        var sut = await CreateWritableStoreAsync([]);

        await sut.CheckAccessAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Multipart_PartsSentOutOfOrder_CompleteStoresWholeSizeAndSha256()
    {
        var probe = await CreateWritableStoreAsync([]);
        if (probe is not IMultipartObjectStore { MinimumPartSize: var partSize })
        {
            return; // The capability is optional; stores without it are covered by the facts above.
        }

        var part1 = TestData.Bytes((int)partSize, 11);
        var part2 = TestData.Bytes(1234, 12);
        var whole = part1.Concat(part2).ToArray();
        var sut = await CreateWritableStoreAsync([("mp/whole.bin", whole.Length)]);
        var multipart = (IMultipartObjectStore)sut;
        var key = Key("mp/whole.bin");
        var uploadId = await multipart.StartMultipartAsync(key, new ObjectWriteOptions(ContentHashes.Sha256Hex(whole)), CancellationToken.None);
        var stored2 = await multipart.UploadPartAsync(key, uploadId, 2, part2, Md5(part2), CancellationToken.None);
        var stored1 = await multipart.UploadPartAsync(key, uploadId, 1, part1, Md5(part1), CancellationToken.None);

        var completed = await multipart.CompleteMultipartAsync(key, uploadId, [stored2, stored1], CancellationToken.None);

        Assert.Equal(ContentHashes.Md5Hex(part1), stored1.ETag);
        Assert.Equal(whole.Length, completed.Size);
        var head = await sut.HeadAsync(key, CancellationToken.None);
        Assert.Equal(whole.Length, head!.Size);
        Assert.Equal(ContentHashes.Sha256Hex(whole), head.Sha256);
    }

    protected static async Task<StoredObject> PutAsync(IWritableObjectStore store, string key, byte[] content)
    {
        using var stream = new ReadOnlyMemoryStream(content);
        var md5 = ContentHashes.Md5Hex(content);
        return await store.PutAsync(key, stream, content.Length, new ObjectWriteOptions(ContentHashes.Sha256Hex(content), ContentHashes.Md5Base64(md5)), CancellationToken.None);
    }

    protected static async Task<List<StoredObject>> ListAsync(IListableObjectStore store, string prefix)
    {
        var list = new List<StoredObject>();
        await foreach (var o in store.ListAsync(prefix, CancellationToken.None))
        {
            list.Add(o);
        }

        return list;
    }

    protected static string Md5(byte[] content) => ContentHashes.Md5Base64(ContentHashes.Md5Hex(content));
}
