using System.IO.Compression;
using System.Text;
using Ferry.Core.Journal;
using Ferry.Core.Privacy;
using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Core.Tests.Privacy;

/// <summary>
/// Erasure that leaves nothing, with real donations through the verified engine into real on-disk stores (the plain
/// local store and the versioned one, which keeps every version and delete marker as a versioned bucket does) and a
/// real SQLite journal: versions, exports, the journal's bytes, and an erasure racing a running donation.
/// </summary>
public sealed class DonorErasureTests : IDisposable
{
    private readonly TempDirectory _temp = new("erasure");
    private readonly Pseudonymizer _pseudonymizer = new(PseudonymizationRules.TrainingLogs("erasure-study"), PseudonymKey.Generate());

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Erase_OnAVersionedStore_EveryVersionAndDeleteMarkerOfTheDonorIsRemovedOthersKept()
    {
        var store = new VersionedLocalDirectoryStore(_temp.Combine("bucket"));
        var alice = await DonateAsync(store, "alice", 3);
        await DonateAsync(store, "alice", 2);
        var bob = await DonateAsync(store, "bob", 2);
        var aliceKey = (await KeysAsync(store, $"study/donations/{alice.DonorPseudonym}/"))[0];
        await PutTextAsync(store, aliceKey, "an overwritten version of the bundle"); // a second version of one key
        await store.DeleteAsync(aliceKey, CancellationToken.None); // and a delete marker over both
        Assert.Equal(4, await CountVersionsAsync(store, $"study/donations/{alice.DonorPseudonym}/")); // two versions and a marker of one bundle, one of the other
        Assert.True(ContainsOnDisk(_temp.Combine("bucket"), alice.DonorPseudonym!));

        var report = await EraseAsync(store, alice.DonorPseudonym!);

        Assert.Equal(0, await CountVersionsAsync(store, $"study/donations/{alice.DonorPseudonym}/"));
        Assert.Equal(5, report.Removed("storage.donor_versions")); // the four, and the marker the erasure's own delete of the other bundle left
        Assert.False(ContainsOnDisk(_temp.Combine("bucket"), alice.DonorPseudonym!)); // no file, version or marker names or holds the donor
        Assert.Single(await KeysAsync(store, $"study/donations/{bob.DonorPseudonym}/"));
        Assert.Equal(1, await CountVersionsAsync(store, $"study/donations/{bob.DonorPseudonym}/"));
    }

