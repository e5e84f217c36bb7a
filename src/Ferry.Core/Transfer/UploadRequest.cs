using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>What to upload where: every regular file <c>Source/REL</c> becomes the object <c>Prefix + REL</c> in <c>Store</c>.</summary>
/// <param name="Source">The local folder.</param>
/// <param name="Store">The destination store (the write side is all an upload needs).</param>
/// <param name="Prefix">Key prefix; empty, or ending in '/'.</param>
public sealed record UploadRequest(string Source, IWritableObjectStore Store, string Prefix);
