namespace Ferry.Core.Storage;

/// <summary>
/// The small contract every store fulfils: a flat namespace of keys holding byte blobs.
/// Keys use '/' separators and are passed through unchanged (no normalization, no escaping).
/// Optional abilities live in separate interfaces (<see cref="IMultipartObjectStore"/>).
/// Failures are reported as <see cref="StoreException"/> with a <see cref="StoreErrorKind"/>.
/// </summary>
public interface IObjectStore
{
    /// <summary>Where this store points, for people: <c>s3://bucket</c> or a directory path.</summary>
    string Description { get; }

    /// <summary>
    /// A stable name for the container this store writes to, endpoint included
    /// (<c>http://127.0.0.1:4568/bucket</c>, <c>aws:eu-west-1/bucket</c>, <c>file:/data/backup</c>);
    /// the journal keys what it remembers by it.
    /// </summary>
    string Identity { get; }

    /// <summary>
    /// Every object whose key starts with <paramref name="prefix"/>, in one flat listing
    /// (no delimiter), streamed page by page. <see cref="StoredObject.Sha256"/> is not filled.
    /// </summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The object's size, ETag and Ferry's SHA-256 where known; null when the key does not exist.</summary>
    Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="length"/> bytes from <paramref name="content"/> under <paramref name="key"/>,
    /// replacing any object there. The object appears whole or not at all.
    /// </summary>
    Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Opens bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of the
    /// object (<paramref name="length"/> null: to the end), with what the store reports about the whole
    /// object. Throws <see cref="StoreErrorKind.NotFound"/> when absent.
    /// </summary>
    Task<ObjectContent> ReadAsync(string key, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>Deletes the object; deleting a missing key succeeds.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Checks that the store can be reached and its container (bucket, directory) exists,
    /// without writing. Throws a <see cref="StoreException"/> naming the problem otherwise.
    /// </summary>
    Task CheckAccessAsync(CancellationToken cancellationToken);
}
