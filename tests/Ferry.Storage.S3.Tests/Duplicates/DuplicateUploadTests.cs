using Ferry.Core.Journal;
using Ferry.Core.Transfer;
using Ferry.Testing;

namespace Ferry.Storage.S3.Tests.Duplicates;

/// <summary>
/// Duplicates by content through the engine against s3rver: a card copied into a second cycle (and a folder renamed)
/// is found in the journal's content index after the engine's own hash, skipped with --skip-duplicates and listed
/// with the key it duplicates; single-request and multipart files alike.
/// </summary>
public sealed class DuplicateUploadTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _work = new("duplicates");

    public void Dispose() => _work.Dispose();

    private static UploadOptions Options(bool skip) => new()
    {
        SkipDuplicates = skip,
        MultipartThreshold = 5 * UploadOptions.MiB,
        PartSize = 5 * UploadOptions.MiB,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    };

    [Fact]
    public async Task RunAsync_CardCopiedIntoNextCycleWithSkipDuplicates_SendsNothingAndListsEachCopy()
    {
        var bucket = await s3rver.Server.CreateBucketAsync("dup");
        var small = TestData.Bytes(70_000, 1);
        var large = TestData.Bytes(6 * 1024 * 1024 + 5, 2);
        _work.Write("card/SN1/a.WAV", small);
        _work.Write("card/SN1/big.MP4", large);
        _work.Write("again/SN1-renamed/a.WAV", small);
        _work.Write("again/SN1-renamed/big.MP4", large);
        _work.Write("again/SN1-renamed/new.WAV", TestData.Bytes(500, 3));
        using var journal = TransferJournal.Open(_work.Combine("journal.db"));

        var first = await RunAsync(journal, bucket, _work.Combine("card"), "C1/", Options(skip: true));
        var second = await RunAsync(journal, bucket, _work.Combine("again"), "C2/", Options(skip: true));

        Assert.Equal(2, first.Counts.FilesTransferred);
        Assert.Equal(TransferOutcome.Completed, second.Outcome);
        Assert.Equal(1, second.Counts.FilesTransferred);
        Assert.Equal(2, second.Counts.FilesSkipped);
        var duplicates = journal.ReadSessionFiles(second.SessionId, FileOutcomes.Duplicate).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        Assert.Equal(["SN1-renamed/a.WAV", "SN1-renamed/big.MP4"], duplicates.Select(f => f.Path));
        Assert.Equal(["duplicate of C1/SN1/a.WAV", "duplicate of C1/SN1/big.MP4"], duplicates.Select(f => f.Reason));
        var keys = await ListAsync(bucket);
        Assert.Equal(["C1/SN1/a.WAV", "C1/SN1/big.MP4", "C2/SN1-renamed/new.WAV"], keys);
    }

    [Fact]
    public async Task RunAsync_DuplicateWithoutSkipDuplicates_UploadsAndNamesTheCopy()
    {
        var bucket = await s3rver.Server.CreateBucketAsync("dup");
        var bytes = TestData.Bytes(4000, 4);
        _work.Write("card/SN2/x.JPG", bytes);
        _work.Write("copy/SN2/x.JPG", bytes);
        using var journal = TransferJournal.Open(_work.Combine("journal.db"));
        await RunAsync(journal, bucket, _work.Combine("card"), "C1/", Options(skip: false));

        var second = await RunAsync(journal, bucket, _work.Combine("copy"), "C2/", Options(skip: false));

        Assert.Equal(1, second.Counts.FilesTransferred);
        var uploaded = Assert.Single(journal.ReadSessionFiles(second.SessionId, FileOutcomes.Uploaded));
        Assert.Equal("duplicate of C1/SN2/x.JPG", uploaded.Reason);
        Assert.Equal(bytes, await s3rver.Server.GetObjectAsync(bucket, "C2/SN2/x.JPG"));
    }

    [Fact]
    public async Task RunAsync_CopyDeletedFromBucket_IsNotADuplicate()
    {
        var bucket = await s3rver.Server.CreateBucketAsync("dup");
        var bytes = TestData.Bytes(3000, 5);
        _work.Write("card/a.WAV", bytes);
        _work.Write("copy/a.WAV", bytes);
        using var journal = TransferJournal.Open(_work.Combine("journal.db"));
        await RunAsync(journal, bucket, _work.Combine("card"), "C1/", Options(skip: true));
        using (var store = S3TestStores.Create(s3rver.Server, bucket))
        {
            await store.DeleteAsync("C1/a.WAV", CancellationToken.None);
        }

        var second = await RunAsync(journal, bucket, _work.Combine("copy"), "C2/", Options(skip: true));

        Assert.Equal(1, second.Counts.FilesTransferred);
        Assert.Equal(bytes, await s3rver.Server.GetObjectAsync(bucket, "C2/a.WAV"));
    }

    private async Task<TransferSummary> RunAsync(TransferJournal journal, string bucket, string source, string prefix, UploadOptions options)
    {
        using var store = S3TestStores.Create(s3rver.Server, bucket);
        return await new UploadEngine(journal).RunAsync(new UploadRequest(source, store, prefix), options, new TransferProgress(), null, CancellationToken.None);
    }

    private async Task<List<string>> ListAsync(string bucket)
    {
        using var store = S3TestStores.Create(s3rver.Server, bucket);
        var keys = new List<string>();
        await foreach (var o in store.ListAsync("", CancellationToken.None))
        {
            keys.Add(o.Key);
        }

        return keys.Order(StringComparer.Ordinal).ToList();
    }
}
