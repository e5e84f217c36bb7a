namespace Ferry.Core.Verification;

/// <summary>One way the local tree and the destination differ.</summary>
/// <param name="Kind">missing (no object), size (sizes differ), checksum (bytes differ), unverifiable (no checksum to compare), extra (object with no local file), error.</param>
public sealed record VerificationDifference(string Kind, string Path, string Key, string Detail);
