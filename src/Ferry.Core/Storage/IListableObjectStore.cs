namespace Ferry.Core.Storage;

/// <summary>
/// What every store offers, whichever side it serves: a named container of keys that can be listed and looked up.
/// Keys use '/' separators and are passed through unchanged (no normalization, no escaping). The write side
/// (<see cref="IWritableObjectStore"/>) and the read side (<see cref="IReadableObjectStore"/>) build on it; a full
/// store (<see cref="IObjectStore"/>) is both and can delete. Optional abilities live in separate interfaces
/// (<see cref="IMultipartObjectStore"/>, <see cref="IPresigningObjectStore"/>).
/// Failures are reported as <see cref="StoreException"/> with a <see cref="StoreErrorKind"/>.
/// </summary>
public interface IListableObjectStore
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
    /// (no delimiter), streamed page by page. <see cref="StoredObject.Sha256"/> is not filled. S3 lists in key order;
    /// a local folder in no particular order (it reads several folders at once), so a caller that needs an order sorts.
    /// </summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="ListAsync(string, CancellationToken)"/>, from the first key after <paramref name="startAfter"/>
    /// (S3's <c>start-after</c>; null or empty: from the prefix's first key), in pages of at most <paramref name="pageSize"/> objects (1 to 1,000), so that a caller
    /// that needs only a short range of keys stops reading after a page or two. This default filters the whole
    /// listing (a local directory lists itself cheaply); S3 starts the listing there.
    /// </summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, string? startAfter, int pageSize, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(startAfter) ? ListAsync(prefix, cancellationToken) : ListAsync(prefix, cancellationToken).Where(o => string.CompareOrdinal(o.Key, startAfter) > 0);

    /// <summary>The object's size, ETag and Ferry's SHA-256 where known; null when the key does not exist.</summary>
    Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Checks that the store can be reached and its container (bucket, directory) exists,
    /// without writing. Throws a <see cref="StoreException"/> naming the problem otherwise.
    /// </summary>
    Task CheckAccessAsync(CancellationToken cancellationToken);
}
