using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3;

/// <summary>
/// One S3 bucket as a store, over the AWS SDK. Request bodies are sent plainly (no aws-chunked
/// framing, no SDK checksums, no <c>Expect: 100-continue</c>); over HTTPS a body sent with Ferry's
/// own <c>Content-MD5</c> is not hashed again for the signature (UNSIGNED-PAYLOAD; TLS protects it,
/// S3 checks the MD5 and Ferry checks the returned ETag; the SDK allows this only over HTTPS). Listings are flat (no
/// delimiter), and the SDK's own retries are off: Ferry's retry policy decides, from the
/// <see cref="StoreErrorKind"/> this store reports.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IMultipartObjectStore, IMultipartListingObjectStore, IPresigningObjectStore, IVersionedObjectStore, IDisposable
{
    /// <summary>The metadata name under which Ferry keeps the object's SHA-256 (<c>x-amz-meta-sha256</c>).</summary>
    public const string Sha256MetadataName = "sha256";

    private readonly Lazy<IAmazonS3> _sdk;
    private readonly string _bucket;
    private readonly string _endpointDescription;

    private readonly bool _https;
    private readonly S3DirectClient? _direct;
    private readonly S3Presigner _presigner;

    internal S3ObjectStore(Func<IAmazonS3> client, string bucket, string endpointDescription, bool https, S3DirectClient? direct, S3Presigner presigner)
    {
        _presigner = presigner;
        _direct = direct;
        // Built on first use: a transfer with a custom endpoint signs its own requests and may never need the SDK.
        _sdk = new Lazy<IAmazonS3>(client, LazyThreadSafetyMode.ExecutionAndPublication);
        _bucket = bucket;
        _endpointDescription = endpointDescription;
        _https = https;
    }

    public string Description => $"s3://{_bucket}";

    /// <summary>Where the credentials came from and when they (first) expire; never a secret.</summary>
    public S3CredentialSource? CredentialSource { get; init; }

    public string Identity => $"{_endpointDescription}/{_bucket}";

    public long MinimumPartSize => 5L * 1024 * 1024;

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) =>
        ListAsync(prefix, startAfter: null, pageSize: 1000, cancellationToken);

    /// <summary>ListObjectsV2 with <c>start-after</c> and <c>max-keys</c>; <paramref name="startAfter"/> null or empty: from the prefix's first key.</summary>
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, string? startAfter, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 1000);
        if (_direct is not null)
        {
            string? token = null;
            do
            {
                var (objects, next) = await _direct.ListPageAsync(prefix, startAfter, token, pageSize, cancellationToken).ConfigureAwait(false);
                foreach (var entry in objects)
                {
                    yield return entry;
                }

                token = next;
            }
            while (token is not null);
            yield break;
        }

        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix, MaxKeys = pageSize, StartAfter = string.IsNullOrEmpty(startAfter) ? null : startAfter };
        while (true)
        {
            var response = await CallAsync(() => _sdk.Value.ListObjectsV2Async(request, cancellationToken), prefix).ConfigureAwait(false);
            foreach (var entry in response.S3Objects ?? [])
            {
                yield return new StoredObject(entry.Key, entry.Size ?? 0, Unquote(entry.ETag), ToOffset(entry.LastModified));
            }

            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        if (_direct is not null)
        {
            return await _direct.HeadAsync(key, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var response = await CallAsync(() => _sdk.Value.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, cancellationToken), key).ConfigureAwait(false);
            var sha256 = response.Metadata[Sha256MetadataName];
            return new StoredObject(key, response.ContentLength, Unquote(response.ETag), ToOffset(response.LastModified), string.IsNullOrEmpty(sha256) ? null : sha256);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotFound)
        {
            return null;
        }
    }

    public async Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        if (_direct is not null && content.CanSeek)
        {
            return await _direct.PutAsync(key, content, length, options, cancellationToken).ConfigureAwait(false);
        }

        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            InputStream = content,
            AutoCloseStream = false,
            AutoResetStreamPosition = false,
            UseChunkEncoding = false,
            MD5Digest = options.ContentMd5,
            DisablePayloadSigning = _https && options.ContentMd5 is not null,
        };
        request.Headers.ContentLength = length;
        if (options.Sha256 is not null)
        {
            request.Metadata.Add(Sha256MetadataName, options.Sha256);
        }

        var response = await CallAsync(() => _sdk.Value.PutObjectAsync(request, cancellationToken), key).ConfigureAwait(false);
        return new StoredObject(key, length, Unquote(response.ETag), DateTimeOffset.UtcNow, options.Sha256);
    }

    public async Task<ObjectContent> ReadAsync(string key, long offset, long? length, CancellationToken cancellationToken)
    {
        if (_direct is not null)
        {
            return await _direct.GetAsync(key, offset, length, cancellationToken).ConfigureAwait(false);
        }

        var request = new GetObjectRequest { BucketName = _bucket, Key = key };
        if (offset > 0 || length is not null)
        {
            request.ByteRange = length is { } count ? new ByteRange(offset, offset + count - 1) : new ByteRange($"bytes={offset}-");
        }

        var response = await CallAsync(() => _sdk.Value.GetObjectAsync(request, cancellationToken), key).ConfigureAwait(false);
        var total = TotalSize(response.ContentRange) ?? response.ContentLength;
        var sha256 = response.Metadata[Sha256MetadataName];
        var info = new StoredObject(key, total, Unquote(response.ETag), ToOffset(response.LastModified), string.IsNullOrEmpty(sha256) ? null : sha256);
        return new ObjectContent(info, new ResponseBodyStream(response.ResponseStream, response, response.ContentLength));
    }

    /// <summary>
    /// <c>ListObjectVersions</c> (<c>GET /BUCKET?versions&amp;prefix=…</c>, paged with <c>key-marker</c> and
    /// <c>version-id-marker</c>): every version and delete marker (an unversioned bucket lists each object once, version
    /// id <c>null</c>). Needs <c>s3:ListBucketVersions</c>. Stores without it (s3rver) answer 405/501: <see cref="StoreErrorKind.NotSupported"/>.
    /// </summary>
    public async IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListVersionsRequest { BucketName = _bucket, Prefix = prefix, MaxKeys = 1000 };
        while (true)
        {
            var response = await CallAsync(() => _sdk.Value.ListVersionsAsync(request, cancellationToken), prefix).ConfigureAwait(false);
            foreach (var version in response.Versions ?? [])
            {
                yield return new ObjectVersion(version.Key, version.VersionId ?? "null", version.IsDeleteMarker ?? false, version.IsLatest ?? false, version.Size ?? 0);
            }

            if (response.IsTruncated != true)
            {
                yield break;
            }

            request.KeyMarker = response.NextKeyMarker;
            request.VersionIdMarker = response.NextVersionIdMarker;
        }
    }

    /// <summary><c>DeleteObject</c> with <c>versionId</c> (<c>DELETE /BUCKET/KEY?versionId=…</c>): removes that version or delete marker for good. Needs <c>s3:DeleteObjectVersion</c>.</summary>
    public Task DeleteVersionAsync(string key, string versionId, CancellationToken cancellationToken) =>
        CallAsync(() => _sdk.Value.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key, VersionId = versionId }, cancellationToken), key);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        CallAsync(() => _sdk.Value.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, cancellationToken), key);

    /// <summary>
    /// Where <see cref="CheckAccessAsync"/> lists (default "": the bucket's start). A command that works under a prefix sets
    /// it, so that a policy allowing listing only under that prefix (<c>ferry s3 policy --prefix</c>) passes the check.
    /// </summary>
    public string AccessCheckPrefix { get; set; } = "";

    public async Task CheckAccessAsync(CancellationToken cancellationToken)
    {
        // One listing of at most one key: proves the endpoint answers, the credentials are
        // accepted and the bucket exists, and needs only the permission an upload needs anyway.
        if (_direct is not null)
        {
            await _direct.ListPageAsync(AccessCheckPrefix, null, null, 1, cancellationToken).ConfigureAwait(false);
            return;
        }

        var request = new ListObjectsV2Request { BucketName = _bucket, MaxKeys = 1, Prefix = AccessCheckPrefix.Length == 0 ? null : AccessCheckPrefix };
        await CallAsync(() => _sdk.Value.ListObjectsV2Async(request, cancellationToken), "").ConfigureAwait(false);
    }

    public async Task<string> StartMultipartAsync(string key, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = _bucket, Key = key };
        if (options.Sha256 is not null)
        {
            request.Metadata.Add(Sha256MetadataName, options.Sha256);
        }

        var response = await CallAsync(() => _sdk.Value.InitiateMultipartUploadAsync(request, cancellationToken), key).ConfigureAwait(false);
        return response.UploadId;
    }

    public async Task<StoredPart> UploadPartAsync(string key, string uploadId, int partNumber, ReadOnlyMemory<byte> body, string contentMd5, CancellationToken cancellationToken)
    {
        using var stream = new ReadOnlyMemoryStream(body);
        if (_direct is not null)
        {
            var etag = await _direct.UploadPartAsync(key, uploadId, partNumber, stream, body.Length, contentMd5, cancellationToken).ConfigureAwait(false);
            return new StoredPart(partNumber, body.Length, Unquote(etag) ?? "");
        }

        var request = new UploadPartRequest
        {
            BucketName = _bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = stream,
            PartSize = body.Length,
            MD5Digest = contentMd5,
            UseChunkEncoding = false,
            DisablePayloadSigning = _https,
        };
        var response = await CallAsync(() => _sdk.Value.UploadPartAsync(request, cancellationToken), key).ConfigureAwait(false);
        return new StoredPart(partNumber, body.Length, Unquote(response.ETag) ?? "");
    }

    public async IAsyncEnumerable<StoredPart> ListPartsAsync(string key, string uploadId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListPartsRequest { BucketName = _bucket, Key = key, UploadId = uploadId };
        while (true)
        {
            var response = await CallAsync(() => _sdk.Value.ListPartsAsync(request, cancellationToken), key).ConfigureAwait(false);
            foreach (var part in response.Parts ?? [])
            {
                yield return new StoredPart(part.PartNumber ?? 0, part.Size ?? 0, Unquote(part.ETag) ?? "");
            }

            if (response.IsTruncated != true)
            {
                yield break;
            }

            request.PartNumberMarker = response.NextPartNumberMarker?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public async Task<StoredObject> CompleteMultipartAsync(string key, string uploadId, IReadOnlyList<StoredPart> parts, CancellationToken cancellationToken)
    {
        var request = new CompleteMultipartUploadRequest
        {
            BucketName = _bucket,
            Key = key,
            UploadId = uploadId,
            PartETags = parts.OrderBy(p => p.PartNumber).Select(p => new PartETag(p.PartNumber, p.ETag)).ToList(),
        };
        var response = await CallAsync(() => _sdk.Value.CompleteMultipartUploadAsync(request, cancellationToken), key).ConfigureAwait(false);
        return new StoredObject(key, parts.Sum(p => p.Size), Unquote(response.ETag), DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// <c>ListMultipartUploads</c> (<c>GET /BUCKET?uploads&amp;prefix=…</c>, paged with <c>key-marker</c> and
    /// <c>upload-id-marker</c>). Needs <c>s3:ListBucketMultipartUploads</c>. A store that does not implement it answers
    /// 405/501 (<see cref="StoreErrorKind.NotSupported"/>).
    /// </summary>
    public async IAsyncEnumerable<PendingMultipartUpload> ListMultipartUploadsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListMultipartUploadsRequest { BucketName = _bucket, Prefix = prefix, MaxUploads = 1000 };
        while (true)
        {
            var response = await CallAsync(() => _sdk.Value.ListMultipartUploadsAsync(request, cancellationToken), prefix).ConfigureAwait(false);
            foreach (var upload in response.MultipartUploads ?? [])
            {
                if (upload.Key.StartsWith(prefix, StringComparison.Ordinal)) // a store that ignores the prefix must not widen an abort
                {
                    yield return new PendingMultipartUpload(upload.Key, upload.UploadId);
                }
            }

            if (response.IsTruncated != true || (response.NextKeyMarker is null && response.NextUploadIdMarker is null))
            {
                yield break;
            }

            request.KeyMarker = response.NextKeyMarker;
            request.UploadIdMarker = response.NextUploadIdMarker;
        }
    }

    public async Task AbortMultipartAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(() => _sdk.Value.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId }, cancellationToken), key).ConfigureAwait(false);
        }
        catch (StoreException ex) when (ex.Kind == StoreErrorKind.NotFound)
        {
            // Already gone: that is what abort wants.
        }
    }

    public PresignedRequest PresignPut(string key, long size, DateTimeOffset now, TimeSpan lifetime) => _presigner.Put(key, size, now, lifetime);

    public PresignedRequest PresignPost(string key, long size, DateTimeOffset now, TimeSpan lifetime) => _presigner.Post(key, size, now, lifetime);

    public PresignedRequest PresignGet(string key, DateTimeOffset now, TimeSpan lifetime) => _presigner.Get(key, now, lifetime);

    public string ObjectUrl(string key) => _presigner.ObjectUrl(key);

    public PresignedRequest PresignUploadPart(string key, string uploadId, int partNumber, DateTimeOffset now, TimeSpan lifetime) =>
        _presigner.UploadPart(key, uploadId, partNumber, now, lifetime);

    /// <summary>The SDK client for this store's endpoint and credentials, for bucket settings Ferry does not model (CORS, lifecycle).</summary>
    public IAmazonS3 Client => _sdk.Value;

    /// <summary>The bucket this store writes to.</summary>
    public string Bucket => _bucket;

    public void Dispose()
    {
        if (_sdk.IsValueCreated)
        {
            _sdk.Value.Dispose();
        }
    }

    private async Task<T> CallAsync<T>(Func<Task<T>> call, string key)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (S3ErrorClassifier.Classify(ex, _bucket, key, _endpointDescription) is { } error)
        {
            throw error;
        }
    }

    private static string? Unquote(string? etag) => etag?.Trim('"');

    /// <summary>The total size from a Content-Range answer ("bytes 0-99/1234"), or null.</summary>
    private static long? TotalSize(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange![(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var total) ? total : null;
    }

    private static DateTimeOffset ToOffset(DateTime? value) =>
        value is { } time ? new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
}
