namespace Ferry.Server.Data;

/// <summary>One file of a session: where it goes and what became of it. Status is a <see cref="FileStatus"/>.</summary>
internal sealed class SessionFile
{
    public long Id { get; set; }
    public long SessionId { get; set; }
    public required string Path { get; set; }
    public required string Key { get; set; }
    public long Size { get; set; }
    public DateTimeOffset? LastModified { get; set; }
    public required FileStatus Status { get; set; }
    public string? ETag { get; set; }
    public string? Checksum { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? UploadedAt { get; set; }

    /// <summary>The key under which the project already held this file's bytes (same SHA-256 and size) when it was registered or verified; null when none.</summary>
    public string? DuplicateOf { get; set; }
}
