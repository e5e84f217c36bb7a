using System.Collections.Concurrent;
using Ferry.Core.Storage;
using Ferry.Server.Storage;
using Ferry.Storage.S3;

namespace Ferry.Server.Sessions;

/// <summary>
/// The store of each project (<see cref="ProjectStore"/>: the store, multipart and presigning, as interfaces; S3 today),
/// built from the project's storage location (endpoint, region, addressing, credentials), never from text a company typed; made once per (location version, region, bucket) and kept for the server's life.
/// Credentials: the location's stored keys, its profile, or the default chain (Ferry:S3AccessKeyId/S3SecretAccessKey
/// when set, else the AWS SDK's standard chain, <c>S3CredentialChain</c>: web identity, environment, profiles, container
/// credentials, instance metadata). They sign HEAD, multipart calls and URLs; they never leave the server.
/// On a custom endpoint every PUT (of a seekable body: all the server's), part upload, GET, HEAD and listing (the relay, verification, export delivery, testing
/// a location) goes through Ferry's own SigV4 client, as the CLI's do
/// (about a quarter less of the server's CPU per relayed file than the SDK's pipeline: docs/benchmarks.md, "Issue 16, session 21");
/// multipart control, deletes, bucket settings and every call to AWS itself use the SDK. Every connection passes <see cref="EndpointGuard"/>.
/// </summary>
internal sealed class ProjectStores(FerryServerOptions options, StorageSecrets secrets, EndpointGuard guard) : IDisposable
{
    private readonly ConcurrentDictionary<(long Location, DateTimeOffset Version, string Region, string Bucket), ProjectStore> _stores = new();
    private readonly Lazy<HttpClient> _presignedRequests = new(() => S3StoreFactory.CreateHttpClient(maxConnections: 64, TimeSpan.FromMinutes(5), guard.Allows));

    /// <summary>
    /// The client for the server's own requests to presigned URLs (a job's uploads, as any session client makes them):
    /// its connections pass <see cref="EndpointGuard"/> like every other connection the server opens to storage.
    /// </summary>
    public HttpClient PresignedRequests => _presignedRequests.Value;

    /// <summary>The project's store and its abilities; throws <see cref="StoreException"/> when the project has no storage location.</summary>
    public ProjectStore For(Project project)
    {
        var location = project.StorageLocation
            ?? throw new StoreException(StoreErrorKind.InvalidCredentials, $"project {project.Id} has no storage location; a company admin must pick a granted one");
        var region = string.IsNullOrEmpty(project.Region) ? location.Region : project.Region;
        return _stores.GetOrAdd((location.Id, location.UpdatedAt, region, project.BucketName), key =>
        {
            var store = Create(location, key.Region, key.Bucket, maxConnections: 32);
            // The server checks access on a project store only before delivering an export: listing under the export
            // prefix, not the bucket's start, lets a policy limited to the cycles and exports pass (ferry s3 policy --role server).
            store.AccessCheckPrefix = options.ExportPrefix.Trim('/') + "/";
            return new ProjectStore(store, store, store);
        });
    }

    /// <summary>A store the caller owns (and disposes), for testing a location.</summary>
    public S3ObjectStore CreateUncached(StorageLocation location, string bucket) => Create(location, location.Region, bucket, maxConnections: 4);

    private S3ObjectStore Create(StorageLocation location, string region, string bucket, int maxConnections) => S3StoreFactory.Create(new S3ConnectionOptions
    {
        Endpoint = location.EndpointUrl is null ? null : new Uri(location.EndpointUrl),
        Region = region,
        Profile = location.CredentialSource == StorageCredentialSources.Profile ? location.ProfileName : null,
        Credentials = location.CredentialSource switch
        {
            StorageCredentialSources.Keys => (location.AccessKeyId!, secrets.Decrypt(location.SecretCiphertext!)),
            StorageCredentialSources.Default when options.S3AccessKeyId is { } id => (id, options.S3SecretAccessKey!),
            _ => null,
        },
        MaxConnections = maxConnections,
        RequestTimeout = TimeSpan.FromSeconds(60),
        AllowAddress = guard.Allows,
    }, bucket);

    public void Dispose()
    {
        foreach (var store in _stores.Values)
        {
            (store.Objects as IDisposable)?.Dispose();
        }

        if (_presignedRequests.IsValueCreated)
        {
            _presignedRequests.Value.Dispose();
        }
    }
}
