using System.Text.Json;

namespace Ferry.Core.Datasets;

/// <summary>One JSON Lines record: its value, the shard it came from and its line number there (from 1).</summary>
public readonly record struct DatasetRecord(JsonElement Value, string Shard, long Line);
