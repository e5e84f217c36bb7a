namespace Ferry.Core.Storage;

/// <summary>The read side of a store: what a download or a verification needs (list, look up, read bytes).</summary>
public interface IReadableObjectStore : IListableObjectStore
{
    /// <summary>
    /// Opens bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of the
    /// object (<paramref name="length"/> null: to the end), with what the store reports about the whole
    /// object. Throws <see cref="StoreErrorKind.NotFound"/> when absent.
    /// </summary>
    Task<ObjectContent> ReadAsync(string key, long offset, long? length, CancellationToken cancellationToken);
}
