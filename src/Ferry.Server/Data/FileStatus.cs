namespace Ferry.Server.Data;

/// <summary>Where a file of a session stands. Stored and shown as its word (<see cref="StoredNames"/>: pending, uploaded, skipped, failed).</summary>
internal enum FileStatus
{
    Pending,

    /// <summary>Uploaded in this session and verified by the server.</summary>
    Uploaded,

    /// <summary>Already verified in the bucket (by an earlier session) when registered: not uploaded again.</summary>
    Skipped,

    /// <summary>The server checked and the object was missing or wrong; <see cref="SessionFile.LastError"/> says why.</summary>
    Failed,
}
