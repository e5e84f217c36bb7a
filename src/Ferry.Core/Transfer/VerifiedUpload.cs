namespace Ferry.Core.Transfer;

/// <summary>An object whose size and checksum Ferry has checked against what the store reports.</summary>
/// <param name="Sha256">SHA-256 of the local bytes, as Ferry computed it.</param>
/// <param name="Md5">MD5 of the local bytes when Ferry computed it (single-request uploads), else null.</param>
/// <param name="ETag">The ETag the store reported.</param>
/// <param name="Size">The verified size.</param>
/// <param name="MtimeTicks">The local file's modification time that the bytes belong to.</param>
public sealed record VerifiedUpload(string Sha256, string? Md5, string? ETag, long Size, long MtimeTicks);
