using Amazon.Runtime;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3.Tests;

/// <summary>
/// Ferry's own signed requests meet a credential source that fails (a role's or profile's refresh) as the SDK's do: a
/// classified <see cref="StoreException"/>, never the source's raw exception (the server catches only the former).
/// </summary>
public sealed class S3DirectClientCredentialsTests
{
    public static TheoryData<string> Failures => ["client", "service", "token file"];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task PutHeadAndList_CredentialSourceFails_ThrowInvalidCredentialsStoreExceptionNamingTheCause(string failure)
    {
        Exception cause = failure switch
        {
            "client" => new AmazonClientException("unable to refresh the role's credentials"),
            "service" => new AmazonServiceException("Unable to retrieve credentials from the instance"),
            _ => new InvalidOperationException("the web identity token file cannot be read"),
        };
        using var http = new HttpClient();
        var sut = new S3DirectClient(http, new Uri("http://127.0.0.1:9"), "bucket", "us-east-1", new FailingCredentials(cause), "http://127.0.0.1:9");

        var put = await Assert.ThrowsAsync<StoreException>(() => sut.PutAsync("a/b.jpg", new MemoryStream([1, 2, 3]), 3, new ObjectWriteOptions(null), CancellationToken.None));
        var head = await Assert.ThrowsAsync<StoreException>(() => sut.HeadAsync("a/b.jpg", CancellationToken.None));
        var list = await Assert.ThrowsAsync<StoreException>(() => sut.ListPageAsync("a/", null, null, 1000, CancellationToken.None));

        Assert.All([put, head, list], ex =>
        {
            Assert.Equal(StoreErrorKind.InvalidCredentials, ex.Kind);
            Assert.Same(cause, ex.InnerException);
            Assert.Equal($"the credentials to sign requests to http://127.0.0.1:9 could not be obtained: {cause.Message}", ex.Message);
        });
    }

    private sealed class FailingCredentials(Exception cause) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => throw cause;

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromException<ImmutableCredentials>(cause);
    }
}
