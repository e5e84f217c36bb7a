using Amazon.Runtime;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3.Tests;

/// <summary>
/// Ferry's own signed requests meet a credential source that fails (a role's or profile's refresh) as the SDK's do: a
/// classified <see cref="StoreException"/>, never the source's raw exception (the server catches only the former).
/// </summary>
public sealed class S3DirectClientCredentialsTests
{
    [Fact]
    public async Task PutHeadAndList_CredentialSourceFails_ThrowInvalidCredentialsStoreException()
    {
        using var http = new HttpClient();
        var sut = new S3DirectClient(http, new Uri("http://127.0.0.1:9"), "bucket", "us-east-1", new FailingCredentials(), "http://127.0.0.1:9");

        var put = await Assert.ThrowsAsync<StoreException>(() => sut.PutAsync("a/b.jpg", new MemoryStream([1, 2, 3]), 3, new ObjectWriteOptions(null), CancellationToken.None));
        var head = await Assert.ThrowsAsync<StoreException>(() => sut.HeadAsync("a/b.jpg", CancellationToken.None));
        var list = await Assert.ThrowsAsync<StoreException>(() => sut.ListPageAsync("a/", null, null, 1000, CancellationToken.None));

        Assert.All([put, head, list], ex => Assert.Equal(StoreErrorKind.InvalidCredentials, ex.Kind));
        Assert.All([put, head, list], ex => Assert.IsType<AmazonClientException>(ex.InnerException));
    }

    private sealed class FailingCredentials : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => throw new AmazonClientException("unable to refresh the role's credentials");

        public override Task<ImmutableCredentials> GetCredentialsAsync() => throw new AmazonClientException("unable to refresh the role's credentials");
    }
}
