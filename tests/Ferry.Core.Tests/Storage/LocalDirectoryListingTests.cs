using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Core.Tests.Storage;

/// <summary>The listing of a local folder, which reads its folders on several threads at once.</summary>
public sealed class LocalDirectoryListingTests : IDisposable
{
    private readonly TempDirectory _root = new("local-listing");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task ListAsync_ManyNestedFolders_ListsEveryFileOnceWithTheETagALookUpGives()
    {
        var expected = new List<string>();
        for (var site = 0; site < 6; site++)
        {
            for (var sensor = 0; sensor < 8; sensor++)
            {
                for (var file = 0; file < 25; file++)
                {
                    var key = $"S{site}/SN{sensor}/deep/{file:D3}.wav";
                    _root.Write(key, new byte[file]);
                    expected.Add(key);
                }
            }
        }

        _root.Write(".hidden", [1]);
        expected.Add(".hidden");
        var store = new LocalDirectoryStore(_root.Path);

        var listed = await ListAsync(store, "");

        Assert.Equal(expected.Order(StringComparer.Ordinal), listed.Select(o => o.Key).Order(StringComparer.Ordinal));
        foreach (var item in listed.Where((_, i) => i % 37 == 0))
        {
            var head = await store.HeadAsync(item.Key, CancellationToken.None);
            Assert.Equal((head!.Size, head.ETag), (item.Size, item.ETag));
        }
    }

    [Fact]
    public async Task ListAsync_LinksAndTemporaryFiles_NotListed()
    {
        _root.Write("a/kept.txt", [1]);
        _root.Write("a/" + LocalDirectoryStore.TemporaryFilePrefix + "0123", [1]);
        _root.Write("elsewhere/secret.txt", [1]);
        File.CreateSymbolicLink(_root.Combine("a", "file-link"), _root.Combine("elsewhere", "secret.txt"));
        Directory.CreateSymbolicLink(_root.Combine("a", "folder-link"), _root.Combine("elsewhere"));
        var store = new LocalDirectoryStore(_root.Path);

        var listed = await ListAsync(store, "a/");

        Assert.Equal(["a/kept.txt"], listed.Select(o => o.Key));
    }

    [Fact]
    public async Task ListAsync_ReaderDeletesEachObjectAsItIsListed_ListsEveryObject()
    {
        // A donor's erasure deletes while it lists, and each delete prunes the folders it empties.
        for (var i = 0; i < 200; i++)
        {
            _root.Write($"donor/{i % 20:D2}/{i:D3}.jsonl.gz", [1]);
        }

        var store = new LocalDirectoryStore(_root.Path);
        var deleted = 0;

        await foreach (var item in store.ListAsync("donor/", CancellationToken.None))
        {
            await store.DeleteAsync(item.Key, CancellationToken.None);
            deleted++;
        }

        Assert.Equal(200, deleted);
        Assert.False(Directory.Exists(_root.Combine("donor")));
    }

