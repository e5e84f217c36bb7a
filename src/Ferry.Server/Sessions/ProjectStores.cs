using System.Collections.Concurrent;
using Ferry.Core.Storage;
using Ferry.Storage.S3;

namespace Ferry.Server.Sessions;

/// <summary>
/// The S3 store of each project, made once per (endpoint, region, bucket, profile) and kept for the server's life.
/// Credentials: Ferry:S3AccessKeyId/S3SecretAccessKey when set, else the project's profile, else the standard
/// AWS chain (environment, shared files). They are used for HEAD and multipart calls and to sign URLs; they never leave the server.
/// </summary>
internal sealed class ProjectStores(FerryServerOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<(string? Endpoint, string Region, string Bucket, string? Profile), S3ObjectStore> _stores = new();

    public S3ObjectStore For(Project project) =>
        _stores.GetOrAdd((project.EndpointUrl, project.Region, project.BucketName, project.AwsProfile), key => S3StoreFactory.Create(new S3ConnectionOptions
        {
            Endpoint = key.Endpoint is null ? null : new Uri(key.Endpoint),
            Region = key.Region,
            Profile = options.S3AccessKeyId is null ? key.Profile : null,
            Credentials = options.S3AccessKeyId is { } id ? (id, options.S3SecretAccessKey!) : null,
            MaxConnections = 32,
            DirectRequests = false,
            RequestTimeout = TimeSpan.FromSeconds(60),
        }, key.Bucket));

    public void Dispose()
    {
        foreach (var store in _stores.Values)
        {
            store.Dispose();
        }
    }
}
