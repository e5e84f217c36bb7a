using Ferry.Testing;

namespace Ferry.Storage.S3.Tests;

/// <summary>S3 stores for tests, with s3rver's credentials passed explicitly (no ambient environment).</summary>
internal static class S3TestStores
{
    public static S3ObjectStore Create(S3rverServer server, string bucket, string? endpoint = null, string accessKey = S3rverServer.AccessKey)
    {
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        return S3StoreFactory.Create(
            new S3ConnectionOptions { Endpoint = new Uri(endpoint ?? server.Endpoint), Region = "us-east-1", Credentials = (accessKey, S3rverServer.SecretKey) },
            bucket);
    }
}
