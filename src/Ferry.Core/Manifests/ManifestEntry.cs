using System.Text.Json.Serialization;

namespace Ferry.Core.Manifests;

/// <summary>One line of a Ferry manifest (JSON Lines, snake_case): a file of the run and the object it became.</summary>
public sealed record ManifestEntry(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("etag")] string? ETag,
    [property: JsonPropertyName("source_path")] string SourcePath,
    [property: JsonPropertyName("source_mtime")] DateTimeOffset SourceMtime,
    [property: JsonPropertyName("uploaded_at")] DateTimeOffset UploadedAt,
    [property: JsonPropertyName("verified_at")] DateTimeOffset VerifiedAt,
    [property: JsonPropertyName("status")] string Status);
