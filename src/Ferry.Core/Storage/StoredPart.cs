namespace Ferry.Core.Storage;

/// <summary>One stored part of a multipart upload.</summary>
/// <param name="PartNumber">From 1.</param>
/// <param name="Size">Bytes in the part.</param>
/// <param name="ETag">The store's tag for the part, without quotes (an MD5 hex digest on S3).</param>
public sealed record StoredPart(int PartNumber, long Size, string ETag);
