using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Ferry.Core.Datasets;
using Ferry.Core.Hashing;
using Ferry.Core.Manifests;
using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Storage.S3.Tests.Integration.Datasets;

/// <summary>The dataset reader against shards in a real s3rver.</summary>
public sealed class DatasetReaderTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _work = new("dataset");

    private S3rverServer Server => s3rver.Server;

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task ReadManifestAsync_GzipAndPlainShards_YieldsEveryRecordInManifestOrder()
    {
        var bucket = await Server.CreateBucketAsync("ds");
        using var store = S3TestStores.Create(Server, bucket);
        var shards = new[] { ("train/00.jsonl.gz", 0, 50), ("train/01.jsonl", 50, 30), ("train/02.jsonl.gz", 80, 70) };
        var manifest = new List<ManifestEntry>();
        foreach (var (key, first, count) in shards)
        {
            var bytes = Shard(key, first, count);
            await PutAsync(store, key, bytes);
            manifest.Add(new ManifestEntry(key, bytes.Length, ContentHashes.Sha256Hex(bytes), null, key, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "uploaded"));
        }

        manifest.Reverse(); // the manifest's order decides, not the keys'
        var manifestPath = await WriteManifestAsync(manifest);
        var sut = new DatasetReader(store, new DatasetReaderOptions { TemporaryDirectory = _work.Path });

        var ids = new List<int>();
        await foreach (var record in sut.ReadManifestAsync(manifestPath, CancellationToken.None))
        {
            ids.Add(record.Value.GetProperty("id").GetInt32());
        }

        Assert.Equal(Enumerable.Range(80, 70).Concat(Enumerable.Range(50, 30)).Concat(Enumerable.Range(0, 50)), ids);
    }

    [Fact]
    public async Task ReadAsync_ShardCorrupted_ThrowsWithoutYieldingAnyOfItsRecords()
    {
        var bucket = await Server.CreateBucketAsync("dscorrupt");
        using var store = S3TestStores.Create(Server, bucket);
        var good = Shard("a.jsonl", 0, 10);
        var original = Shard("b.jsonl", 10, 10);
        await PutAsync(store, "a.jsonl", good);
        await PutAsync(store, "b.jsonl", original);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(original).Replace("\"id\":15", "\"id\":99", StringComparison.Ordinal));
        using (var http = new HttpClient())
        using (var request = new HttpRequestMessage(HttpMethod.Put, $"{Server.Endpoint}/{bucket}/b.jsonl") { Content = new ByteArrayContent(tampered) })
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
        }

        var sut = new DatasetReader(store, new DatasetReaderOptions { TemporaryDirectory = _work.Path, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });
        var ids = new List<int>();
        var error = await Assert.ThrowsAsync<StoreException>(async () =>
        {
            await foreach (var record in sut.ReadAsync([new DatasetShard("a.jsonl", ContentHashes.Sha256Hex(good)), new DatasetShard("b.jsonl", ContentHashes.Sha256Hex(original))], CancellationToken.None))
            {
                ids.Add(record.Value.GetProperty("id").GetInt32());
            }
        });

        Assert.Equal(StoreErrorKind.IntegrityMismatch, error.Kind);
        Assert.Equal(Enumerable.Range(0, 10), ids);
    }

    internal static byte[] Shard(string key, int first, int count)
    {
        var text = new StringBuilder();
        for (var id = first; id < first + count; id++)
        {
            text.Append("{\"id\":").Append(id).Append(",\"text\":\"trajectory step ").Append(id).Append(" with some padding to look like a real record\"}\n");
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        if (!key.EndsWith(".gz", StringComparison.Ordinal))
        {
            return bytes;
        }

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return compressed.ToArray();
    }

    internal static async Task PutAsync(IObjectStore store, string key, byte[] content)
    {
        using var stream = new ReadOnlyMemoryStream(content);
        await store.PutAsync(key, stream, content.Length, new ObjectWriteOptions(ContentHashes.Sha256Hex(content), ContentHashes.Md5Base64(ContentHashes.Md5Hex(content))), CancellationToken.None);
    }

    private async Task<string> WriteManifestAsync(IEnumerable<ManifestEntry> entries)
    {
        var path = Path.Combine(_work.Path, "manifest.jsonl");
        await using var writer = new ManifestWriter(path);
        foreach (var entry in entries)
        {
            writer.Add(entry);
        }

        return await writer.CompleteAsync();
    }
}
