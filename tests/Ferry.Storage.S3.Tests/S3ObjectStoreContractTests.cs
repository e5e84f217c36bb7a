using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Storage.S3.Tests;

/// <summary>The store contract against a real s3rver over HTTP; each test gets its own bucket.</summary>
public sealed class S3ObjectStoreContractTests(S3rverFixture s3rver) : ObjectStoreContractTests, IClassFixture<S3rverFixture>
{
    protected override async Task<IObjectStore> CreateStoreAsync()
    {
        var bucket = await s3rver.Server.CreateBucketAsync("contract");
        return S3TestStores.Create(s3rver.Server, bucket);
    }
}
