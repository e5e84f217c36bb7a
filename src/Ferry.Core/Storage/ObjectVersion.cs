namespace Ferry.Core.Storage;

/// <summary>One version of an object, or a delete marker, on a versioned store (<see cref="IVersionedObjectStore"/>).</summary>
/// <param name="Key">The object's key.</param>
/// <param name="VersionId">The store's id of this version (S3's <c>VersionId</c>; <c>null</c> there is the string "null").</param>
/// <param name="IsDeleteMarker">True for a delete marker (no bytes; hides the versions before it).</param>
/// <param name="IsLatest">True for the key's current version or marker.</param>
/// <param name="Size">Bytes of this version (0 for a delete marker).</param>
public sealed record ObjectVersion(string Key, string VersionId, bool IsDeleteMarker, bool IsLatest, long Size);
