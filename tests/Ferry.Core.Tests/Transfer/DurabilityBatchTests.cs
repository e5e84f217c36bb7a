using System.Collections.Concurrent;
using Ferry.Core.Journal;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;
using Ferry.Testing;
using Microsoft.Data.Sqlite;

namespace Ferry.Core.Tests.Transfer;

/// <summary>
/// Uploads into a local folder flush in batches (one syncfs per batch, not an fsync per file), and still journal a file
/// and remove its source only after a flush that covers its copy. A watching store around the real
/// <see cref="LocalDirectoryStore"/> checks, at every flush, that nothing it covers was journaled or moved before it.
/// </summary>
public sealed class DurabilityBatchTests : IDisposable
{
    private readonly TempDirectory _work = new("durability");

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Move_ToLocalFolder_SourceRemovedAndJournaledOnlyAfterAFlushCoveringItsCopy_FewerFlushesThanFiles()
    {
        var source = WriteFiles(300);
        var journalPath = _work.Combine("journal.db");
        using var journal = TransferJournal.Open(journalPath);
        var store = new WatchingStore(new LocalDirectoryStore(_work.Combine("dst")), source, journalPath);
        var reports = new ReportWatcher(store);

        var summary = await new UploadEngine(journal).RunAsync(new UploadRequest(source, store, "p/"), new UploadOptions { Move = true }, new TransferProgress(), reports, CancellationToken.None);

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(300, summary.Counts.FilesMoved);
        Assert.Equal(300, reports.Uploaded);
        Assert.Empty(store.Violations);
        Assert.Empty(reports.Violations);
        Assert.Empty(store.Unflushed);
        Assert.True(store.DeferredWrites == 300, $"{store.DeferredWrites} of 300 writes were deferred");
        Assert.InRange(store.Flushes, 1, 299);
        Assert.Empty(Directory.GetFiles(source, "*", SearchOption.AllDirectories));
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(TestData.Bytes(10, i), File.ReadAllBytes(_work.Combine("dst", "p", $"S{i % 3}", $"f{i:D3}.bin")));
        }
    }

    [Fact]
    public async Task Move_FlushFails_FilesFailUnmovedAndUnjournaled_NextRunFindsThemThereAndMovesThem()
    {
        var source = WriteFiles(20);
        var journalPath = _work.Combine("journal.db");
        using var journal = TransferJournal.Open(journalPath);
        var failing = new WatchingStore(new LocalDirectoryStore(_work.Combine("dst")), source, journalPath) { FlushFailure = "the disk did not confirm the write" };
        var engine = new UploadEngine(journal);

        var first = await engine.RunAsync(new UploadRequest(source, failing, "p/"), new UploadOptions { Move = true }, new TransferProgress(), null, CancellationToken.None);
        var journaledAfterFirst = Enumerable.Range(0, 20).Count(i => journal.FindObject(failing.Identity, $"p/S{i % 3}/f{i:D3}.bin") is not null);
        var sourcesAfterFirst = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Length;
        var working = new WatchingStore(new LocalDirectoryStore(_work.Combine("dst")), source, journalPath);
        var second = await engine.RunAsync(new UploadRequest(source, working, "p/"), new UploadOptions { Move = true }, new TransferProgress(), null, CancellationToken.None);

        Assert.Equal(TransferOutcome.CompletedWithFailures, first.Outcome);
        Assert.Equal(20, first.Counts.FilesFailed);
        Assert.Equal(0, first.Counts.FilesMoved);
        Assert.All(first.Failures, f => Assert.Equal("written but not confirmed on disk: the disk did not confirm the write", f.Reason));
        Assert.Equal(0, journaledAfterFirst);
        Assert.Equal(20, sourcesAfterFirst);

        Assert.Equal(TransferOutcome.Completed, second.Outcome);
        Assert.Equal(0, second.Counts.FilesTransferred); // the copies were there: found, flushed, then moved
        Assert.Equal(20, second.Counts.FilesPresent);
        Assert.Equal(20, second.Counts.FilesMoved);
        Assert.Empty(working.Violations);
        Assert.Empty(Directory.GetFiles(source, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task LocalDirectoryStore_DeferredWriteThenFlush_ObjectWholeAndNoTemporaryFileLeft()
    {
        var store = new LocalDirectoryStore(_work.Combine("dst"));
        var bytes = TestData.Bytes(5000, 9);

        var stored = await store.PutAsync("a/b.bin", new MemoryStream(bytes), bytes.Length, new ObjectWriteOptions(null, DeferDurability: true), CancellationToken.None);
        await store.MakeDurableAsync(CancellationToken.None);

        Assert.True(store.CanDeferDurability); // Linux: syncfs
        Assert.Equal(5000, stored.Size);
        Assert.Equal(bytes, File.ReadAllBytes(_work.Combine("dst", "a", "b.bin")));
        Assert.Equal(["b.bin"], Directory.GetFiles(_work.Combine("dst", "a")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task LocalDirectoryStore_FlushWithNoRootYet_DoesNothing()
    {
        var store = new LocalDirectoryStore(_work.Combine("not-created"));

        await store.MakeDurableAsync(CancellationToken.None);

        Assert.False(Directory.Exists(_work.Combine("not-created")));
    }

    [Fact]
    public async Task Move_FinishingOneFileThrows_ThatFileFailsAndStays_TheOthersAreMoved()
    {
        var source = WriteFiles(30);
        using var journal = TransferJournal.Open(_work.Combine("journal.db"));
        var store = new WatchingStore(new LocalDirectoryStore(_work.Combine("dst")), source, _work.Combine("journal.db"));
        var observer = new ThrowingObserver("p/S1/f004.bin");

        var summary = await new UploadEngine(journal).RunAsync(new UploadRequest(source, store, "p/"), new UploadOptions { Move = true }, new TransferProgress(), observer, CancellationToken.None);

        Assert.Equal(TransferOutcome.CompletedWithFailures, summary.Outcome);
        Assert.Equal("p/S1/f004.bin", Assert.Single(summary.Failures).Key);
        Assert.Equal(29, summary.Counts.FilesMoved);
        Assert.Equal([Path.Combine(source, "S1", "f004.bin")], Directory.GetFiles(source, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void FileSystemFlush_ExtFourHereAndNotProc_FlushesThroughADescriptorOpenedBefore()
    {
        var fd = FileSystemFlush.OpenForFlush(_work.Path);
        _work.Write("a.bin", [1, 2, 3]);

        FileSystemFlush.Flush(fd, _work.Path);

        Assert.True(FileSystemFlush.IsSupported); // 64-bit Linux 5.8 or later here
        Assert.True(FileSystemFlush.FlushesReliably(_work.Path)); // this machine's /tmp: ext4
        Assert.False(FileSystemFlush.FlushesReliably("/proc"));
        Assert.Throws<IOException>(() => FileSystemFlush.OpenForFlush(_work.Combine("missing")));
    }

    [Fact]
    public void FileSystemFlush_DeviceOf_SameForFoldersOfOneFileSystem_DifferentForProc()
    {
        Directory.CreateDirectory(_work.Combine("one", "two"));

        var root = FileSystemFlush.DeviceOf(_work.Path);
        var nested = FileSystemFlush.DeviceOf(_work.Combine("one", "two"));
        var proc = FileSystemFlush.DeviceOf("/proc");

        Assert.Equal(root, nested);
        Assert.NotEqual(root, proc);
        Assert.Throws<IOException>(() => FileSystemFlush.DeviceOf(_work.Combine("missing")));
    }

    [Fact]
    public async Task Batcher_ManyFilesAtOnce_FlushesAtMost2048PerBatchAndHandsEveryFileOnInOrder()
    {
        var barrier = new CountingBarrier();
        var batches = new List<int>();
        var handedOn = new List<int>();
        var batcher = new DurabilityBatcher<int>(barrier, (batch, failure) =>
        {
            Assert.Null(failure);
            Assert.Equal(batches.Count + 1, barrier.Flushes); // each batch after its own flush
            batches.Add(batch.Count);
            handedOn.AddRange(batch);
            return Task.CompletedTask;
        });

        for (var i = 0; i < 5000; i++)
        {
            await batcher.AddAsync(i, CancellationToken.None);
        }

        await batcher.CompleteAsync();

        Assert.Equal(Enumerable.Range(0, 5000), handedOn);
        Assert.All(batches, size => Assert.InRange(size, 1, DurabilityBatcher<int>.MaximumBatch));
        Assert.Equal(2048, DurabilityBatcher<int>.MaximumBatch);
    }

    [Fact]
    public async Task Batcher_OneFileAndNoMore_IsFlushedAndHandedOnWithoutWaitingForTheEndOfTheRun()
    {
        var barrier = new CountingBarrier();
        var handedOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var batcher = new DurabilityBatcher<int>(barrier, (batch, _) =>
        {
            handedOn.TrySetResult(batch.Single());
            return Task.CompletedTask;
        });

        await batcher.AddAsync(7, CancellationToken.None);
        var item = await handedOn.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the batch window (500 ms) closes on its own
        await batcher.CompleteAsync();

        Assert.Equal(7, item);
        Assert.Equal(1, barrier.Flushes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), DurabilityBatcher<int>.MaximumWait);
    }

    /// <summary>300 files of 10 bytes in three sensor folders.</summary>
    private string WriteFiles(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _work.Write($"src/S{i % 3}/f{i:D3}.bin", TestData.Bytes(10, i));
        }

        return _work.Combine("src");
    }

    /// <summary>An observer that throws when one key is reported uploaded (as a failing manifest disk would, in the same step).</summary>
    private sealed class ThrowingObserver(string key) : ITransferObserver
    {
        public void OnFileEvent(FileEvent fileEvent)
        {
            if (fileEvent.Outcome == FileOutcomes.Uploaded && fileEvent.Key == key)
            {
                throw new InvalidOperationException("the observer failed");
            }
        }

        public void OnRetry(string reason)
        {
        }
    }

    /// <summary>A barrier that only counts its flushes.</summary>
    private sealed class CountingBarrier : IDurabilityBarrier
    {
        private int _flushes;

        public int Flushes => _flushes;

        public bool CanDeferDurability => true;

        public Task MakeDurableAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _flushes);
            return Task.CompletedTask;
        }
    }

    /// <summary>Records a violation when a file is reported uploaded while no flush has covered its copy yet.</summary>
    private sealed class ReportWatcher(WatchingStore store) : ITransferObserver
    {
        private readonly ConcurrentQueue<string> _violations = new();
        private int _uploaded;

        public IReadOnlyCollection<string> Violations => _violations;

        public int Uploaded => _uploaded;

        public void OnFileEvent(FileEvent fileEvent)
        {
            if (fileEvent.Outcome == FileOutcomes.Uploaded)
            {
                Interlocked.Increment(ref _uploaded);
                if (store.Unflushed.Contains(fileEvent.Key!))
                {
                    _violations.Enqueue($"{fileEvent.Key}: reported uploaded before a flush covered it");
                }
            }
        }

        public void OnRetry(string reason)
        {
        }
    }

    /// <summary>
    /// The real local store, watched: every write that returned since the last flush is "unflushed"; when a flush
    /// starts, each of those must still have its source and no journal row (else a violation is recorded).
    /// </summary>
    private sealed class WatchingStore(LocalDirectoryStore inner, string source, string journalPath) : IObjectStore, IDurabilityBarrier
    {
        private readonly ConcurrentDictionary<string, byte> _unflushed = new();
        private readonly ConcurrentQueue<string> _violations = new();
        private int _deferred;
        private int _flushes;

        public string? FlushFailure { get; init; }

        public IReadOnlyCollection<string> Violations => _violations;

        public IReadOnlyCollection<string> Unflushed => (IReadOnlyCollection<string>)_unflushed.Keys;

        public int DeferredWrites => _deferred;

        public int Flushes => _flushes;

        public string Description => inner.Description;

        public string Identity => inner.Identity;

        public bool CanDeferDurability => inner.CanDeferDurability;

        public async Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken)
        {
            var stored = await inner.PutAsync(key, content, length, options, cancellationToken);
            if (options.DeferDurability)
            {
                Interlocked.Increment(ref _deferred);
            }

            _unflushed[key] = 0;
            return stored;
        }

        public async Task MakeDurableAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _flushes);
            var covered = _unflushed.Keys.ToArray();
            using var journal = new SqliteConnection($"Data Source={journalPath};Mode=ReadOnly");
            journal.Open();
            using var query = journal.CreateCommand();
            query.CommandText = "SELECT COUNT(*) FROM objects WHERE destination = $d AND key = $k";
            query.Parameters.AddWithValue("$d", Identity);
            var keyParameter = query.Parameters.AddWithValue("$k", "");
            foreach (var key in covered)
            {
                if (!File.Exists(Path.Combine(source, key["p/".Length..])))
                {
                    _violations.Enqueue($"{key}: its source was removed before a flush covered it");
                }

                keyParameter.Value = key;
                if ((long)query.ExecuteScalar()! != 0)
                {
                    _violations.Enqueue($"{key}: journaled before a flush covered it");
                }
            }

            if (FlushFailure is { } failure)
            {
                throw new StoreException(StoreErrorKind.LocalStorage, failure);
            }

            await inner.MakeDurableAsync(cancellationToken);
            foreach (var key in covered)
            {
                _unflushed.TryRemove(key, out _);
            }
        }

        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);

        public Task<ObjectContent> ReadAsync(string key, long offset, long? length, CancellationToken cancellationToken) => inner.ReadAsync(key, offset, length, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public Task CheckAccessAsync(CancellationToken cancellationToken) => inner.CheckAccessAsync(cancellationToken);
    }
}
