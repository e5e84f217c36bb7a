namespace Ferry.Core.Storage;

/// <summary>Bytes of an object being read, with what the store reported about the object alongside them.</summary>
/// <param name="Object">Size (of the whole object), ETag and, where the store sends it with the bytes, Ferry's SHA-256.</param>
/// <param name="Content">The requested bytes; dispose it (or this) when done.</param>
public sealed record ObjectContent(StoredObject Object, Stream Content) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
