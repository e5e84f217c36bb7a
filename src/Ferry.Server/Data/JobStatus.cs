namespace Ferry.Server.Data;

/// <summary>
/// Where an upload job stands. Stored as its word (<see cref="StoredNames"/>: queued, running, completed, failed,
/// cancelled) through an EF value converter, so the column and the API keep the words.
/// </summary>
internal enum JobStatus
{
    Queued,
    Running,

    /// <summary>Every file uploaded and verified (or already there).</summary>
    Completed,

    /// <summary>Finished with files failed, or could not run at all (folder missing, outside the allowed roots); the message says why.</summary>
    Failed,

    Cancelled,
}
