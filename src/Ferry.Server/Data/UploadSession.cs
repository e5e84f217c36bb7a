namespace Ferry.Server.Data;

/// <summary>One upload of a folder into a cycle, from a browser or the CLI, with running counters.</summary>
internal sealed class UploadSession : CompanyOwned
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public long CycleId { get; set; }
    public long UserId { get; set; }
    public string? Label { get; set; }
    public string? LocalDirectory { get; set; }
    public required string Client { get; set; }
    public required SessionStatus Status { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset LastActivityAt { get; set; }
    public DateTimeOffset? FirstUploadAt { get; set; }
    public long TotalFiles { get; set; }
    public long UploadedFiles { get; set; }
    public long SkippedFiles { get; set; }
    public long FailedFiles { get; set; }
    public long TotalBytes { get; set; }
    public long UploadedBytes { get; set; }
    public long SkippedBytes { get; set; }
}
