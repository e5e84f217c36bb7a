namespace Ferry.Core.Storage;

/// <summary>
/// A store that can list the multipart uploads begun and neither completed nor aborted (S3: <c>ListMultipartUploads</c>),
/// so that an erasure finds a donor's unfinished uploads even when no journal on this machine knows of them.
/// </summary>
public interface IMultipartListingObjectStore
{
    /// <summary>
    /// Every unfinished multipart upload of a key starting with <paramref name="prefix"/>, streamed page by page. Throws
    /// <see cref="StoreException"/> with <see cref="StoreErrorKind.NotSupported"/> when the store does not implement the
    /// listing (s3rver answers it with an error).
    /// </summary>
    IAsyncEnumerable<PendingMultipartUpload> ListMultipartUploadsAsync(string prefix, CancellationToken cancellationToken);
}

/// <summary>An unfinished multipart upload: its key and upload id.</summary>
public sealed record PendingMultipartUpload(string Key, string UploadId);