    [Fact]
    public async Task Erase_ExportsHoldingTheDonor_RewrittenWithoutThemDecompressedNoTraceOthersKept()
    {
        var store = new VersionedLocalDirectoryStore(_temp.Combine("bucket"));
        var alice = await DonateAsync(store, "alice", 1);
        var bob = await DonateAsync(store, "bob", 1);
        var (a, b) = (alice.DonorPseudonym!, bob.DonorPseudonym!);
        await PutGzipAsync(store, "study/exports/20261101_020000_last-7d.jsonl.gz", Line(1, a), Line(2, b), Line(3, a));
        await PutGzipAsync(store, "study/exports/20261101_020000_last-7d.jsonl.gz", Line(1, a), Line(2, b), Line(3, a), Line(4, b)); // a second version
        await PutGzipAsync(store, "study/exports/20261108_020000_last-7d.jsonl.gz", Line(5, a)); // only the donor: deleted
        await PutGzipAsync(store, "study/exports/20261115_020000_last-7d.jsonl.gz", Line(6, b)); // never held the donor

        var report = await EraseAsync(store, a);

        var exports = await ReadExportsAsync(store);
        Assert.Equal(["study/exports/20261101_020000_last-7d.jsonl.gz", "study/exports/20261115_020000_last-7d.jsonl.gz"], exports.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([Line(2, b), Line(4, b)], exports["study/exports/20261101_020000_last-7d.jsonl.gz"]);
        Assert.Equal([Line(6, b)], exports["study/exports/20261115_020000_last-7d.jsonl.gz"]);
        Assert.Equal(2, report.Removed("storage.exports")); // one rewritten, one deleted
        Assert.Equal(0, await CountVersionsAsync(store, "study/exports/") - 2); // only the current versions are left
        Assert.False(ContainsOnDisk(_temp.Combine("bucket"), a)); // old versions of the exports held the donor too
    }

    [Fact]
    public async Task Erase_WithTheJournal_JournalFileBytesHoldNoPseudonymOfTheDonor()
    {
        var journalPath = _temp.Combine("home", "journal.db");
        var store = new LocalDirectoryStore(_temp.Combine("bucket"));
        string alice, bob;
        using (var journal = TransferJournal.Open(journalPath))
        {
            alice = (await DonateAsync(store, "alice", 2, journal)).DonorPseudonym!;
            await DonateAsync(store, "alice", 1, journal);
            bob = (await DonateAsync(store, "bob", 1, journal)).DonorPseudonym!;
        }

        Assert.True(JournalHolds(journalPath, alice)); // the journal named the donor (session destination, keys)

        ErasureReport report;
        using (var journal = TransferJournal.Open(journalPath))
        {
            report = await EraseAsync(store, alice, journal);
        }

        Assert.False(JournalHolds(journalPath, alice));
        Assert.True(JournalHolds(journalPath, bob)); // other donors' rows stay
        Assert.True(report.Removed("local.journal") >= 4); // two sessions, their files and objects
        using var reopened = TransferJournal.Open(journalPath);
        Assert.Single(reopened.ListSessions(10));
    }

    [Fact]
    public async Task Erase_WhileADonationRuns_WaitsForItAndLeavesNothingOfWhatItWrote()
    {
        var store = new LocalDirectoryStore(_temp.Combine("bucket"));
        var folder = _temp.Combine("alice-big");
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, "big.jsonl.gz"), TrainingLogs.Of("alice", 60_000));
        var pseudonym = _pseudonymizer.Pseudonym("alice");
        var staging = _temp.Combine("staging");

        var donation = DataDonation.DonateAsync(Request(store, folder, "alice"), CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(Directory.Exists(staging) && Directory.EnumerateDirectories(staging).Any()) && !donation.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.False(donation.IsCompleted); // the erasure starts while the donation is running
        var report = await EraseAsync(store, pseudonym);
        Assert.True((await donation).Success);

        Assert.Equal(1, report.Removed("storage.donor_objects")); // the bundle it wrote
        Assert.False(ContainsOnDisk(_temp.Combine("bucket"), pseudonym));
        Assert.Empty(Directory.EnumerateDirectories(staging));
    }

    [Fact]
    public async Task Erase_StagingLeftByACrashedDonation_RemovedAndReported()
    {
        var store = new LocalDirectoryStore(_temp.Combine("bucket"));
        var alice = await DonateAsync(store, "alice", 1);
        var crashed = Path.Combine(_temp.Combine("staging"), Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(crashed, "parts"));
        await File.WriteAllTextAsync(Path.Combine(crashed, DonationStaging.InUseFile), ""); // nobody holds its lock any more
        await File.WriteAllTextAsync(Path.Combine(crashed, "parts", "part-0001.jsonl.gz"), alice.DonorPseudonym);
        using var running = DonationStaging.Create(_temp.Combine("other-staging"));
        Assert.Equal(0, DonationStaging.CleanAbandoned(_temp.Combine("other-staging"))); // a folder in use stays

        var report = await EraseAsync(store, alice.DonorPseudonym!);

        Assert.False(Directory.Exists(crashed));
        Assert.Equal(1, report.Removed("local.staging"));
        Assert.True(Directory.Exists(running.Folder));
    }

    private static string Line(int id, string donor) => $"{{\"id\":{id},\"donation_id\":{id},\"donor\":\"{donor}\",\"recorded_at\":\"2026-11-01T02:00:00.000Z\",\"record\":{{\"step\":{id}}}}}";

