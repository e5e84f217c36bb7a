namespace Ferry.Core.Storage;

/// <summary>What a store reports about one object.</summary>
/// <param name="Key">The full key.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="ETag">The store's entity tag without quotes; an MD5 hex digest for single-part S3 uploads, opaque otherwise.</param>
/// <param name="LastModified">When the store last wrote the object.</param>
/// <param name="Sha256">Ferry's SHA-256 (lower-case hex) recorded with the object, when known (head only).</param>
public sealed record StoredObject(string Key, long Size, string? ETag, DateTimeOffset LastModified, string? Sha256 = null)
{
    /// <summary>
    /// True when the store computed <see cref="Sha256"/> itself from the bytes it wrote (a local folder's write): it
    /// proves the write as a HEAD would, without reading the object back.
    /// </summary>
    public bool Sha256IsOfWrittenBytes { get; init; }

    /// <summary>True when <see cref="ETag"/> is a plain MD5 digest of the bytes (32 hex digits).</summary>
    public bool ETagIsMd5 => Hashing.ContentHashes.IsMd5Hex(ETag);
}
