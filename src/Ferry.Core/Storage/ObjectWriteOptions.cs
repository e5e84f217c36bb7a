namespace Ferry.Core.Storage;

/// <summary>What Ferry knows about bytes it writes, so that the store can check them and keep them.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the whole object; stored with the object (S3: <c>x-amz-meta-sha256</c>).</param>
/// <param name="ContentMd5">Base64 MD5 of this request's body, sent as <c>Content-MD5</c>; null to send none.</param>
/// <param name="DeferDurability">
/// True when the caller makes the write durable itself with <see cref="IDurabilityBarrier.MakeDurableAsync"/> before it
/// relies on it; a store that is no <see cref="IDurabilityBarrier"/> (or cannot defer) ignores it.
/// </param>
public sealed record ObjectWriteOptions(string? Sha256, string? ContentMd5 = null, bool DeferDurability = false);
