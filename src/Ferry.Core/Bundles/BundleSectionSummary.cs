namespace Ferry.Core.Bundles;

/// <summary>A section's totals in a bundle.</summary>
public sealed record BundleSectionSummary(string Name, string Source, long Files, long Bytes);
