namespace Ferry.Server.Data;

/// <summary>A multipart upload the server started for a session's file; only these upload ids may be signed or completed.</summary>
internal sealed class SessionMultipartUpload
{
    public long Id { get; set; }
    public long SessionId { get; set; }
    public long FileId { get; set; }
    public required string UploadId { get; set; }
    public required string Key { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
