namespace Ferry.Core.Storage;

/// <summary>
/// The ability to see and remove every version of an object on a store that keeps old versions (an S3 bucket with
/// versioning enabled or suspended): a plain <see cref="IObjectStore.DeleteAsync"/> there only adds a delete marker
/// and the bytes stay. Erasure uses this to leave nothing behind (docs/donations.md, "Erasure that leaves nothing").
/// </summary>
public interface IVersionedObjectStore
{
    /// <summary>
    /// Every version and every delete marker of every key starting with <paramref name="prefix"/>, streamed page by page
    /// (S3: <c>ListObjectVersions</c>). A store without versioning yields nothing.
    /// </summary>
    IAsyncEnumerable<ObjectVersion> ListVersionsAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// Permanently deletes one version or delete marker (S3: <c>DeleteObject</c> with <c>versionId</c>); deleting the
    /// latest version makes the one before it current, as on S3. Deleting a missing version succeeds.
    /// </summary>
    Task DeleteVersionAsync(string key, string versionId, CancellationToken cancellationToken);
}
