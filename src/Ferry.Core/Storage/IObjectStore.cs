namespace Ferry.Core.Storage;

/// <summary>
/// A full store: the write side (<see cref="IWritableObjectStore"/>) and the read side (<see cref="IReadableObjectStore"/>)
/// of one flat namespace of keys holding byte blobs, and deleting. Local directories and S3 buckets are full stores;
/// the whole contract suite runs against each.
/// </summary>
public interface IObjectStore : IWritableObjectStore, IReadableObjectStore
{
    /// <summary>Deletes the object; deleting a missing key succeeds.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
