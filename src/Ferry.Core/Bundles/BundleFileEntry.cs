namespace Ferry.Core.Bundles;

/// <summary>One file of a bundle as it was copied in: its path in the bundle, size and SHA-256 (lower-case hex).</summary>
public sealed record BundleFileEntry(string Path, string Section, long Size, string Sha256);
