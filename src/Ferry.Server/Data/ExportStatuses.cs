namespace Ferry.Server.Data;

/// <summary>Where an export stands, and its two kinds.</summary>
internal static class ExportStatuses
{
    /// <summary>Being built or delivered now.</summary>
    public const string Running = "running";

    /// <summary>In S3 with every file and both reports verified.</summary>
    public const string Delivered = "delivered";

    /// <summary>S3 failed; the bundle waits in the server's outbox and is retried with backoff.</summary>
    public const string Queued = "queued";

    /// <summary>A download-only bundle, built and ready as a zip.</summary>
    public const string Ready = "ready";

    /// <summary>The bundle could not be built (the message says why); nothing was sent.</summary>
    public const string Failed = "failed";

    public const string KindS3 = "s3";
    public const string KindDownload = "download";
}
