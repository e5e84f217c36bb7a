namespace Ferry.Server.Data;

/// <summary>
/// One audit export of an upload session: to S3 (<see cref="ExportKind.S3"/>) or as a zip to download only (<see cref="ExportKind.Download"/>),
/// with its outcome. Status is an <see cref="ExportStatus"/>.
/// </summary>
internal sealed class SessionExport : CompanyOwned
{
    public long Id { get; set; }
    public long SessionId { get; set; }
    public long UserId { get; set; }
    public required ExportKind Kind { get; set; }
    public required ExportStatus Status { get; set; }

    /// <summary>The bundle's folder name, <c>YYYYMMDD_HHMMSS_slug</c>, once built.</summary>
    public string? Bundle { get; set; }

    /// <summary>Where the bundle is (delivered) or will be (queued): <c>s3://BUCKET/BASE/FOLDER/</c>.</summary>
    public string? Location { get; set; }

    public long Files { get; set; }
    public long Bytes { get; set; }

    /// <summary>From the request to the last outcome (delivered, ready, failed).</summary>
    public long DurationMs { get; set; }

    /// <summary>Delivery attempts to S3 so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Why it is queued or failed; null when all went well.</summary>
    public string? Message { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
