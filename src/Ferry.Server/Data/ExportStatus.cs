namespace Ferry.Server.Data;

/// <summary>Where an export stands. Stored and shown as its word (<see cref="StoredNames"/>: running, delivered, queued, ready, failed).</summary>
internal enum ExportStatus
{
    /// <summary>Being built or delivered now.</summary>
    Running,

    /// <summary>In S3 with every file and both reports verified.</summary>
    Delivered,

    /// <summary>S3 failed; the bundle waits in the server's outbox and is retried with backoff.</summary>
    Queued,

    /// <summary>A download-only bundle, built and ready as a zip.</summary>
    Ready,

    /// <summary>The bundle could not be built (the message says why); nothing was sent.</summary>
    Failed,
}
