namespace Ferry.Server.Data;

/// <summary>
/// An object the server has verified in a project's bucket (exists, right size, matching ETag), whichever
/// session put it there: the memory that makes "pick the same folder again" upload only what is missing.
/// </summary>
internal sealed class VerifiedObject
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public required string Key { get; set; }
    public long Size { get; set; }
    public DateTimeOffset? LastModified { get; set; }
    public string? ETag { get; set; }
    public string? Checksum { get; set; }
    public long SessionId { get; set; }
    public DateTimeOffset VerifiedAt { get; set; }
}
