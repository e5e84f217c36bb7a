namespace Ferry.Core.Storage;

/// <summary>
/// The ability to write one object in numbered parts that may be sent in parallel and
/// resumed: parts already stored are listed by <see cref="ListPartsAsync"/> and need not be sent again.
/// </summary>
public interface IMultipartObjectStore
{
    /// <summary>The smallest part size the store accepts for every part but the last, in bytes.</summary>
    long MinimumPartSize { get; }

    /// <summary>Starts a multipart upload; <paramref name="options"/>' SHA-256 is stored with the final object.</summary>
    Task<string> StartMultipartAsync(string key, ObjectWriteOptions options, CancellationToken cancellationToken);

    /// <summary>Stores one part (numbered from 1). <paramref name="contentMd5"/> is the base64 MD5 of the body.</summary>
    Task<StoredPart> UploadPartAsync(string key, string uploadId, int partNumber, ReadOnlyMemory<byte> body, string contentMd5, CancellationToken cancellationToken);

    /// <summary>
    /// The parts stored so far. Throws <see cref="StoreErrorKind.NotFound"/> when the upload no longer exists,
    /// and <see cref="StoreErrorKind.NotSupported"/> when the store cannot list parts (s3rver); callers then
    /// rely on their own record of the parts they sent.
    /// </summary>
    IAsyncEnumerable<StoredPart> ListPartsAsync(string key, string uploadId, CancellationToken cancellationToken);

    /// <summary>Joins the parts (in part-number order) into the object.</summary>
    Task<StoredObject> CompleteMultipartAsync(string key, string uploadId, IReadOnlyList<StoredPart> parts, CancellationToken cancellationToken);

    /// <summary>Discards the upload and its parts; aborting a missing upload succeeds; <see cref="StoreErrorKind.NotSupported"/> where the store cannot abort.</summary>
    Task AbortMultipartAsync(string key, string uploadId, CancellationToken cancellationToken);
}
