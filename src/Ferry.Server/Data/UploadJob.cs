namespace Ferry.Server.Data;

/// <summary>
/// An upload from a folder on the server's own file systems, run by a worker (<c>ferry worker</c>, or the one in
/// <c>ferry serve --worker</c>). The work is an ordinary upload session, so its progress shows where every session's
/// does. Status is a <see cref="JobStatus"/>; a running job whose heartbeat is older than the worker timeout
/// is taken over by another worker.
/// </summary>
internal sealed class UploadJob : CompanyOwned
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public long CycleId { get; set; }
    public long SessionId { get; set; }
    public long UserId { get; set; }
    public required string LocalDirectory { get; set; }
    public required JobStatus Status { get; set; }

    /// <summary>The worker running it (host:pid:random), while running.</summary>
    public string? Worker { get; set; }

    public DateTimeOffset? HeartbeatAt { get; set; }

    /// <summary>How many times a worker has claimed it (more than one after a takeover).</summary>
    public int Attempts { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>Files whose bytes the project already holds under another key are not uploaded (recorded as duplicates).</summary>
    public bool SkipDuplicates { get; set; }

    /// <summary>The outcome in words, or why it failed.</summary>
    public string? Message { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
