using Ferry.Core.Datasets;
using Ferry.Testing;

namespace Ferry.Storage.S3.Tests.Integration.Datasets;

/// <summary>Runs alone: it measures the process's managed heap, which other tests running in parallel would inflate.</summary>
[CollectionDefinition(nameof(DatasetReaderMemoryTests), DisableParallelization = true)]
public sealed class DatasetReaderMemoryCollection;

[Collection(nameof(DatasetReaderMemoryTests))]
public sealed class DatasetReaderMemoryTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _work = new("dataset-memory");

    private S3rverServer Server => s3rver.Server;

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task ReadPrefixAsync_LargeGzipShard_ReadsInBoundedMemory()
    {
        var bucket = await Server.CreateBucketAsync("dsbig");
        using var store = S3TestStores.Create(Server, bucket);
        const int records = 200_000; // about 30 MB of JSON
        await DatasetReaderTests.PutAsync(store, "big/00.jsonl.gz", DatasetReaderTests.Shard("big/00.jsonl.gz", 0, records));
        var sut = new DatasetReader(store, new DatasetReaderOptions { TemporaryDirectory = _work.Path });
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, count = 0, sum = 0;

        await foreach (var record in sut.ReadPrefixAsync("big/", CancellationToken.None))
        {
            sum += record.Value.GetProperty("id").GetInt64();
            if (++count % 25_000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }

        Assert.Equal(records, count);
        Assert.Equal((long)records * (records - 1) / 2, sum);
        Assert.True(peak < 8 * 1024 * 1024, $"managed memory grew by {peak:N0} bytes while reading");
    }

}
