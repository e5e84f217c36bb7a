namespace Ferry.Core.Storage;

/// <summary>Conveniences every store gets from its contract.</summary>
public static class ObjectStoreExtensions
{
    /// <summary>Opens the whole object's bytes for reading. Throws <see cref="StoreErrorKind.NotFound"/> when absent.</summary>
    public static async Task<Stream> OpenReadAsync(this IReadableObjectStore store, string key, CancellationToken cancellationToken) =>
        (await store.ReadAsync(key, 0, null, cancellationToken).ConfigureAwait(false)).Content;
}
