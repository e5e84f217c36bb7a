namespace Ferry.Core.Storage;

/// <summary>
/// The write side of a store: what an upload needs (list and look up what is there, write objects). A store that can
/// only write — an upload session on a Ferry server — implements this and not <see cref="IObjectStore"/>, so it never
/// promises reads or deletes it cannot do. The write half of the contract suite runs against every writable store.
/// </summary>
public interface IWritableObjectStore : IListableObjectStore
{
    /// <summary>
    /// Writes <paramref name="length"/> bytes from <paramref name="content"/> under <paramref name="key"/>,
    /// replacing any object there. The object appears whole or not at all.
    /// </summary>
    Task<StoredObject> PutAsync(string key, Stream content, long length, ObjectWriteOptions options, CancellationToken cancellationToken);
}
