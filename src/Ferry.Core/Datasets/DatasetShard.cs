namespace Ferry.Core.Datasets;

/// <summary>One shard to read: its key, and the SHA-256 it must have (from a manifest) when known.</summary>
public sealed record DatasetShard(string Key, string? Sha256 = null);
