namespace Ferry.Core.Storage;

/// <summary>
/// A store that can list a folder's objects in the order <see cref="Transfer.SourceScanner"/> finds files
/// (<see cref="ScanOrder"/>), so that an upload compares the destination with the source in one pass, folder by folder,
/// reading both at once, instead of listing the whole destination first. A local folder is one: it is read the same way
/// as a source. S3 is not: its listing is in plain key order, so an upload loads it whole.
/// </summary>
public interface IScanOrderListingObjectStore : IListableObjectStore
{
    /// <summary>
    /// Every object under <paramref name="folderKey"/> (keys starting with <c>folderKey/</c>; every object when it is
    /// empty), in <see cref="ScanOrder"/>, read lazily as the caller moves on. <see cref="StoredObject.Sha256"/> is not
    /// filled; size and ETag are those <see cref="IListableObjectStore.ListAsync(string, CancellationToken)"/> gives.
    /// A missing folder, or one removed during the walk, lists nothing; one that cannot be read fails the listing with
    /// the file system's exception, as <see cref="IListableObjectStore.ListAsync(string, CancellationToken)"/> does.
    /// </summary>
    IAsyncEnumerable<StoredObject> ListInScanOrderAsync(string folderKey, CancellationToken cancellationToken);
}
