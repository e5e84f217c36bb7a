namespace Ferry.Core.Transfer;

/// <summary>An object fetched into a local file and checked.</summary>
/// <param name="Sha256">SHA-256 of the bytes written, as Ferry computed it.</param>
/// <param name="ETag">The ETag the store reported with the bytes.</param>
/// <param name="Size">Bytes written.</param>
/// <param name="ChecksumVerified">False only when the store had neither a SHA-256 nor an MD5 ETag to compare with (size was still checked).</param>
public sealed record FetchedObject(string Sha256, string? ETag, long Size, bool ChecksumVerified);