    private DonationRequest Request(IObjectStore store, string folder, string donor, TransferJournal? journal = null) => new()
    {
        Folder = folder, Store = store, Prefix = "study/", Pseudonymizer = _pseudonymizer, Policy = ConsentPolicy.Default,
        ConsentedVersion = ConsentPolicy.Default.Version, DonorId = donor, Journal = journal, StagingFolder = _temp.Combine("staging"),
        ArchiveFolder = _temp.Combine("archive", Guid.NewGuid().ToString("N")),
    };

    private async Task<DonationResult> DonateAsync(IObjectStore store, string donor, int records, TransferJournal? journal = null)
    {
        var folder = _temp.Combine(donor + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, "run.jsonl.gz"), TrainingLogs.Of(donor, records));
        var result = await DataDonation.DonateAsync(Request(store, folder, donor, journal), CancellationToken.None);
        Assert.True(result.Success, result.Message);
        return result;
    }

    private Task<ErasureReport> EraseAsync(IObjectStore store, string pseudonym, TransferJournal? journal = null) =>
        DonorErasure.EraseAsync(new ErasureRequest
        {
            Pseudonym = pseudonym, Store = store, Prefix = "study/", Journal = journal, StagingFolder = _temp.Combine("staging"), TemporaryFolder = _temp.Combine("tmp"),
            WaitForDonations = TimeSpan.FromMinutes(2),
        }, CancellationToken.None);

    private static async Task<List<string>> KeysAsync(IObjectStore store, string prefix)
    {
        var keys = new List<string>();
        await foreach (var item in store.ListAsync(prefix, CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        return keys.Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<int> CountVersionsAsync(IVersionedObjectStore store, string prefix)
    {
        var count = 0;
        await foreach (var _ in store.ListVersionsAsync(prefix, CancellationToken.None))
        {
            count++;
        }

        return count;
    }

    private static async Task PutTextAsync(IObjectStore store, string key, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await store.PutAsync(key, new MemoryStream(bytes), bytes.Length, new ObjectWriteOptions(null), CancellationToken.None);
    }

    private static async Task PutGzipAsync(IObjectStore store, string key, params string[] lines)
    {
        var bytes = TrainingLogs.Gzip(string.Concat(lines.Select(l => l + "\n")));
        await store.PutAsync(key, new MemoryStream(bytes), bytes.Length, new ObjectWriteOptions(null), CancellationToken.None);
    }

    private static async Task<Dictionary<string, string[]>> ReadExportsAsync(IObjectStore store)
    {
        var exports = new Dictionary<string, string[]>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync("study/exports/", CancellationToken.None))
        {
            await using var content = await store.ReadAsync(item.Key, 0, null, CancellationToken.None);
            using var memory = new MemoryStream();
            await content.Content.CopyToAsync(memory);
            exports[item.Key] = TrainingLogs.Gunzip(memory.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }

        return exports;
    }

    /// <summary>Whether any file or folder under <paramref name="root"/> names <paramref name="text"/> in its path or holds it in its bytes (zip members and gzip decompressed).</summary>
    private static bool ContainsOnDisk(string root, string text) =>
        Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Any(d => d.Contains(text, StringComparison.Ordinal))
        || Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Any(f => f.Contains(text, StringComparison.Ordinal) || Readable(f).Contains(text, StringComparison.Ordinal));

    private static string Readable(string file)
    {
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            return TrainingLogs.Gunzip(bytes);
        }

        if (bytes.Length > 2 && bytes[0] == (byte)'P' && bytes[1] == (byte)'K')
        {
            using var zip = new ZipArchive(new MemoryStream(bytes));
            return string.Concat(zip.Entries.Select(e =>
            {
                using var entry = new MemoryStream();
                using (var stream = e.Open())
                {
                    stream.CopyTo(entry);
                }

                var data = entry.ToArray();
                return e.Name + (data.Length > 2 && data[0] == 0x1f && data[1] == 0x8b ? TrainingLogs.Gunzip(data) : Encoding.UTF8.GetString(data));
            }));
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The journal's bytes on disk — the database file and, if present, its write-ahead log and shared memory — searched for the text.</summary>
    private static bool JournalHolds(string path, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists).Any(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0);
    }
}