    [Fact]
    public async Task ListAsync_FoldersDeletedDuringTheWalk_ListsTheRestWithoutError()
    {
        for (var i = 0; i < 4000; i++)
        {
            _root.Write($"keep{i % 40:D2}/{i:D4}.dat", [1]);
            _root.Write($"gone{i % 200:D3}/{i:D4}.dat", [1]);
        }

        var store = new LocalDirectoryStore(_root.Path);
        var listed = new List<string>();

        await foreach (var item in store.ListAsync("", CancellationToken.None))
        {
            if (listed.Count == 0)
            {
                // Some of these folders are queued, some being read, some done: each lists all, some or none of its files.
                foreach (var folder in Directory.GetDirectories(_root.Path, "gone*"))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            listed.Add(item.Key);
        }

        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 4000).Select(i => $"keep{i % 40:D2}/{i:D4}.dat").Order(StringComparer.Ordinal),
            listed.Where(k => k.StartsWith("keep", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListAsync_ReaderStopsAfterTheFirstObject_ReturnsAndTheNextListingIsWhole()
    {
        for (var i = 0; i < 2000; i++)
        {
            _root.Write($"{i % 50:D2}/{i:D4}.dat", [1]);
        }

        var store = new LocalDirectoryStore(_root.Path);
        StoredObject? first = null;
        async Task TakeFirstAsync()
        {
            await foreach (var item in store.ListAsync("", CancellationToken.None))
            {
                first = item;
                break;
            }
        }

        // A hang guard, not a timing check: stopping must not wait for anything that never comes.
        await TakeFirstAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.NotNull(first);
        Assert.Equal(2000, (await ListAsync(store, "")).Count);
    }

    [Fact]
    public async Task ListAsync_CancelledByTheCaller_ThrowsInsteadOfEndingEarly()
    {
        for (var i = 0; i < 2000; i++)
        {
            _root.Write($"{i % 50:D2}/{i:D4}.dat", [1]);
        }

        var store = new LocalDirectoryStore(_root.Path);
        using var cancel = new CancellationTokenSource();
        var listed = 0;

        async Task ListUntilCancelledAsync()
        {
            await foreach (var item in store.ListAsync("", cancel.Token))
            {
                if (++listed == 1)
                {
                    await cancel.CancelAsync();
                }
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ListUntilCancelledAsync().WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.True(listed < 2000);
    }

    [Fact]
    public async Task PutAsync_KeyNamedLikeATemporaryFile_RefusedAndNothingWritten()
    {
        // Stored, it would never be listed (listings skip Ferry's temporary files), so every run would copy it again.
        var store = new LocalDirectoryStore(_root.Path);
        var key = "SN1/" + LocalDirectoryStore.TemporaryFilePrefix + "field-note.txt";

        var refused = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync(key, new MemoryStream([1, 2, 3]), 3, new ObjectWriteOptions(null), CancellationToken.None));

        Assert.Contains("temporary files", refused.Message);
        Assert.False(File.Exists(_root.Combine("SN1", LocalDirectoryStore.TemporaryFilePrefix + "field-note.txt")));
    }

    [Fact]
    public async Task ListInScanOrderAsync_TreeWithTemporaryFilesAndLinks_ListsWhatListAsyncDoesInScanOrder()
    {
        foreach (var key in new[] { "p/z.wav", "p/a/1.wav", "p/a-b/2.wav", "p/a/sub/3.wav", "p/b/4.wav", "q/outside.wav", "p-other/5.wav" })
        {
            _root.Write(key, new byte[key.Length]);
        }

        _root.Write("p/a/" + LocalDirectoryStore.TemporaryFilePrefix + "0123", [1]);
        File.CreateSymbolicLink(_root.Combine("p", "link.wav"), _root.Combine("q", "outside.wav"));
        var sut = new LocalDirectoryStore(_root.Path);

        var ordered = new List<StoredObject>();
        await foreach (var item in sut.ListInScanOrderAsync("p", CancellationToken.None))
        {
            ordered.Add(item);
        }

        var flat = await ListAsync(sut, "p/");
        Assert.Equal(["p/z.wav", "p/a/1.wav", "p/a/sub/3.wav", "p/a-b/2.wav", "p/b/4.wav"], ordered.Select(o => o.Key));
        Assert.Equal(flat.OrderBy(o => o.Key, StringComparer.Ordinal), ordered.OrderBy(o => o.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListInScanOrderAsync_MissingFolder_ListsNothing()
    {
        var sut = new LocalDirectoryStore(_root.Path);

        await foreach (var item in sut.ListInScanOrderAsync("not/there", CancellationToken.None))
        {
            Assert.Fail($"listed {item.Key}");
        }
    }

    [Fact]
    public async Task ListInScanOrderAsync_FolderRemovedDuringTheWalk_ListsTheRest()
    {
        foreach (var key in new[] { "a/1", "a/2", "b/1", "b/2", "c/1" })
        {
            _root.Write(key, [1]);
        }

        var sut = new LocalDirectoryStore(_root.Path);

        var listed = new List<string>();
        await foreach (var item in sut.ListInScanOrderAsync("", CancellationToken.None))
        {
            listed.Add(item.Key);
            if (item.Key == "a/1")
            {
                Directory.Delete(_root.Combine("b"), recursive: true);
            }
        }

        Assert.Equal(["a/1", "a/2", "c/1"], listed);
    }

    private static async Task<List<StoredObject>> ListAsync(LocalDirectoryStore store, string prefix)
    {
        var listed = new List<StoredObject>();
        await foreach (var item in store.ListAsync(prefix, CancellationToken.None))
        {
            listed.Add(item);
        }

        return listed;
    }
}
