using Ferry.Core.Journal;
using Ferry.Core.Tests.Journal;
using Ferry.Core.Storage;
using Ferry.Core.Transfer;
using Ferry.Testing;

namespace Ferry.Core.Tests.Transfer;

/// <summary>The engine with a local directory as destination (no multipart: large files are hashed, then streamed).</summary>
public sealed class LocalUploadTests : IDisposable
{
    private readonly TempDirectory _work = new("local-upload");

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task RunAsync_ToLocalDirectory_CopiesEveryFileAndRerunSkipsThem()
    {
        var source = _work.Combine("src");
        _work.Write("src/C1/SN1/a.WAV", TestData.Bytes(1000, 1));
        _work.Write("src/C1/SN1/big.bin", TestData.Bytes(7 * 1024 * 1024, 2));
        _work.Write("src/zero", []);
        var destination = _work.Combine("dst");

        var first = await RunAsync(source, destination);
        var second = await RunAsync(source, destination);

        Assert.Equal(TransferOutcome.Completed, first.Outcome);
        Assert.Equal(3, first.Counts.FilesTransferred);
        Assert.Equal(3, second.Counts.FilesPresent);
        foreach (var relative in new[] { "C1/SN1/a.WAV", "C1/SN1/big.bin", "zero" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, relative)), File.ReadAllBytes(Path.Combine(destination, "p", relative)));
        }

        Assert.Empty(Directory.GetFiles(destination, LocalDirectoryStore.TemporaryFilePrefix + "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task RunAsync_RerunWithNothingToDo_CountsTheFilesWithoutARowEach()
    {
        var source = _work.Combine("src");
        _work.Write("src/SN1/a.WAV", [1]);
        _work.Write("src/SN1/b.WAV", [2]);
        var changed = _work.Write("src/SN2/c.WAV", [3]);
        var destination = _work.Combine("dst");
        var first = await RunAsync(source, destination);
        File.SetLastWriteTimeUtc(changed, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var second = await RunAsync(source, destination);
        var third = await RunAsync(source, destination);

        using var journal = TransferJournal.Open(_work.Combine("journal.db"));
        Assert.Equal(3, journal.ReadSessionFiles(first.SessionId, FileOutcomes.Uploaded).Count());
        // The file whose time changed was checked against its copy: that check has its row; the two the journal proved have none.
        Assert.Equal(3, second.Counts.FilesPresent);
        Assert.Equal("SN2/c.WAV", Assert.Single(journal.ReadSessionFiles(second.SessionId, null)).Path);
        Assert.Equal(3, third.Counts.FilesPresent);
        Assert.Empty(journal.ReadSessionFiles(third.SessionId, null));
        Assert.Equal(3, journal.FindSession(third.SessionId)!.Counts.FilesPresent);
    }

    [Fact]
    public async Task RunAsync_RerunWithNamesWhoseScanOrderIsNotKeyOrder_FindsEveryCopyAndSendsOnlyTheDeletedOne()
    {
        // The destination is read beside the scan, in the scan's order; "a/x" comes before "a-b/x" there, not in key order.
        var source = _work.Combine("src");
        var names = new[] { "a/x", "a-b/x", "a.b/x", "a/sub/y", "a/z", "b/q", "top" };
        foreach (var name in names)
        {
            _work.Write("src/" + name, TestData.Bytes(10 + name.Length, name.Length));
        }

        var destination = _work.Combine("dst");
        await RunAsync(source, destination);
        File.Delete(Path.Combine(destination, "p", "a-b", "x"));

        var rerun = await RunAsync(source, destination);

        Assert.Equal(TransferOutcome.Completed, rerun.Outcome);
        Assert.Equal(1, rerun.Counts.FilesTransferred);
        Assert.Equal(names.Length - 1, rerun.Counts.FilesPresent);
        Assert.True(File.Exists(Path.Combine(destination, "p", "a-b", "x")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("p")]
    [InlineData("p/")]
    [InlineData("deep/er/p")]
    public async Task RunAsync_RerunUnderAnyPrefix_FindsEveryCopyThroughTheFolderWalk(string prefix)
    {
        var source = _work.Combine("src");
        foreach (var name in new[] { "a/x", "a-b/x", "top" })
        {
            _work.Write("src/" + name, [1, 2, 3]);
        }

        var store = new LocalDirectoryStore(_work.Combine("dst"));
        await RunAsync(source, store, prefix);

        var rerun = await RunAsync(source, store, prefix);

        Assert.Equal((0, 3), (rerun.Counts.FilesTransferred, rerun.Counts.FilesPresent));
        Assert.True(File.Exists(Path.Combine(_work.Combine("dst"), prefix, "a-b", "x")));
    }

    [Fact]
    public async Task RunAsync_DestinationWalkFailsMidRun_AbortsWithTheReasonTheSessionFinishedAndEveryFileFoundHasAnOutcome()
    {
        var source = _work.Combine("src");
        foreach (var name in new[] { "a/1", "a/2", "a/3", "b/1", "c/1" })
        {
            _work.Write("src/" + name, [1]);
        }

        var destination = new LocalDirectoryStore(_work.Combine("dst"));
        await RunAsync(source, destination, new UploadOptions());
        var sut = new FailingWalkStore(destination, failAfter: "p/a/1");

        var rerun = await RunAsync(source, sut, new UploadOptions());

        Assert.Equal(TransferOutcome.Aborted, rerun.Outcome);
        Assert.Contains("could not be read: disk read error", rerun.Message, StringComparison.Ordinal);
        // The walk fails while a/2 is looked up: a/1, listed just before, is in the same batch and is not decided either.
        Assert.Equal(rerun.Counts.FilesDone + rerun.Counts.FilesSkipped, rerun.Counts.FilesFound);
        using var journal = TransferJournal.Open(_work.Combine("journal.db"));
        var session = journal.FindSession(rerun.SessionId)!;
        Assert.NotNull(session.FinishedAt);
        Assert.Equal(rerun.Message, session.Message);
    }

    [Fact]
    public async Task RunAsync_RerunWithManifest_ListsEveryFileThoughNoneHasARow()
    {
        var source = _work.Combine("src");
        _work.Write("src/SN1/a.WAV", [1]);
        _work.Write("src/SN1/b.WAV", [2]);
        var store = new LocalDirectoryStore(_work.Combine("dst"));
        await RunAsync(source, store, new UploadOptions());
        var manifest = _work.Combine("rerun.jsonl");

        var rerun = await RunAsync(source, store, new UploadOptions { ManifestPath = manifest });

        var entries = new List<Ferry.Core.Manifests.ManifestEntry>();
        await foreach (var entry in Ferry.Core.Manifests.ManifestWriter.ReadAsync(manifest))
        {
            entries.Add(entry);
        }

        using var journal = TransferJournal.Open(_work.Combine("journal.db"));
        Assert.Empty(journal.ReadSessionFiles(rerun.SessionId, null));
        Assert.Equal(["p/SN1/a.WAV", "p/SN1/b.WAV"], entries.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.All(entries, e => Assert.Equal(FileOutcomes.Present, e.Status));
    }

    [Fact]
    public async Task RunAsync_OnPlanned_HandsOnEveryFileToSendAndNoneTheJournalProves()
    {
        var source = _work.Combine("src");
        _work.Write("src/SN1/a.WAV", [1]);
        var changed = _work.Write("src/SN1/b.WAV", [2]);
        var store = new LocalDirectoryStore(_work.Combine("dst"));
        var planned = new System.Collections.Concurrent.ConcurrentBag<string>();
        var options = new UploadOptions { OnPlanned = (file, _) => { planned.Add(file.RelativePath); return ValueTask.CompletedTask; } };
        await RunAsync(source, store, options);
        var first = planned.Order(StringComparer.Ordinal).ToList();
        planned.Clear();
        File.WriteAllBytes(changed, [2, 2]);

        await RunAsync(source, store, options);

        Assert.Equal(["SN1/a.WAV", "SN1/b.WAV"], first);
        Assert.Equal(["SN1/b.WAV"], planned);
    }

    [Fact]
    public async Task RunAsync_RerunWithNewFilesAmongProvedOnes_SendsOnlyTheNewWithNoReadSnapshotHeldWhileThePlannerWaits()
    {
        var source = _work.Combine("src");
        _work.Write("src/SN1/b.WAV", [1]);
        _work.Write("src/SN1/d.WAV", [2]);
        var store = new LocalDirectoryStore(_work.Combine("dst"));
        await RunAsync(source, store, new UploadOptions());
        _work.Write("src/SN1/a.WAV", [3]);
        _work.Write("src/SN1/c.WAV", [4]);
        var planned = new List<string>();
        var checkpoints = new List<long>();
        var options = new UploadOptions
        {
            // The planner waits here; a read snapshot left open by its journal look-ups would keep the WAL from being emptied.
            OnPlanned = (file, _) =>
            {
                planned.Add(file.RelativePath);
                checkpoints.Add(WalCheckpoint.Truncate(_work.Combine("journal.db")));
                return ValueTask.CompletedTask;
            },
        };

        var rerun = await RunAsync(source, store, options);

        Assert.Equal(["SN1/a.WAV", "SN1/c.WAV"], planned);
        Assert.Equal([0L, 0L], checkpoints); // busy: 1 while a reader holds an older snapshot
        Assert.Equal(2, rerun.Counts.FilesPresent);
        Assert.Equal(2, rerun.Counts.FilesTransferred);
    }

    [Fact]
    public async Task RunAsync_RerunWithMoveOfFilesTheJournalProves_RecordsEachFileAndItsMove()
    {
        var source = _work.Combine("src");
        _work.Write("src/SN1/a.WAV", [1]);
        _work.Write("src/SN1/b.WAV", [2]);
        var destination = _work.Combine("dst");
        await RunAsync(source, destination);

        var moved = await RunAsync(source, new LocalDirectoryStore(destination), new UploadOptions { Move = true });

        using var journal = TransferJournal.Open(_work.Combine("journal.db"));
        Assert.Equal(2, moved.Counts.FilesPresent);
        var rows = journal.ReadSessionFiles(moved.SessionId, null).Select(f => $"{f.Outcome} {f.Path}").Order(StringComparer.Ordinal);
        Assert.Equal(["moved SN1/a.WAV", "moved SN1/b.WAV", "present SN1/a.WAV", "present SN1/b.WAV"], rows);
        Assert.Empty(Directory.GetFiles(source, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task RunAsync_SourceFileNamedLikeATemporaryFileWithMove_FailsAloneAndStaysAtTheSource()
    {
        var source = _work.Combine("src");
        var odd = _work.Write("src/SN1/" + LocalDirectoryStore.TemporaryFilePrefix + "note.txt", [1, 2, 3]);
        _work.Write("src/SN1/a.WAV", [4, 5, 6]);

        var summary = await RunAsync(source, new LocalDirectoryStore(_work.Combine("dst")), new UploadOptions { Move = true });

        Assert.Equal(TransferOutcome.CompletedWithFailures, summary.Outcome);
        Assert.Contains("Ferry's temporary files", Assert.Single(summary.Failures).Reason);
        Assert.True(File.Exists(odd));
        Assert.True(File.Exists(_work.Combine("dst", "p", "SN1", "a.WAV")));
    }

    [Fact]
    public async Task RunAsync_LocalFileChangedSinceLastRun_UploadsNewVersion()
    {
        var source = _work.Combine("src");
        var file = _work.Write("src/a.txt", "one"u8.ToArray());
        var destination = _work.Combine("dst");
        await RunAsync(source, destination);
        File.WriteAllText(file, "two, longer");

        var second = await RunAsync(source, destination);

        Assert.Equal(1, second.Counts.FilesTransferred);
        Assert.Equal("two, longer", File.ReadAllText(Path.Combine(destination, "p", "a.txt")));
    }

    [Fact]
    public async Task RunAsync_FileChangedWhileBeingSentWithMove_KeptLocallyAndReported()
    {
        var source = _work.Combine("src");
        var file = _work.Write("src/growing.log", "first version"u8.ToArray());
        var store = new ChangingStore(new LocalDirectoryStore(_work.Combine("dst")), () => File.AppendAllText(file, " and more"));

        var summary = await RunAsync(source, store, new UploadOptions { Move = true });

        Assert.Equal(TransferOutcome.CompletedWithFailures, summary.Outcome);
        Assert.True(File.Exists(file));
        Assert.Equal("first version and more", File.ReadAllText(file));
        Assert.Contains("changed after its upload was verified", Assert.Single(summary.Failures).Reason);
        Assert.Equal(0, summary.Counts.FilesMoved);
    }

    [Fact]
    public async Task RunAsync_ToLocalDirectory_VerifiesFromTheBytesTheStoreWroteWithoutReadingThemBack()
    {
        var source = _work.Combine("src");
        _work.Write("src/a.bin", TestData.Bytes(1000, 3));
        _work.Write("src/big.bin", TestData.Bytes(6 * 1024 * 1024, 4)); // hashed first, then streamed
        var store = new ChangingStore(new LocalDirectoryStore(_work.Combine("dst")), () => { });

        var summary = await RunAsync(source, store, new UploadOptions { MultipartThreshold = 5 * UploadOptions.MiB, PartSize = 5 * UploadOptions.MiB });

        Assert.Equal(TransferOutcome.Completed, summary.Outcome);
        Assert.Equal(2, summary.Counts.FilesTransferred);
        Assert.Equal(0, store.Heads);
    }

    [Fact]
    public async Task RunAsync_BytesDamagedOnTheWayIntoTheLocalStore_FailAsAMismatchAndTheSourceStays()
    {
        var source = _work.Combine("src");
        var file = _work.Write("src/a.bin", TestData.Bytes(1000, 5));
        var store = new ChangingStore(new LocalDirectoryStore(_work.Combine("dst")), () => { }, bytes =>
        {
            bytes[10] ^= 0x01;
            return bytes;
        });

        var summary = await RunAsync(source, store, new UploadOptions { Move = true, Retries = 0 });

        Assert.Equal(TransferOutcome.CompletedWithFailures, summary.Outcome);
        Assert.Contains("SHA-256", Assert.Single(summary.Failures).Reason);
        Assert.True(File.Exists(file));
        Assert.Equal(0, summary.Counts.FilesMoved);
    }

    [Fact]
    public async Task RunAsync_SessionKilledEarlier_MarkedKilledByTheNextRun()
    {
        var path = _work.Combine("journal.db");
        using (var journal = TransferJournal.Open(path))
        {
            var stale = journal.StartSession("upload", "/src", "/dst", DateTimeOffset.UtcNow);
            using var update = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
            update.Open();
            using var command = update.CreateCommand();
            command.CommandText = $"UPDATE sessions SET pid = 2147483000 WHERE id = {stale}";
            command.ExecuteNonQuery();
        }

        _work.Write("src/a", [1]);
        await RunAsync(_work.Combine("src"), _work.Combine("dst"));

        using var reopened = TransferJournal.Open(path);
        Assert.Equal(["completed", "killed"], reopened.ListSessions(10).Select(s => s.Outcome));
    }

    [Fact]
    public async Task RunAsync_MissingSource_ThrowsDirectoryNotFound()
    {
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => RunAsync(_work.Combine("nope"), _work.Combine("dst")));
    }

    private Task<TransferSummary> RunAsync(string source, string destination) =>
        RunAsync(source, new LocalDirectoryStore(destination), new UploadOptions { MultipartThreshold = 5 * UploadOptions.MiB, PartSize = 5 * UploadOptions.MiB });

    private Task<TransferSummary> RunAsync(string source, IObjectStore store, UploadOptions options) => RunAsync(source, store, "p/", options);

    private Task<TransferSummary> RunAsync(string source, IObjectStore store, string prefix) => RunAsync(source, store, prefix, new UploadOptions());

    private async Task<TransferSummary> RunAsync(string source, IObjectStore store, string prefix, UploadOptions options)
    {
        using var journal = TransferJournal.Open(_work.Combine("journal.db"));
        var engine = new UploadEngine(journal);
        return await engine.RunAsync(new UploadRequest(source, store, prefix), options, new TransferProgress(), null, CancellationToken.None);
    }

    /// <summary>A local folder whose walk in scan order fails with an I/O error after listing <paramref name="failAfter"/>.</summary>
    private sealed class FailingWalkStore(LocalDirectoryStore inner, string failAfter) : IObjectStore, IScanOrderListingObjectStore
    {
        public string Description => inner.Description;
        public string Identity => inner.Identity;
        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
        public Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);
        public Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken) => inner.PutAsync(key, content, length, options, cancellationToken);
        public Task<ObjectContent> ReadAsync(string key, long offset, long? length, CancellationToken cancellationToken) => inner.ReadAsync(key, offset, length, cancellationToken);
        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
        public Task CheckAccessAsync(CancellationToken cancellationToken) => inner.CheckAccessAsync(cancellationToken);

        public async IAsyncEnumerable<StoredObject> ListInScanOrderAsync(string folderKey, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var item in inner.ListInScanOrderAsync(folderKey, cancellationToken))
            {
                yield return item;
                if (item.Key == failAfter)
                {
                    throw new IOException("disk read error");
                }
            }
        }
    }

    /// <summary>A store that runs an action (changing the source) during its first write, may damage what it is sent, and counts HEADs.</summary>
    private sealed class ChangingStore(IObjectStore inner, Action change, Func<byte[], byte[]>? damage = null) : IObjectStore
    {
        private int _writes;
        private int _heads;

        public int Heads => _heads;

        public string Description => inner.Description;
        public string Identity => inner.Identity;
        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
        public Task<ObjectContent> ReadAsync(string key, long offset, long? length, CancellationToken cancellationToken) => inner.ReadAsync(key, offset, length, cancellationToken);
        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
        public Task CheckAccessAsync(CancellationToken cancellationToken) => inner.CheckAccessAsync(cancellationToken);

        public Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _heads);
            return inner.HeadAsync(key, cancellationToken);
        }

        public async Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _writes) == 1)
            {
                change();
            }

            if (damage is null)
            {
                return await inner.PutAsync(key, content, length, options, cancellationToken);
            }

            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, cancellationToken);
            var damaged = damage(copy.ToArray());
            return await inner.PutAsync(key, new MemoryStream(damaged), damaged.Length, options, cancellationToken);
        }
    }
}
