using Ferry.Core.Privacy;
using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Storage.S3.Tests.Integration.Privacy;

/// <summary>
/// Erasure and a donor's unfinished multipart uploads on real S3 calls (s3rver): uploads no journal on this machine knows
/// of (another machine's, a crashed server's) are asked for with <c>ListMultipartUploads</c> under the donor's prefix.
/// </summary>
public sealed class DonorErasureMultipartTests(S3rverFixture s3rver) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("erase-multipart");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Erase_StoreWithoutMultipartListing_AsksByTheDonorsPrefixReportsItAndErasesTheRest()
    {
        // s3rver answers ListMultipartUploads with 501 NotImplemented, so what real S3 does with the request (list the
        // donor's unfinished uploads, then AbortMultipartUpload each) cannot run here; what can: the request Ferry sends
        // (recorded through a proxy: GET /BUCKET?uploads&prefix=PREFIX/donations/p_…/), the refusal read as "does not
        // list", and the erasure going on and saying so in its report.
        var bucket = await s3rver.Server.CreateBucketAsync("erase-mpu");
        await using var proxy = await FaultProxy.StartAsync(s3rver.Server.Endpoint);
        using var store = S3TestStores.Create(s3rver.Server, bucket, proxy.Endpoint);
        const string donor = "p_0123456789abcdef0123456789abcdef";
        await StartWithOnePartAsync(store, $"study/donations/{donor}/20261130_010000_aaaa.zip");
        var refused = await Assert.ThrowsAsync<StoreException>(() => ListAsync(store, $"study/donations/{donor}/"));
        Assert.Equal(StoreErrorKind.NotSupported, refused.Kind);

        var report = await DonorErasure.EraseAsync(new ErasureRequest
        {
            Pseudonym = donor, Store = store, Prefix = "study/", StagingFolder = _temp.Combine("staging"), TemporaryFolder = _temp.Combine("tmp"),
        }, CancellationToken.None);

        var place = Assert.Single(report.Places, p => p.Place == "storage.multipart_uploads");
        Assert.Contains("the store does not list multipart uploads", place.Detail, StringComparison.Ordinal);
        var listing = proxy.Operations.Where(o => o.Method == "GET" && o.Query.Contains("uploads", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(listing);
        Assert.All(listing, o => Assert.Contains("prefix=" + Uri.EscapeDataString($"study/donations/{donor}/"), o.Query, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<string> StartWithOnePartAsync(S3ObjectStore store, string key)
    {
        var id = await store.StartMultipartAsync(key, new ObjectWriteOptions(null, null), CancellationToken.None);
        var body = TestData.Bytes(5 * 1024 * 1024, 7);
        await store.UploadPartAsync(key, id, 1, body, Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(body)), CancellationToken.None);
        return id;
    }

    private static async Task<List<PendingMultipartUpload>> ListAsync(S3ObjectStore store, string prefix)
    {
        var uploads = new List<PendingMultipartUpload>();
        await foreach (var upload in store.ListMultipartUploadsAsync(prefix, CancellationToken.None))
        {
            uploads.Add(upload);
        }

        return uploads;
    }
}
